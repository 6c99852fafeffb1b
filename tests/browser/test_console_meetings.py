"""The meetings statistics page and "Als team" on "Deelname per week": the
office API's figures of the teams' meetings (scoring.meetings, a release of
the weeks that closed), as an analyst reads them in the console."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, insert, select

from api.platform.formats import number
from api.platform.settings import parse_now
from dilemmas.model.meetings import Meeting, TeamAnswer
from dilemmas.model.organisations import Organisation
from dilemmas.model.teams import Team
from tests.api.test_statistics import counted
from tests.conftest import DEFAULT_NOW, watching


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


JOINT = 3000  # teams that answered this week's dilemma together: enough to show under the noise
NEXT_MONDAY = "2026-12-14T09:00:00+01:00"


def _many_joint_answers(console, dilemma_id: int) -> None:
    """Many teams that each held a meeting on the dilemma and recorded a
    joint answer, and a few hundred answers of people, written as rows and
    counters (what thousands of phones would leave)."""
    at = parse_now(DEFAULT_NOW)
    with watching(console.url) as session:
        rijk = session.scalar(select(Organisation).where(Organisation.slug == "rijk"))
        first = (session.scalar(select(func.max(Team.id))) or 0) + 1
        teams = [
            {
                "id": first + i,
                "organisation_id": rijk.id,
                "name": "Team",
                "invite_code": f"bulk{i:08d}",
                "next_handle": 1,
                "created_at": at,
            }
            for i in range(JOINT)
        ]
        session.execute(insert(Team.__table__), teams)
        first_meeting = (session.scalar(select(func.max(Meeting.id))) or 0) + 1
        held = [
            {
                "id": first_meeting + i,
                "team_id": team["id"],
                "organisation_id": rijk.id,
                "dilemma_id": dilemma_id,
                "state": "closed",
                "round": 1,
                "revealed_round": 1,
                "failed_joins": 0,
                "expires_at": at,
                "created_at": at,
            }
            for i, team in enumerate(teams)
        ]
        session.execute(insert(Meeting.__table__), held)
        session.execute(
            insert(TeamAnswer.__table__),
            [
                {
                    "team_id": m["team_id"],
                    "dilemma_id": dilemma_id,
                    "session_id": m["id"],
                    "option": "B",
                    "late": False,
                    "answered_on": at.date(),
                }
                for m in held
            ],
        )
        counted(session, dilemma_id, "ABCD" * 100)
        counted(session, dilemma_id, "AB" * 100, mode="team")


def test_the_figures_wait_for_the_close_and_show_margins_or_the_reason(signed_in, console):
    _a_meeting(console)
    lead = console.api("POST", "/installations", {"platform": "android"})[2]["token"]
    dilemma_id = console.api("GET", "/dilemmas/current", token=lead)[2]["id"]
    analyst_token = console.tokens["analyst"]
    open_rows = console.api("GET", "/admin/stats/meetings", token=analyst_token)[2]
    _many_joint_answers(console, dilemma_id)
    assert console.api("GET", "/admin/stats/meetings", token=analyst_token)[2] == open_rows  # the week is open

    console.move_clock(NEXT_MONDAY)
    status, _, rows = console.api("GET", "/admin/stats/meetings", token=analyst_token)
    assert status == 200 and len(rows) > len(open_rows), rows
    analyst = signed_in("analyst")
    analyst.get_by_role("link", name="Statistiek").click()
    analyst.get_by_role("link", name="Teamsessies").click()
    table = analyst.locator("#meeting-figures")
    suppressed = "onderdrukt: te weinig teamsessies voor een betrouwbaar cijfer"
    shown = 0
    for row in rows:
        line = table.get_by_role("row").filter(has_text=f"{row['chapter']} {row['title']}")
        if row["sessions"] is None:
            expect(line.locator("td").nth(1)).to_have_text(suppressed)
        else:
            shown += 1
            expect(line.locator("td").nth(1)).to_have_text(
                f"{number(row['sessions'])} (± {number(row['sessions_margin'])})"
            )
        if row["mean_shift"] is None:
            expect(line.locator("td").nth(2)).to_have_text(suppressed)  # no meeting of the many voted twice
        for theme in row["themes"]:
            expect(line).to_contain_text(f"{theme['ref']} {theme['title']}")
    assert shown, "three thousand sessions on a dilemma are shown"
    expect(analyst.locator("#anonymity-note")).to_contain_text("ruis")

    # "Deelname per week": "Als team" counts the teams' joint answers.
    status, _, weeks = console.api("GET", "/admin/stats/weeks", token=analyst_token)
    [week] = [w for w in weeks if w["dilemma_id"] == dilemma_id]
    assert week["joint_answers"] is not None and abs(week["joint_answers"] - JOINT) < 1500
    as_a_team = week["by_mode"]["team"]
    assert as_a_team is not None and abs(as_a_team - JOINT - 200) < 1500
    analyst.get_by_role("link", name="Deelname per week").click()
    expect(analyst.get_by_role("row").filter(has_text=week["title"]).first).to_contain_text(f"Als team: {as_a_team}")
    expect(analyst.locator("#team-note")).to_contain_text("gezamenlijke antwoorden van teams")
