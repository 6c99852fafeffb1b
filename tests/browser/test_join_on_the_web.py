"""The QR code is a link: /join/<code> opens a page in any phone's browser
(390 px, axe-clean, without JavaScript) where a colleague joins and votes
without the app, as an installation of platform web held in an HttpOnly
cookie; forms carry CSRF; wrong codes are capped per address; the join
code never reaches the server's logs."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from api.platform.limits import WEB_CODES_PER_ADDRESS
from dilemmas.employee.meeting_joins import link_proof
from tests.anonymity.conftest import World
from tests.browser.test_meeting_screen import START, ok
from tests.conftest import SECRET

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(database_url, tmp_path):
    running = World(database_url, tmp_path)
    running.env["RATELIMIT_ENABLED"] = "true"
    yield running
    running.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield launched
        launched.close()


def shot(page, name: str) -> None:
    """With KOMPAS_SCREENSHOTS=folder (`make screenshots`), keep the page."""
    folder = os.environ.get("KOMPAS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-390.png"), full_page=True)


def axe_clean(page) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    wider = page.evaluate("document.documentElement.scrollWidth")
    assert wider <= PHONE["width"], f"the page scrolls sideways at {PHONE['width']} px"


def a_meeting(world) -> tuple[str, int, str]:
    lead = world.register()
    team = ok(world, "POST", "/api/v1/teams", {"name": "Team West"}, lead, 201)
    dilemma = world.current(lead)["id"]
    meeting = ok(world, "POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma}, lead, 201)
    return lead, meeting["id"], meeting["join_code"]


# Seen without scrolling: what a phone shows as the page opens.
IN_VIEW = "el => { const b = el.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }"


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_colleague_joins_and_votes_in_the_browser(world, browser, tmp_path, script):
    world.at(START)
    lead, sid, code = a_meeting(world)
    context = browser.new_context(viewport=PHONE, java_script_enabled=script, bypass_csp=True)
    page = context.new_page()
    proof = link_proof(SECRET.encode(), sid, code)  # the screen's QR link
    page.goto(f"{world.server.base}/join/{code}-{proof}")
    assert page.get_by_label("Code van het scherm").input_value() == code
    if script:
        axe_clean(page)
        shot(page, "join")
    page.get_by_role("button", name="Meedoen").click()
    page.wait_for_url(re.compile(r"/join/m/\d+$"))

    cookie = next(c for c in context.cookies() if c["name"] == "kompas_web")
    assert cookie["httpOnly"] and cookie["path"] == "/join" and cookie["sameSite"] == "Lax"
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600 + 60
    status, _, mine = world.call("GET", "/api/v1/installations/me", token=cookie["value"])
    assert status == 200 and mine["platform"] == "web"

    page.get_by_label(re.compile("^B ")).check()
    page.get_by_role("button", name="Stemmen").click()
    assert "Je stem is binnen: B" in page.inner_text("main")
    assert page.locator("#bevestiging").evaluate(IN_VIEW), "the vote's confirmation is below the fold"
    if script:
        axe_clean(page)
        shot(page, "join-voted")
    view = ok(world, "GET", f"/api/v1/sessions/{sid}", token=lead)
    assert view["votes"] == 1 and view["participants"] == 1

    # Two more phones vote; the lead reveals; the browser shows the result.
    for option in "AB":
        phone = world.register()
        ok(world, "POST", "/api/v1/sessions/join", {"join_code": code}, phone)
        ok(world, "PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)
    if script:  # the live count follows without a reload
        page.wait_for_function("document.getElementById('stemmen').textContent === '3'")
    ok(world, "POST", f"/api/v1/sessions/{sid}/reveal", token=lead)
    page.get_by_role("link", name="Vernieuwen").click()
    page.wait_for_selector("table.numbers tbody tr")  # the reloaded page, not the one before it
    rows = page.locator("table.numbers tbody tr").all_inner_texts()
    assert [r.split() for r in rows][:2] == [["A", "1", "33%"], ["B", "2", "67%"]]
    assert page.locator("table.numbers").evaluate(IN_VIEW), "the result is below the fold"

    # A vote without the form's token is refused.
    refused = page.request.post(f"{world.server.base}/join/m/{sid}/vote", form={"option": "A"})
    assert refused.status == 400
    context.close()

    # The code was never written to a log.
    world.server.stop()
    logs = "".join(path.read_text(errors="replace") for path in Path(world.folder).glob("server-*.log"))
    assert "/join/" in logs and code not in logs and proof not in logs


def test_wrong_codes_are_capped_per_address(world, browser):
    world.at(START)
    _lead, _sid, code = a_meeting(world)
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{world.server.base}/join/")
    wrong = "000000" if code != "000000" else "111111"
    # The address's allowance (a room of thirty mistyping) spent by the
    # form's own requests, then the page typed into once more.
    allowance = int(re.search(r"(\d+) per hour", WEB_CODES_PER_ADDRESS).group(1))
    form = {"code": wrong, "csrf_token": page.locator("input[name=csrf_token]").input_value()}
    statuses = [page.request.post(f"{world.server.base}/join/", form=form).status for _ in range(allowance)]
    page.get_by_label("Code van het scherm").fill(wrong)
    with page.expect_response(re.compile(r"/join/$")) as response:
        page.get_by_role("button", name="Meedoen").click()
    statuses.append(response.value.status)
    assert statuses[:allowance] == [404] * allowance and statuses[allowance] == 429, statuses
    assert "Te veel" in page.inner_text("main")
    page.context.close()
