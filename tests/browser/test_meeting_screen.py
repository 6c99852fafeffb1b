"""A whole meeting as the room sees it: the presenter screen in Debian's
chromium (Playwright), six phones as API clients against a real server
with a frozen clock that moves while it runs. The QR code
decodes to the join code, counts come in, reveal, revote, shift, the
deliberation's steps and timers, agreements, the look-back push; axe-core
finds nothing serious; the text is legible at a quarter of 1920x1080."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dilemmas.employee.meeting_joins import link_proof
from push import lookbacks
from tests.anonymity.conftest import World
from tests.conftest import SECRET

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
START = "2026-12-09T14:00:00+01:00"
MIN_FONT_PX = 28  # 7 px at 25 %: the smallest text on the projector
MIN_CONTRAST = 4.5


def at(minutes: int) -> str:
    hours, rest = divmod(14 * 60 + minutes, 60)
    return f"2026-12-09T{hours:02d}:{rest:02d}:00+01:00"


@pytest.fixture
def world(database_url, tmp_path):
    """The attack tests' world: the screen in the browser keeps following
    the same server while the clock moves."""
    running = World(database_url, tmp_path)
    yield running
    running.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing (.ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def ok(world, method, path, body=None, token=None, status=200):
    got, _, data = world.call(method, path, body, token)
    assert got == status, (method, path, data)
    return data


def decode_qr(png: bytes, folder: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is missing (Debian's zbar-tools; .ci/run installs it)"
    image = folder / "qr.png"
    image.write_bytes(png)
    done = subprocess.run([zbarimg, "--raw", "-q", str(image)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


# Every visible text node's element: its font size and the contrast of its
# colour against the first opaque background behind it (WCAG's formula).
LEGIBILITY = """() => {
  const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
      const a = c.match(/[\\d.]+/g); if (a && (a.length < 4 || Number(a[3]) > 0.9)) return c; }
    return "rgb(255,255,255)"; };
  const out = []; const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement; if (!node.textContent.trim() || !el) continue;
    if (el.closest("dialog:not([open]), .skip, [hidden], script, style")) continue;
    const box = el.getBoundingClientRect(); if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el); const fg = lum(style.color), bg = lum(background(el));
    // SVG text is scaled with its drawing: measure the glyphs' height.
    const size = el instanceof SVGElement ? box.height / 1.2 : parseFloat(style.fontSize);
    out.push({ text: node.textContent.trim().slice(0, 40), size: size,
               contrast: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05) }); }
  return out; }"""


def check_page(page, folder: Path, name: str) -> None:
    """No serious or critical axe violation; every text big and dark enough;
    a screenshot at 25 % scale to look at."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    texts = page.evaluate(LEGIBILITY)
    assert texts
    small = [t for t in texts if t["size"] < MIN_FONT_PX]
    assert small == [], small
    faint = [t for t in texts if t["contrast"] < MIN_CONTRAST]
    assert faint == [], faint
    page.screenshot(path=str(folder / f"{name}.png"), scale="css")


def test_a_whole_meeting_on_the_presenter_screen(world, browser, tmp_path):
    world.at(START)
    lead, *colleagues = phones = [world.register() for _ in range(6)]
    created = ok(world, "POST", "/api/v1/teams", {"name": "Team Noord"}, lead, 201)
    for phone in colleagues:
        ok(world, "POST", "/api/v1/teams/join", {"invite_code": created["invite_code"]}, phone)
    for index, phone in enumerate(phones):
        token = {"token": f"device-token-{index:04d}", "platform": "ios"}
        ok(world, "PUT", "/api/v1/installations/me/push-token", token, phone, 204)
    dilemma = world.current(lead)["id"]
    meeting = ok(world, "POST", f"/api/v1/teams/{created['id']}/sessions", {"dilemma_id": dilemma}, lead, 201)
    sid, join_code = meeting["id"], meeting["join_code"]
    method = {"method": "stemmen-praten-opnieuw-stemmen", "auto": True}
    ok(world, "PUT", f"/api/v1/sessions/{sid}/deliberation", method, lead)
    screen_code = ok(world, "POST", f"/api/v1/sessions/{sid}/screen", token=lead, status=201)

    # bypass_csp: the test injects axe-core and waits with evaluated
    # functions; the page's own policy is checked through its headers.
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{world.server.base}/meeting/")
    page.get_by_label("Code van de telefoon").fill(screen_code["code"])
    page.get_by_role("button", name="Scherm openen").click()
    page.wait_for_url("**/meeting/screen")
    live = page.locator("#live")

    # The QR code on the screen is the join link, with the code and the
    # link's proof in it.
    qr = page.locator("img.qr")
    page.wait_for_function("document.querySelector('img.qr').naturalWidth > 0")
    proof = link_proof(SECRET.encode(), sid, join_code)
    assert decode_qr(qr.screenshot(), tmp_path) == f"{world.server.base}/join/{join_code}-{proof}"
    assert live.locator(".code").inner_text().replace(" ", "") == join_code
    assert "Stap 1 van 4" in live.inner_text() and "Lezen en stemmen" in live.inner_text()
    check_page(page, tmp_path, "open")

    # Phones join and vote; the counts come in without a reload.
    for phone in colleagues:
        ok(world, "POST", "/api/v1/sessions/join", {"join_code": join_code}, phone)
    page.wait_for_function("document.getElementById('deelnemers').textContent === '5'")
    for phone, option in zip(phones, "AABBBC", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
        assert "stem" in live.inner_text()
    page.wait_for_function("document.getElementById('stemmen')?.textContent === '6'")
    assert "Uitslag" not in live.inner_text()  # blind until the reveal

    # The clock moves on: the timer has moved the meeting to step 2.
    world.at(at(6))
    ok(world, "POST", f"/api/v1/sessions/{sid}/reveal", token=lead)
    page.wait_for_selector("#uitslag-titel")
    assert "Stap 2 van 4" in live.inner_text()
    step = ok(world, "GET", f"/api/v1/sessions/{sid}", token=colleagues[0])["step"]
    assert (step["number"], step["title"]) == (2, "Uitslag en gesprek")
    rows = live.locator("table.numbers tbody tr").all_inner_texts()
    assert [r.split() for r in rows][:3] == [["A", "2", "33%"], ["B", "3", "50%"], ["C", "1", "17%"]]
    check_page(page, tmp_path, "revealed")

    # The lead moves on by hand; the second round, the shift.
    ok(world, "POST", f"/api/v1/sessions/{sid}/deliberation/move", {"by": 1}, lead)
    ok(world, "POST", f"/api/v1/sessions/{sid}/revote", token=lead)
    page.wait_for_function("document.querySelector('#live').textContent.includes('Opnieuw stemmen')")
    for phone, option in zip(phones, "ABBBBB", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
    ok(world, "POST", f"/api/v1/sessions/{sid}/reveal", token=lead)
    page.wait_for_selector("text=Verschuiving")
    assert "Verschuiving: 2" in live.inner_text()

    # Conclusion: the team's answer, values per option, agreements, a day to look back.
    world.at(at(30))  # 5 + 15 + 5 minutes of steps 1-3 have passed: step 4, by the timer
    assert ok(world, "GET", f"/api/v1/sessions/{sid}", token=colleagues[1])["step"]["number"] == 4
    ok(world, "PUT", f"/api/v1/sessions/{sid}/consensus", {"option": "B"}, lead)
    agreement = "We melden elk geschenk bij de teamleider."
    ok(
        world,
        "PUT",
        f"/api/v1/sessions/{sid}/outcome",
        {
            "values": {"A": ["eerlijkheid"], "B": ["collegialiteit"]},
            "agreements": [agreement],
            "look_back_on": "2027-01-11",
        },
        lead,
    )
    page.wait_for_selector("#afspraken-titel")
    assert agreement in live.inner_text() and "Antwoord van het team: B" in live.inner_text()
    assert "Verschuiving en afspraak" in live.inner_text()
    check_page(page, tmp_path, "outcome")
    context.close()
    ok(world, "POST", f"/api/v1/sessions/{sid}/close", token=lead)

    # Nothing in the meeting's stored outcome names or links a participant.
    stored = {
        table: world.sql(f"SELECT * FROM {table}")
        for table in (
            "meeting_deliberations",
            "meeting_outcomes",
            "meeting_outcome_values",
            "meeting_screen_codes",
            "meeting_changes",
        )
    }
    installation_ids = {row[0] for row in world.sql("SELECT id FROM installations")}
    keys = {row[0] for row in world.sql("SELECT voter_key FROM session_participants")}
    secrets = {*installation_ids, *keys, *phones}
    for table, rows in stored.items():
        assert rows, table
        for row in rows:
            assert not any(str(value) in secrets for value in row), (table, row)
            assert not any(s in str(value) for value in row for s in secrets), (table, row)
    columns = {
        row[0]
        for table in stored
        for row in world.sql(
            "SELECT name FROM pragma_table_info(:t)" if not world.postgres else
            "SELECT column_name FROM information_schema.columns WHERE table_name = :t", t=table
        )
    }
    assert not columns & {"installation_id", "voter_key", "respondent_key", "token", "created_at"}

    # On the look-back day the team's six phones get a message to look back
    # (log transport): in words of its own, never the team's agreement, which
    # the app fetches with its token (docs/anonymity.md).
    world.kompas("push", "tick", at="2027-01-11T09:00:00+01:00")
    sent = world.sql("SELECT body, target FROM push_log WHERE kind = 'lookback'")
    assert len(sent) == 6 and {body for body, _ in sent} == {lookbacks.TEXTS["nl"][1]}
    assert not any(agreement in body for body, _ in sent)
    assert {target for _, target in sent} == {None}


@pytest.mark.sqlite_only  # the page's policy, its refusal and axe: nothing stored or read
def test_a_code_opens_the_screen_once_and_the_page_needs_it(world, browser):
    world.at(START)
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    response = page.goto(f"{world.server.base}/meeting/screen")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "Open het scherm met een nieuwe code" in page.inner_text("main")
    page.get_by_label("Code van de telefoon").fill("verkeerd")
    page.get_by_role("button", name="Scherm openen").click()
    assert "werkt niet" in page.inner_text(".error-summary")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
