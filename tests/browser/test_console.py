"""The office console as its people use it, in a real browser (Debian's
chromium through Playwright) against a real server: signing in with a
token and with OpenID Connect, the four-eyes workflow from a draft to a
phone, the statistics with their CSV, the buttons each role gets, and the
refusals (CSRF, an expired session).

Once, on SQLite: what these flows store and read is the office API's and
the console's own, which tests/api runs on both databases; here it is the
browser's part (forms, cookies, sign-ins, downloads) that is under test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NAMES, unique
from tests.conftest import DEFAULT_NOW

pytestmark = pytest.mark.sqlite_only

NEXT_MONDAY = "2026-12-14T09:01:00+01:00"  # 2026-W51 has begun


def test_sign_in_with_a_token_and_out_again(new_page, console):
    page = new_page()
    page.goto("/office/dilemmas")
    expect(page).to_have_url(re.compile(r"/office/sign-in\?next=/office/dilemmas"))
    page.get_by_label("Persoonlijk toegangstoken").fill("kpa_not-a-token")
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Er is een probleem")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#token")
    expect(page.locator("#token-error")).to_contain_text("Dit token kennen we niet")
    expect(page.get_by_label("Persoonlijk toegangstoken")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Persoonlijk toegangstoken").fill(console.tokens["author"])
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dilemma's")  # back where they were going
    cookie = next(c for c in page.context.cookies() if c["name"] == "kompas_office")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/office/"
    assert not cookie["value"].startswith("kpa_")  # the token itself never goes into the browser

    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Je bent afgemeld")
    page.goto("/office/")
    expect(page).to_have_url(re.compile(r"/office/sign-in"))


def test_sign_in_with_openid_connect(new_page, console):
    console.provider.user = {"sub": "42", "name": "Olga Oidc", "groups": ["staf", "integriteit-analisten"]}
    page = new_page()
    page.goto("/office/sign-in")
    page.get_by_role("link", name="Aanmelden met je organisatie-account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deze week")
    expect(page.get_by_role("banner")).to_contain_text("Olga Oidc")
    expect(page.get_by_role("banner")).to_contain_text("Analist, Douane Nederland")  # claim -> role and organisation
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    expect(navigation.get_by_role("link", name="Statistiek")).to_be_visible()
    expect(navigation.get_by_role("link", name="Tokens")).to_have_count(0)

    # A provider account whose groups map to no role gets no session.
    console.provider.user = {"sub": "43", "name": "Zonder Rol", "groups": ["staf"]}
    other = new_page()
    other.goto("/office/oidc/login")
    expect(other.get_by_role("heading", level=1)).to_have_text("Niet gelukt")
    expect(other.get_by_role("main")).to_contain_text("geen rol in Kompas")
    other.goto("/office/")
    expect(other).to_have_url(re.compile(r"/office/sign-in"))


def _in_review_dilemma(console) -> int:
    """An author's dilemma in review, made through the admin API."""
    body = {
        "category": "geschenken",
        "title": unique("Een taart van de leverancier"),
        "situation": "Een leverancier brengt na een geslaagd project een taart voor het hele team.",
        "options": [{"text": t} for t in ("Aannemen", "Weigeren", "Aannemen en melden", "Doorgeven aan een goed doel")],
        "code_refs": [],
    }
    status, _, created = console.api("POST", "/admin/dilemmas", body, console.tokens["author"])
    assert status == 201, created
    status, _, _ = console.api("POST", f"/admin/dilemmas/{created['id']}/submit", token=console.tokens["author"])
    assert status == 200
    return created["id"]


def test_each_role_sees_only_its_buttons(signed_in, console):
    dilemma_id = _in_review_dilemma(console)
    expected = {
        "author": {"Bewerken"},
        "reviewer": {"Goedkeuren", "Wijzigingen vragen"},
        "publisher": {"Archiveren"} - {"Archiveren"},  # in review: nothing for a publisher
        "analyst": set(),
        "admin": {"Bewerken", "Goedkeuren", "Wijzigingen vragen"},
    }
    workflow = {
        "Bewerken",
        "Goedkeuren",
        "Wijzigingen vragen",
        "Ter beoordeling aanbieden",
        "Inplannen",
        "Uit de planning halen",
        "Archiveren",
        "Verwijderen",
    }
    menus = {
        "author": {"Suggesties"},
        "reviewer": {"Suggesties"},
        "publisher": {"Suggesties"},
        "analyst": {"Statistiek"},
        "admin": {"Suggesties", "Statistiek", "Tokens", "Logboek"},
    }
    for role, buttons in expected.items():
        page = signed_in(role)
        navigation = page.get_by_role("navigation", name="Hoofdmenu")
        for item in ("Suggesties", "Statistiek", "Tokens", "Logboek"):
            expect(navigation.get_by_role("link", name=item, exact=True)).to_have_count(1 if item in menus[role] else 0)
        page.goto(f"/office/dilemmas/{dilemma_id}")
        actions = page.get_by_role("region", name="Wat kun je nu doen?")
        shown = {
            name
            for name in workflow
            if actions.get_by_role("button", name=name, exact=True)
            .or_(actions.get_by_role("link", name=name, exact=True))
            .count()
        }
        assert shown == buttons, role
        page.context.close()
    # The pages a role may not use say so instead of showing them.
    page = signed_in("author")
    response = page.goto("/office/tokens")
    assert response.status == 403
    expect(page.get_by_role("main")).to_contain_text("Je rol geeft geen toegang")


def test_a_form_without_its_csrf_token_is_refused(signed_in, console):
    dilemma_id = _in_review_dilemma(console)
    page = signed_in("reviewer")
    page.goto(f"/office/dilemmas/{dilemma_id}")
    page.locator('form:has(button[data-action="approve"]) input[name="csrf_token"]').evaluate(
        "input => input.value = 'forged'"
    )
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gelukt")
    expect(page.get_by_role("main")).to_contain_text("Dit formulier is verlopen of komt niet van deze site")
    # A request from elsewhere carries the cookie (here: the same browser) but no token.
    response = page.request.post(f"/office/dilemmas/{dilemma_id}/approve", form={"comment": ""})
    assert response.status == 400
    _status, _, dilemma = console.api("GET", f"/admin/dilemmas/{dilemma_id}", token=console.tokens["reviewer"])
    assert dilemma["status"] == "in_review"  # nothing changed


def test_from_draft_to_a_phone(signed_in, new_page, console):
    """An author writes, a reviewer (another person) reads the diff and
    approves, a publisher schedules next week on the calendar; when the week
    starts, a phone gets the dilemma through the API."""
    title = unique("Een etentje met de aannemer")
    author = signed_in("author")
    author.get_by_role("link", name="Dilemma's").first.click()
    author.get_by_role("link", name="Nieuw dilemma").click()

    # An empty form: every problem beside its field and summarised at the top.
    author.get_by_role("button", name="Opslaan").click()
    summary = author.get_by_role("alert")
    expect(summary).to_contain_text("Er is een probleem")
    expect(summary.get_by_role("link", name=re.compile("^Titel"))).to_have_attribute("href", "#title")
    expect(author.locator("#title-error")).to_be_visible()
    expect(author.locator("#option_A_text-error")).to_be_visible()

    author.get_by_label("Titel").fill(title)
    author.get_by_label("Situatie").fill("De aannemer die jouw afdeling verbouwt nodigt je uit voor een etentje.")
    expect(author.locator('[data-preview-out="title"]')).to_have_text(title)  # the phone preview follows
    author.get_by_label("Categorie").select_option("geschenken")
    texts = ("Ik ga mee", "Ik zeg nee", "Ik vraag het eerst aan mijn leidinggevende", "Ik ga mee en betaal zelf")
    for key, text in zip("ABCD", texts, strict=True):
        option = author.get_by_role("group", name=f"Optie {key}", exact=True)
        option.get_by_label("Tekst").fill(text)
    author.get_by_role("group", name="Optie C", exact=True).get_by_label("Past bij de code").check()
    author.get_by_role("group", name="Optie A", exact=True).get_by_label("Botst met de code").check()
    author.locator("summary").first.click()
    author.locator('input[name="code_refs"]').first.check()
    author.get_by_role("button", name="Opslaan").click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    dilemma_url = author.url.split("?")[0]
    expect(author.locator("#status")).to_have_text("Concept")

    # A second revision, so that the reviewer has a difference to read.
    author.get_by_role("link", name="Bewerken").click()
    author.get_by_label("Situatie").fill("De aannemer die jouw afdeling verbouwt nodigt je uit voor een duur etentje.")
    author.get_by_role("button", name="Opslaan").click()
    author.get_by_role("button", name="Ter beoordeling aanbieden").click()
    expect(author.locator("#status")).to_have_text("Ter beoordeling")
    expect(author.get_by_role("button", name="Goedkeuren")).to_have_count(0)

    # The admin could approve by role, but wrote nothing here; the author of
    # a revision who also reviews is told why the button is missing.
    status, _, body = console.api(
        "GET", dilemma_url.replace(console.base + "/office", "/admin"), token=console.tokens["admin"]
    )
    assert body["revision"]["author"] == NAMES["author"]

    reviewer = signed_in("reviewer")
    reviewer.goto(dilemma_url)
    revisions = reviewer.locator("#revisions")
    expect(revisions.locator("ins")).to_contain_text("duur")
    expect(revisions).to_contain_text("Anna Auteur")
    reviewer.get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.locator("#status")).to_have_text("Goedgekeurd")

    publisher = signed_in("publisher")
    publisher.get_by_role("link", name="Kalender").click()
    week_row = publisher.locator("#week-2026-W51")
    week_row.locator('td[data-organisation="rijk"]').get_by_role("link", name=re.compile("Plan een dilemma")).click()
    publisher.get_by_label(re.compile(re.escape(title))).check()
    publisher.get_by_role("button", name="Inplannen").click()
    expect(publisher.get_by_role("status")).to_contain_text("Ingepland")
    expect(publisher.locator("#week-2026-W51 td[data-organisation='rijk']")).to_contain_text(title)
    expect(publisher.locator("#week-2026-W51 td[data-organisation='douane']")).to_contain_text("Overgenomen")

    # Monday of that week (the frozen clock moves, as after a weekend).
    console.move_clock(NEXT_MONDAY)
    status, _, phone = console.api("POST", "/installations", {"platform": "ios"})
    assert status == 201
    status, _, current = console.api("GET", "/dilemmas/current", token=phone["token"])
    assert status == 200 and current["title"] == title and current["week"] == "2026-W51"

    # Five days idle: the console's sessions have expired.
    publisher.reload()
    expect(publisher).to_have_url(re.compile(r"/office/sign-in\?.*expired=1"))
    expect(publisher.get_by_role("status")).to_contain_text("Je sessie is verlopen")
    response = reviewer.request.post(dilemma_url + "/archive", form={"csrf_token": "whatever"})
    assert response.status == 401 and "Je sessie is verlopen" in response.text()  # refused, nothing done
    status, _, body = console.api(
        "GET", dilemma_url.replace(console.base + "/office", "/admin"), token=console.tokens["admin"]
    )
    assert body["status"] == "published"


def test_an_analyst_reads_the_statistics_and_downloads_the_csv(signed_in, console):
    # Figures appear once their week has closed (docs/anonymity.md): read on
    # the next Monday (last in this module: the new week fills itself from
    # the bank), then give the clock its Wednesday back.
    console.move_clock("2026-12-14T09:01:00+01:00")
    try:
        page = signed_in("analyst")
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Statistiek").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("deelname per week")
        expect(page.locator("svg#chart-weeks")).to_be_visible()
        table = page.get_by_role("table", name="De cijfers achter de grafiek")
        closed = table.get_by_role("row").filter(has_text="Week 50 van 2026")
        # The closed week's 29 answers, as the release shows them: noisy
        # (scale 4 per option), or suppressed as too few; never exact by rule.
        expect(closed).to_be_visible()
        shown = closed.locator("td.num").first.inner_text() if closed.locator("td.num").count() else ""
        assert (shown.isdigit() and abs(int(shown) - 29) <= 20) or "onderdrukt" in closed.inner_text().lower() or (
            "te weinig" in closed.inner_text().lower()
        ), closed.inner_text()
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Download CSV")).click()
        assert download.value.suggested_filename == "kompas-weeks.csv"
        text = Path(download.value.path()).read_bytes().decode("utf-8")
        assert text.startswith("\ufeffsubject,week,dilemma_id,figure,value,suppressed,reason\r\n")
        assert ",2026-W50," in text

        closed.get_by_role("link").click()
        expect(page.locator("svg#chart-spread-0")).to_be_visible()
        customs = page.get_by_role("region", name="Douane Nederland")
        expect(customs.locator("p.suppressed")).to_contain_text("onderdrukt")  # three answers: never shown, never 0
        expect(customs.get_by_role("table")).not_to_contain_text("0%")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("Download CSV")).click()
        rows = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
        assert any(
            row.startswith("Douane Nederland,2026-W50,") and row.endswith(",,yes,too_few_answers") for row in rows
        )

        page.goto("/office/statistics/awareness")
        expect(page.get_by_role("heading", level=1)).to_contain_text("bewustzijn")
        page.goto("/office/statistics/grey-zones")
        expect(page.locator("svg#chart-grey")).to_be_visible()
    finally:
        console.move_clock(DEFAULT_NOW)
