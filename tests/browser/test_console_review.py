"""Review that talks: the reviewer's words reach the author on the
dilemma's page and beside its revisions; "Te doen" on Deze week lists what
waits for each person; a drafted suggestion says so; planning a dilemma
whose code section changed warns."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import unique
from tests.browser.test_console_forms import _draft


def test_the_reviewers_comments_reach_the_author(signed_in, console):
    title = unique("Een fles wijn na de aanbesteding")
    dilemma_id = _draft(console, title)
    author = signed_in("author")
    author.goto(f"/office/dilemmas/{dilemma_id}")
    author.get_by_role("button", name="Ter beoordeling aanbieden").click()

    reviewer = signed_in("reviewer")
    todo = reviewer.get_by_role("region", name="Te doen")
    expect(todo.get_by_role("list", name=re.compile("Wacht op jouw beoordeling"))).to_contain_text(title)
    todo.get_by_role("link", name=title).click()
    reviewer.get_by_label("Toelichting voor de auteur").fill("Maak optie D scherper: wie deelt de wijn met wie?")
    reviewer.get_by_role("button", name="Wijzigingen vragen").click()
    expect(reviewer.locator("#status")).to_have_text("Wijzigingen gevraagd")
    expect(reviewer.get_by_role("status")).to_have_text("Wijzigingen gevraagd.")

    author.goto("/office/")
    expect(author.get_by_role("list", name=re.compile("Jouw dilemma's met gevraagde wijzigingen"))).to_contain_text(
        title
    )
    author.goto(f"/office/dilemmas/{dilemma_id}")
    asked = author.locator("#asked")
    expect(asked).to_contain_text("Maak optie D scherper")
    expect(asked).to_contain_text("Rob Beoordelaar (Beoordelaar)")
    revisions = author.locator("#revisions")
    expect(revisions.locator(".revision").first).to_contain_text("Maak optie D scherper")

    author.get_by_role("link", name="Bewerken").click()
    author.get_by_role("group", name="Optie D", exact=True).get_by_label("Tekst").fill("Ik deel hem met het team")
    author.get_by_role("button", name="Opslaan").click()
    author.get_by_role("button", name="Ter beoordeling aanbieden").click()
    expect(author.locator("#asked")).to_have_count(0)

    reviewer.goto(f"/office/dilemmas/{dilemma_id}")
    reviewer.get_by_label("Toelichting voor de auteur").fill("Helder zo, dank je.")
    reviewer.get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.locator("#status")).to_have_text("Goedgekeurd")

    author.goto(f"/office/dilemmas/{dilemma_id}")
    newest = author.locator("#revisions .revision").first
    expect(newest).to_contain_text("Revisie 2")
    expect(newest).to_contain_text("Goedgekeurd door Rob Beoordelaar")
    expect(newest).to_contain_text("Helder zo, dank je.")

    # Anyone may add a remark to the thread, beside the current revision; an empty one is asked again.
    author.get_by_role("button", name="Opmerking plaatsen").click()
    expect(author.locator("#remark-error")).to_contain_text("Schrijf 1 tot 2000 tekens")
    author.get_by_label("Opmerking bij revisie 2").fill("Dank, ik pas de uitleg nog aan bij een volgende revisie.")
    author.get_by_role("button", name="Opmerking plaatsen").click()
    newest = author.locator("#revisions .revision").first
    expect(newest).to_contain_text("Opmerking geplaatst door Anna Auteur (Auteur)")
    expect(newest).to_contain_text("Dank, ik pas de uitleg")


def test_a_flagged_dilemma_is_on_the_list_and_planning_it_warns(signed_in, console):
    title = unique("Een cadeau van een leverancier")
    dilemma_id = _draft(console, title)
    assert console.api("POST", f"/admin/dilemmas/{dilemma_id}/submit", {}, console.tokens["author"])[0] == 200
    assert console.api("POST", f"/admin/dilemmas/{dilemma_id}/approve", {}, console.tokens["reviewer"])[0] == 200
    _, _, section = console.api("GET", "/admin/code/sections/2.1", token=console.tokens["author"])
    status, _, _ = console.api(
        "PUT", "/admin/code/sections/2.1", {"text": section["text"] + " Een nieuwe zin."}, console.tokens["author"]
    )
    assert status == 200

    publisher = signed_in("publisher")
    flagged = publisher.get_by_role("list", name=re.compile("Moeten opnieuw bekeken worden"))
    expect(flagged).to_contain_text(title)
    gap = publisher.get_by_role("list", name=re.compile("Weken zonder dilemma")).get_by_role("link").first
    gap.click()
    candidate = publisher.locator("label", has_text=title)
    expect(candidate).to_contain_text("Let op: moet opnieuw bekeken worden")
    publisher.goto(f"/office/dilemmas/{dilemma_id}")
    expect(publisher.locator("#flagged-warning")).to_contain_text("Bekijk de tekst opnieuw")


def test_a_drafted_suggestion_says_so(signed_in, console):
    _, _, installation = console.api("POST", "/installations", {"platform": "web"})
    text = unique("Mag ik een lunch van een adviesbureau aannemen als ik het contract beheer?")
    assert console.api("POST", "/suggestions", {"text": text}, installation["token"])[0] == 201
    author = signed_in("author")
    author.goto("/office/suggestions")
    card = author.locator("article", has_text=text)
    card.get_by_role("button", name=re.compile("Maak er een concept van")).click()
    author.goto("/office/suggestions")
    card = author.locator("article", has_text=text)
    expect(card).to_contain_text("Concept gemaakt")
    expect(card.get_by_label("Status")).to_have_value("in_progress")
    expect(card.get_by_role("link", name="Naar het concept")).to_be_visible()
