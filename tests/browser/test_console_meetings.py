"""The meetings statistics page: the office API's figures of the teams'
meetings (scoring.meetings.by_chapter, the same rules), as an analyst
reads them in the console."""

from __future__ import annotations

from playwright.sync_api import expect


def _a_meeting(console) -> None:
    """A team of five holds a session: two rounds, a shift, agreements."""
    phones = []
    for _ in range(5):
        status, _, installation = console.api("POST", "/installations", {"platform": "android"})
        assert status == 201
        phones.append(installation["token"])
    lead, *members = phones
    _, _, team = console.api("POST", "/teams", {"name": "Team Statistiek"}, lead)
    for phone in members:
        assert console.api("POST", "/teams/join", {"invite_code": team["invite_code"]}, phone)[0] == 200
    _, _, current = console.api("GET", "/dilemmas/current", token=lead)
    status, _, meeting = console.api("POST", f"/teams/{team['id']}/sessions", {"dilemma_id": current["id"]}, lead)
    assert status == 201, meeting
    sid = meeting["id"]
    for phone in members:
        assert console.api("POST", "/sessions/join", {"join_code": meeting["join_code"]}, phone)[0] == 200
    for phone, option in zip(phones, "AABBC", strict=True):
        assert console.api("PUT", f"/sessions/{sid}/vote", {"option": option}, phone)[0] == 200
    assert console.api("POST", f"/sessions/{sid}/reveal", token=lead)[0] == 200
    assert console.api("POST", f"/sessions/{sid}/revote", token=lead)[0] == 200
    for phone, option in zip(phones, "BBBBC", strict=True):
        assert console.api("PUT", f"/sessions/{sid}/vote", {"option": option}, phone)[0] == 200
    assert console.api("POST", f"/sessions/{sid}/reveal", token=lead)[0] == 200
    outcome = {"agreements": ["We melden elk aanbod.", "We vragen het eerst."], "look_back_on": "2027-01-11"}
    assert console.api("PUT", f"/sessions/{sid}/outcome", outcome, lead)[0] == 200


def test_an_analyst_reads_the_meetings_statistics(signed_in, console):
    _a_meeting(console)
    status, _, rows = console.api("GET", "/admin/stats/meetings", token=console.tokens["analyst"])
    assert status == 200 and rows, rows

    analyst = signed_in("analyst")
    analyst.get_by_role("link", name="Statistiek").click()
    analyst.get_by_role("link", name="Teamsessies").click()
    table = analyst.locator("#meeting-figures")
    for row in rows:
        line = table.get_by_role("row").filter(has_text=f"{row['chapter']} {row['title']}")
        expect(line).to_contain_text(str(row["sessions"]))
        expect(line).to_contain_text(f"{row['mean_shift']:.1f}".replace(".", ","))
        for theme in row["themes"]:
            expect(line).to_contain_text(f"{theme['ref']} {theme['title']}")
    expect(analyst.locator("#anonymity-note")).to_contain_text("ten minste 5 leden")
