"""The presenter screen as full-screen states at 1920x1080: join, voting,
a deliberation step with the result, reveal and the outcome. No state
reaches below 1080 px or beyond 1920 px; the big QR code holds the join
link and stays big when phones join; the laptop steers (reveal, next
step, revote) with the right the lead's code gave it, until the lead's
phone revokes it. With KOMPAS_SCREENSHOTS=folder each state is saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dilemmas.employee.meeting_joins import link_proof
from tests.anonymity.conftest import World
from tests.browser.test_meeting_screen import START, at, check_page, decode_qr, ok
from tests.conftest import SECRET

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 1920, 1080
# Every element that reaches below the screen or beyond its right edge.
OVERFLOW = """() => {
  const out = [];
  if (document.documentElement.scrollHeight > innerHeight) out.push(`page ${document.documentElement.scrollHeight}px`);
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('dialog, [hidden], .visually-hidden, script')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.bottom > innerHeight + 1 || box.right > innerWidth + 1)
      out.push(`${el.tagName} ${el.id} bottom ${Math.round(box.bottom)} right ${Math.round(box.right)}`);
  }
  return out.slice(0, 8); }"""
# Measured in one step of the page's own script: the screen's poll swaps
# the live part, and a handle taken before a swap measures nothing after it.
QR_HEIGHT = "document.querySelector('img.qr-large').getBoundingClientRect().height"
OVERLAY_HEIGHT = """() => { const img = document.querySelector('.qr-overlay:not([hidden]) img.qr');
  return img ? img.getBoundingClientRect().height : 0; }"""


@pytest.fixture
def world(database_url, tmp_path):
    running = World(database_url, tmp_path)
    yield running
    running.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield launched
        launched.close()


def fits(page, folder: Path, state: str) -> None:
    """The page shows ``state`` and all of it fits on the screen; axe and
    legibility as in the meeting test; a screenshot when asked for."""
    page.wait_for_selector(f".frame[data-state='{state}']")
    shots = os.environ.get("KOMPAS_SCREENSHOTS")
    if shots:  # before the checks: a state that overflows is worth a look
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"presenter-{state}-1920.png"), full_page=True)
    overflow = page.evaluate(OVERFLOW)
    assert overflow == [], f"{state} overflows {WIDTH}x{HEIGHT}: {overflow}"
    check_page(page, folder, state)


def test_each_state_fills_the_screen_and_the_laptop_steers(world, browser, tmp_path):
    world.at(START)
    lead, *colleagues = phones = [world.register() for _ in range(6)]
    team = ok(world, "POST", "/api/v1/teams", {"name": "Team Noord"}, lead, 201)
    for phone in colleagues:
        ok(world, "POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, phone)
    dilemma = world.current(lead)["id"]
    meeting = ok(world, "POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma}, lead, 201)
    sid, join_code = meeting["id"], meeting["join_code"]
    method = {"method": "stemmen-praten-opnieuw-stemmen", "auto": False}
    ok(world, "PUT", f"/api/v1/sessions/{sid}/deliberation", method, lead)
    screen_code = ok(world, "POST", f"/api/v1/sessions/{sid}/screen", token=lead, status=201)

    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True)
    page = context.new_page()
    page.goto(screen_code["url"].replace("http://localhost", "http://127.0.0.1"))
    page.wait_for_url("**/meeting/screen")

    # join: the QR code is the join link with its proof; the link is
    # written out beside it, without the proof, with the code.
    fits(page, tmp_path, "join")
    link = f"{world.server.base}/join/{join_code}"
    qr = page.locator("img.qr-large")
    page.wait_for_function("document.querySelector('img.qr-large').naturalWidth > 0")
    assert decode_qr(qr.screenshot(), tmp_path) == f"{link}-{link_proof(SECRET.encode(), sid, join_code)}"
    assert page.locator(".join-url").inner_text() == link.removeprefix("http://")
    assert page.locator(".code").inner_text().replace(" ", "") == join_code
    big = page.evaluate(QR_HEIGHT)
    assert big >= HEIGHT / 2

    # Phones join: the screen stays on join and the QR code stays big.
    for phone in colleagues:
        ok(world, "POST", "/api/v1/sessions/join", {"join_code": join_code}, phone)
    page.wait_for_function("document.getElementById('deelnemers').textContent === '5'")
    assert page.evaluate(QR_HEIGHT) == big
    fits(page, tmp_path, "join")

    # voting: "4 van 6 gestemd" (the lead takes part with the first vote).
    for phone, option in zip(phones[:4], "AABB", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
    page.wait_for_function("document.querySelector('.voted')?.textContent.includes('4 van 6 gestemd')")
    assert join_code[:3] in page.locator("#banner").inner_text()  # the join link stays on screen
    for phone, option in zip(phones[4:], "BC", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
    page.wait_for_function("document.querySelector('.voted')?.textContent.includes('6 van 6 gestemd')")
    fits(page, tmp_path, "voting")

    # The laptop reveals: the whole result first, named for its round, though
    # a method runs (its voting step is still the current one).
    page.get_by_role("button", name="Onthullen").click()
    fits(page, tmp_path, "reveal")
    assert page.locator("#uitslag-titel").inner_text() == "Uitslag eerste ronde"
    assert page.locator(".state-reveal .bar-text").count() == 4  # the options' texts, large
    rows = page.locator("table.numbers tbody tr").all_inner_texts()
    assert [r.split() for r in rows] == [["A", "2", "33%"], ["B", "3", "50%"], ["C", "1", "17%"], ["D", "0", "0%"]]
    assert page.locator("#stap-na-onthullen").inner_text() == (
        "Stap 1 van 4: Lezen en stemmen · daarna: Uitslag en gesprek"
    )
    # Then the method's step: its prompt large, the result beside it.
    page.get_by_role("button", name="Volgende stap").click()
    fits(page, tmp_path, "step")
    assert "Uitslag en gesprek" in page.locator("#stap-titel").inner_text()
    assert page.locator("#uitslag-titel").inner_text() == "Uitslag eerste ronde"
    # Back to the step the reveal happened in: the whole result again.
    page.get_by_role("button", name="Vorige stap").click()
    page.wait_for_selector(".frame[data-state='reveal']")
    for title in ("Uitslag en gesprek", "Opnieuw stemmen"):
        page.get_by_role("button", name="Volgende stap").click()
        page.wait_for_function(f"document.querySelector('#stap-titel')?.textContent.includes('{title}')")
    page.get_by_role("button", name="Opnieuw stemmen").click()
    fits(page, tmp_path, "voting")
    assert "Tweede ronde" in page.locator(".kicker").inner_text()
    for phone, option in zip(phones, "ABBBBB", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
    page.wait_for_function("document.querySelector('.voted')?.textContent.includes('6 van 6 gestemd')")
    page.get_by_role("button", name="Onthullen").click()
    fits(page, tmp_path, "reveal")
    assert page.locator("#uitslag-titel").inner_text() == "Uitslag tweede ronde"
    assert "Verschuiving: 2" in page.locator(".chart-note").inner_text()
    page.get_by_role("button", name="Volgende stap").click()
    page.wait_for_function("document.querySelector('#stap-titel')?.textContent.includes('Verschuiving en afspraak')")
    fits(page, tmp_path, "step")
    assert page.locator("#uitslag-titel").inner_text() == "Uitslag tweede ronde"
    assert "Verschuiving: 2" in page.locator(".chart-note").inner_text()

    # The lead's phone takes the steering right back: no buttons, and an old form is refused.
    ok(world, "DELETE", f"/api/v1/sessions/{sid}/screen", token=lead, status=204)
    page.wait_for_function("!document.querySelector('.steer')")
    csrf = page.evaluate("document.cookie")  # HttpOnly: the page's script never sees the cookie
    assert "kompas_screen" not in csrf
    refused = page.request.post(f"{world.server.base}/meeting/screen/steer", form={"action": "next"})
    assert refused.status in (400, 403)
    assert ok(world, "GET", f"/api/v1/sessions/{sid}", token=lead)["step"]["number"] == 4

    # outcome: the team's answer, values, agreements, the look-back day, the result.
    world.at(at(30))
    ok(world, "PUT", f"/api/v1/sessions/{sid}/consensus", {"option": "B", "note": "Melden bij twijfel."}, lead)
    outcome = {
        "values": {"A": ["eerlijkheid", "openheid"], "B": ["collegialiteit", "zorgvuldigheid"]},
        "agreements": ["We melden elk geschenk bij de teamleider.", "We bespreken twijfel in het teamoverleg."],
        "look_back_on": "2027-01-11",
    }
    ok(world, "PUT", f"/api/v1/sessions/{sid}/outcome", outcome, lead)
    page.wait_for_selector("#afspraken-titel")
    fits(page, tmp_path, "outcome")
    text = page.locator("main").inner_text()
    assert "Antwoord van het team: B" in text and "11 januari 2027" in text and "collegialiteit" in text
    ok(world, "POST", f"/api/v1/sessions/{sid}/close", token=lead)
    page.wait_for_selector("#gesloten")
    fits(page, tmp_path, "outcome")
    assert page.locator("#uitslag-titel").inner_text() == "Uitslag tweede ronde"
    context.close()


def test_a_meeting_without_a_method_reveals_full_screen(world, browser, tmp_path):
    world.at(START)
    lead, *colleagues = phones = [world.register() for _ in range(4)]
    team = ok(world, "POST", "/api/v1/teams", {"name": "Team Zuid"}, lead, 201)
    for phone in colleagues:
        ok(world, "POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, phone)
    dilemma = world.current(lead)["id"]
    meeting = ok(world, "POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma}, lead, 201)
    for phone in colleagues:
        ok(world, "POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, phone)
    screen_code = ok(world, "POST", f"/api/v1/sessions/{meeting['id']}/screen", token=lead, status=201)
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True)
    page.goto(f"{world.server.base}/meeting/open?code={screen_code['code']}")
    for phone, option in zip(phones, "ABCD", strict=True):
        ok(world, "PUT", f"/api/v1/sessions/{meeting['id']}/vote", {"option": option}, phone)
    page.reload()
    page.get_by_role("button", name="Onthullen").click()
    fits(page, tmp_path, "reveal")
    # Equal counts read the same.
    rows = page.locator("table.numbers tbody tr").all_inner_texts()
    assert {r.split()[2] for r in rows} == {"25%"}
    # Q: the QR code over the whole screen, big, after the reveal too.
    page.keyboard.press("q")
    assert page.evaluate(OVERLAY_HEIGHT) >= HEIGHT * 0.7
    page.context.close()
