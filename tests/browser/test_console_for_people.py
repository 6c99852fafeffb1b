"""Data for people in the console: weeks with their dates, the calendar
from this week on, times on the organisation's clock, organisation names
instead of slugs, role names in plain Dutch, a Logboek in sentences."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_weeks_dates_names_and_times_as_people_read_them(signed_in, console):
    admin = signed_in("admin")
    expect(admin.get_by_role("heading", level=1)).to_contain_text("week 50, 7–13 december")
    # A week to plan once: Customs inherits what the Rijk plans, so its gap is folded in.
    gaps = admin.get_by_role("list", name=re.compile("Weken zonder dilemma"))
    expect(gaps.get_by_role("listitem").first).to_contain_text("Week 51, 14–20 december – Rijksoverheid")
    expect(gaps.get_by_role("listitem").first).to_contain_text("(ook voor Douane Nederland)")
    expect(gaps).not_to_contain_text("– Douane Nederland")

    admin.goto("/office/calendar")
    first = admin.locator("table.calendar tbody tr").first
    expect(first).to_have_attribute("id", "week-2026-W50")
    expect(first.locator("th")).to_contain_text("7–13 december")
    expect(admin.locator("table.calendar")).not_to_contain_text("(rijk)")
    expect(admin.locator("td[data-organisation='douane']").first).to_contain_text("Overgenomen van Rijksoverheid")

    admin.goto("/office/tokens")
    expect(admin.get_by_label("Rol")).to_contain_text("Planner")
    expect(admin.get_by_label("Rol")).not_to_contain_text("Publicist")
    made = admin.locator("tbody tr", has_text="Ali Analist")
    expect(made).to_contain_text("De opdrachtregel")  # who made it, never "cli"
    expect(made).not_to_contain_text("cli")

    # Signing in was logged: a sentence, a Dutch role, the time in Amsterdam (12:00 CET = 11:00 UTC).
    admin.goto("/office/audit")
    row = admin.locator("tbody tr", has_text="meldde zich aan in de console").first
    expect(row).to_contain_text("Bea Beheer (Beheerder)")
    expect(row).to_contain_text("9 december 2026, 12:00")
    expect(admin.locator("tbody")).not_to_contain_text("console.sign_in")
    expect(row).to_contain_text("toegangstoken van Bea Beheer")

    # What was done to what, by name: the Logboek filtered by a sentence.
    status, _, rows = console.api("GET", "/admin/schedule", token=console.tokens["admin"])
    assert status == 200
    planned_id = next(r["dilemma_id"] for r in rows if r["source"] == "automatic" and r["dilemma_id"])
    title = console.api("GET", f"/admin/dilemmas/{planned_id}", token=console.tokens["admin"])[2]["title"]
    admin.get_by_label("Handeling").select_option(label="plande automatisch een dilemma uit de bank")
    admin.get_by_role("button", name="Filteren").click()
    expect(admin.locator("tbody tr").first).to_contain_text("plande automatisch een dilemma uit de bank")
    expect(admin.locator("tbody").get_by_role("link", name=title)).to_have_count(1)
    expect(admin.locator("tbody")).not_to_contain_text("meldde zich aan")
    admin.get_by_label("Handeling").select_option(label="maakte een nieuwe aanmeldcode")
    admin.get_by_role("button", name="Filteren").click()
    expect(admin.locator("tbody tr").first).to_contain_text("Douane Nederland")
    admin.get_by_label("Handeling").select_option(label="Alle")
    admin.get_by_role("button", name="Filteren").click()
    # No internal numbers for what people have names for.
    expect(admin.locator("tbody")).not_to_contain_text(re.compile(r"(dilemma|organisatie|toegangstoken) \d"))

    # A bundled dilemma was written by the content bank, not by "content".
    admin.goto(f"/office/dilemmas/{planned_id}")
    expect(admin.locator("main")).to_contain_text("1, door de inhoudsbank")
    expect(admin.locator("main")).not_to_contain_text(re.compile(r"\bcontent\b"))

    # Weeks are picked as weeks (the browser's week picker), not typed as codes.
    admin.goto("/office/statistics")
    first = admin.get_by_label("Van week")
    expect(first).to_have_attribute("type", "week")
    first.fill("2026-W49")
    admin.get_by_role("button", name="Tonen").click()
    expect(admin.get_by_label("Van week")).to_have_value("2026-W49")
    expect(admin.locator(".error-summary")).to_have_count(0)
