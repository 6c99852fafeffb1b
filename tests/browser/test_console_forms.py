"""Every console form works with the values it is shown with: a person
fills only what is empty and required, keeps every pre-filled value and
pre-selected choice, and submits. Numbers in a form are numbers by the
time they reach the services."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import NARROW, unique


def test_tokens_form_with_its_prefilled_days(signed_in, console):
    admin = signed_in("admin")
    admin.goto("/office/tokens")
    expect(admin.get_by_label("Geldig (dagen)")).to_have_value("90")
    admin.get_by_label("Naam").fill(unique("Nieuwe collega"))
    admin.get_by_label("Rol").select_option("analyst")
    admin.get_by_role("button", name="Token maken").click()
    expect(admin.locator("#new-token")).to_have_text(re.compile(r"^kpa_"))
    expect(admin.locator(".field-error")).to_have_count(0)


def test_push_form_opens_a_dilemma_it_offers(signed_in, console):
    publisher = signed_in("publisher")
    publisher.goto("/office/push")
    choice = publisher.get_by_label("Dilemma dat de app opent")
    offered = choice.locator("option").all()
    assert len(offered) >= 2, "the push form offers no dilemma"
    # The option that is shown, chosen as it reads: this week's dilemma.
    choice.select_option(index=1)
    dilemma_id = choice.input_value()
    expect(publisher.get_by_label("Naar")).to_contain_text(re.compile(r"\d+ telefoon"))
    publisher.get_by_label("Titel").fill("Het dilemma van deze week")
    publisher.get_by_label("Tekst").fill("Wat zou jij doen? Kijk in de app.")
    publisher.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(publisher.locator(".field-error")).to_have_count(0)
    expect(publisher.get_by_label("Dilemma dat de app opent")).to_have_value(dilemma_id)
    publisher.get_by_role("button", name="Nu versturen").click()
    expect(publisher.get_by_role("status").first).to_contain_text("Verstuurd")
    status, _, campaigns = console.api("GET", "/admin/push/campaigns", token=console.tokens["admin"])
    assert status == 200
    assert any(c["kind"] == "adhoc" and c["dilemma_id"] == int(dilemma_id) for c in campaigns), campaigns


def _draft(console, title: str) -> int:
    status, _, body = console.api(
        "POST",
        "/admin/dilemmas",
        {
            "title": title,
            "situation": "Een leverancier biedt je na afloop van een aanbesteding een dure fles wijn aan.",
            "category": "geschenken",
            "options": [{"text": t} for t in ("Ik neem hem aan", "Ik weiger", "Ik meld het", "Ik deel hem")],
            "code_refs": ["2.1"],
        },
        console.tokens["author"],
    )
    assert status == 201, body
    return body["id"]


def test_editor_review_and_plan_forms_with_their_values(signed_in, console):
    title = unique("Een fles wijn na de aanbesteding")
    dilemma_id = _draft(console, title)

    # The editor, saved as it opens: nothing changes, nothing is refused.
    author = signed_in("author")
    author.goto(f"/office/dilemmas/{dilemma_id}/edit")
    author.get_by_role("button", name="Opslaan").click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    author.get_by_role("button", name="Ter beoordeling aanbieden").click()
    expect(author.locator("#status")).to_have_text("Ter beoordeling")

    # The review: approving with the comment box as it is (empty).
    reviewer = signed_in("reviewer")
    reviewer.goto(f"/office/dilemmas/{dilemma_id}")
    reviewer.get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.locator("#status")).to_have_text("Goedgekeurd")

    # Planning a week: nothing is chosen for the publisher; submitting as
    # shown asks for a choice beside the field (never an error page).
    publisher = signed_in("publisher")
    publisher.goto("/office/calendar")
    gap = publisher.locator("td[data-organisation='rijk']").get_by_role("link", name=re.compile("Plan een dilemma"))
    gap.first.click()
    expect(publisher.locator("input[name='dilemma_id']:checked")).to_have_count(0)
    publisher.get_by_role("button", name="Inplannen").click()
    expect(publisher.locator("#dilemma_id-error, .field-error").first).to_contain_text("Kies een dilemma")
    # Search, read it in the preview (which chooses it), plan it.
    publisher.get_by_label("Zoeken").fill(title.split()[-1])
    publisher.get_by_role("button", name="Zoeken").click()
    expect(publisher.locator("input[name='dilemma_id']")).to_have_count(1)
    publisher.get_by_role("link", name=re.compile("Bekijk")).click()
    expect(publisher.locator("#voorbeeld")).to_contain_text("dure fles wijn")
    publisher.get_by_role("button", name="Inplannen").click()
    expect(publisher.get_by_role("status").first).to_contain_text("Ingepland")
    expect(publisher.locator(".field-error")).to_have_count(0)


# The phone's screen: what is in reach without scrolling.
PHONE_HEIGHT = 900
IN_VIEW = "el => { const b = el.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }"


def test_planning_a_week_on_a_phone(signed_in, console):
    publisher = signed_in("publisher", NARROW)
    publisher.goto("/office/calendar/plan?week=2027-W10&organisation=rijk")
    # Search first, in the first screen; the other filters folded away.
    search = publisher.get_by_label("Zoeken")
    assert search.evaluate(IN_VIEW)
    expect(publisher.get_by_label("Categorie")).to_be_hidden()
    # Ten at a time, and how many there are.
    radios = publisher.locator("input[name='dilemma_id']")
    expect(radios).to_have_count(10)
    total = int(re.match(r"\d+", publisher.locator("#plan-form legend").inner_text()).group())
    assert total > 20, total
    expect(publisher.locator("#shown-range")).to_contain_text(f"1–10 van {total}")
    height = publisher.evaluate("document.documentElement.scrollHeight")
    assert height < 3 * PHONE_HEIGHT, f"the planning page is {height} px long at {NARROW} px"
    # The button is in reach while the list scrolls: at the top and at the last one.
    button = publisher.get_by_role("button", name="Inplannen")
    assert button.evaluate(IN_VIEW)
    radios.last.scroll_into_view_if_needed()
    assert button.evaluate(IN_VIEW)

    # The next ten; one of them chosen and planned with the button that stayed in reach.
    publisher.get_by_role("link", name="Volgende").click()
    expect(publisher.locator("#shown-range")).to_contain_text(f"11–20 van {total}")
    chosen = radios.nth(3)
    title = publisher.locator(f"label[for='{chosen.get_attribute('id')}']").inner_text()
    chosen.check()
    assert button.evaluate(IN_VIEW)
    button.click()
    expect(publisher.get_by_role("status").first).to_contain_text("Ingepland")
    expect(publisher.locator("#week-2027-W10")).to_contain_text(title.split(" (")[0])

    # Search narrows the list; the preview comes first on a phone, with its own button.
    publisher.goto("/office/calendar/plan?week=2027-W11&organisation=rijk")
    publisher.get_by_label("Zoeken").fill("leverancier")
    publisher.get_by_role("button", name="Zoeken").click()
    found = int(re.match(r"\d+", publisher.locator("#plan-form legend").inner_text()).group())
    assert 0 < found < total
    expect(publisher.get_by_role("link", name="Alles tonen").first).to_be_visible()
    picked = publisher.locator("#plan-form label").first.inner_text().split(" (")[0]
    publisher.get_by_role("link", name=re.compile("^Bekijk")).first.click()
    preview = publisher.locator("#voorbeeld")
    expect(preview.locator("h3")).to_have_text(picked)
    assert preview.evaluate("el => el.getBoundingClientRect().top") < publisher.locator("#plan-form").evaluate(
        "el => el.getBoundingClientRect().top"
    )
    preview.get_by_role("button", name="Plan dit dilemma in").click()
    expect(publisher.get_by_role("status").first).to_contain_text("Ingepland")
    expect(publisher.locator("#week-2027-W11")).to_contain_text(picked)
