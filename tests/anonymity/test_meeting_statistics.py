"""Attack 7 of issue 23 (adversary D of docs/anonymity.md): the office's
meeting statistics read before and after one team's meeting. Real requests
against a running server."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.platform.settings import parse_now
from dilemmas.model.deliberation import Outcome
from dilemmas.model.meetings import Meeting, TeamAnswer
from dilemmas.model.organisations import Organisation
from dilemmas.model.releases import PrivacyLedger, ReleasedCell
from dilemmas.model.teams import Team
from dilemmas.reads.placements import Placement, placement_of
from dilemmas.storage.database import make_engine, make_sessionmaker
from dilemmas.weeks import Week
from scoring import budget, meetings, releases
from tests.anonymity.conftest import NEXT_MONDAY, NEXT_TUESDAY, WEDNESDAY
from tests.factories import bank, schedule

MEETINGS = "/api/v1/admin/stats/meetings"


def _hold(world, dilemma_id: int, first: str, second: str, agreements: list[str]) -> None:
    """A team of len(first) phones holds a meeting: a round, a reveal, a
    revote, a reveal and its agreements."""
    phones = [world.register() for _ in first]
    lead, *members = phones
    status, _, team = world.call("POST", "/api/v1/teams", {"name": "Team Oost"}, lead)
    assert status == 201, team
    for phone in members:
        assert world.call("POST", "/api/v1/teams/join", {"invite_code": team["invite_code"]}, phone)[0] == 200
    status, _, meeting = world.call("POST", f"/api/v1/teams/{team['id']}/sessions", {"dilemma_id": dilemma_id}, lead)
    assert status == 201, meeting
    sid = meeting["id"]
    for phone in members:
        assert world.call("POST", "/api/v1/sessions/join", {"join_code": meeting["join_code"]}, phone)[0] == 200
    for round_votes in (first, second):
        for phone, option in zip(phones, round_votes, strict=True):
            assert world.call("PUT", f"/api/v1/sessions/{sid}/vote", {"option": option}, phone)[0] == 200
        status, _, body = world.call("POST", f"/api/v1/sessions/{sid}/reveal", token=lead)
        assert status == 200, body
        if round_votes is first:
            assert world.call("POST", f"/api/v1/sessions/{sid}/revote", token=lead)[0] == 200
    outcome = {"agreements": agreements, "look_back_on": "2027-01-11"}
    assert world.call("PUT", f"/api/v1/sessions/{sid}/outcome", outcome, lead)[0] == 200


def _read(world, analyst: str) -> list[dict]:
    status, _, rows = world.call("GET", MEETINGS, token=analyst)
    assert status == 200, rows
    return rows


def recovered(before: list[dict], after: list[dict]) -> tuple[float, int] | None:
    """What the analyst computes from two readings: the one new team's shift
    (new mean x sessions - old mean x sessions) and its agreements (the
    growth of a theme), from the first chapter that moved."""
    old = {row["chapter"]: row for row in before}
    for row in after:
        was = old.get(row["chapter"], {"sessions": 0, "mean_shift": None, "themes": []})
        if row["sessions"] is None or was["sessions"] is None or row["sessions"] != was["sessions"] + 1:
            continue
        shift = (row["mean_shift"] or 0) * row["sessions"] - (was["mean_shift"] or 0) * was["sessions"]
        themes = {t["ref"]: t["agreements"] or 0 for t in was["themes"]}
        grown = [t["agreements"] - themes.get(t["ref"], 0) for t in row["themes"] if t["agreements"] is not None]
        return round(shift, 2), max(grown, default=0)
    return None


def test_reading_before_and_after_a_meeting_gives_nothing_away(world):
    """Before: `/admin/stats/meetings` was exact and counted open weeks, so
    two readings around one team's meeting gave its shift (3) and its
    number of agreements (3). Now the figures are a release of closed weeks
    only, drawn once: neither a meeting during the week nor a late one
    after it moves them."""
    world.at(WEDNESDAY)
    analyst = world.admin("analyst")
    dilemma = world.current(world.register())["id"]
    _hold(world, dilemma, "AABBC", "AABBB", ["We melden het."])  # another team, earlier: shift 1
    before = _read(world, analyst)
    _hold(world, dilemma, "AAABC", "BBBBC", ["Eerst vragen.", "Altijd melden.", "Samen besluiten."])
    after = _read(world, analyst)
    assert recovered(before, after) != (3, 3)
    assert after == before

    # After the close: the release, drawn once; a team that meets on the
    # dilemma later (the archive stays open) moves no figure.
    world.at(NEXT_MONDAY)
    closed = _read(world, analyst)
    _hold(world, dilemma, "AAABC", "BBBBC", ["Eerst vragen.", "Altijd melden.", "Samen besluiten."])
    world.at(NEXT_TUESDAY)
    again = _read(world, analyst)
    assert recovered(closed, again) is None
    assert again == closed


# ------------------------------------------------ the release's guarantee
#
# Neighbouring datasets differ by one team's counted meeting of an edition
# (scoring.meetings): added, removed, or swapped for another meeting of the
# same team. The first test checks on real rows that this moves each measure
# by at most its cap, in everyone's cell and in one cell per organisation
# level, so that the release's loss is at most MEETINGS_EPSILON. An event
# test of e^eps as in test_dp_guarantee.py cannot be sized for eps = 0.03
# (it would need some 10^8 draws); the second test checks instead, on the
# stored cells of real releases, that the noise has the stated scale, sized
# so that a mechanism with half the scales (twice the eps) fails it.

TAIL = 2.5e-7


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _organisation(db, slug: str) -> Organisation:
    return db.scalar(select(Organisation).where(Organisation.slug == slug))


def _meeting(db, dilemma_id: int, organisation: str, *, shift, agreements: int, joint: bool, team=None, at=None):
    """A team's meeting with a revealed round, as the rows the statistics read."""
    at = at or parse_now(WEDNESDAY)
    org = _organisation(db, organisation)
    if team is None:
        team = Team(organisation_id=org.id, name="Team", invite_code=secrets.token_hex(8), created_at=at)
        db.add(team)
        db.flush()
    meeting = Meeting(
        team_id=team.id,
        organisation_id=org.id,
        dilemma_id=dilemma_id,
        state="closed",
        revealed_round=2 if shift is not None else 1,
        shift=shift,
        expires_at=at,
        created_at=at,
    )
    db.add(meeting)
    db.flush()
    db.add(Outcome(session_id=meeting.id, team_id=team.id, agreements=[f"Afspraak {i}" for i in range(agreements)]))
    if joint:
        db.add(
            TeamAnswer(
                team_id=team.id,
                dilemma_id=dilemma_id,
                session_id=meeting.id,
                option="B",
                late=False,
                answered_on=at.date(),
            )
        )
    db.commit()
    return team


def _cells(db, placement) -> dict[tuple, tuple[int, float]]:
    return {
        (m.name, scope, scope_id): (true, m.scale)
        for m in meetings._measures(db, placement)
        for scope, scope_id, _, true in m.cells
    }


def _loss(d: dict, d_prime: dict) -> float:
    assert d.keys() == d_prime.keys()
    for key, (true, _scale) in d.items():
        assert abs(d_prime[key][0] - true) <= meetings.CAPS[key[0]]
    return sum(abs(d_prime[key][0] - d[key][0]) / d[key][1] for key in d)


def test_one_teams_meeting_costs_at_most_the_meetings_share(db):
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    placement = placement_of(db, dilemma.id)
    _meeting(db, dilemma.id, "rijk", shift=1, agreements=1, joint=True)
    _meeting(db, dilemma.id, "douane", shift=None, agreements=0, joint=False)
    before = _cells(db, placement)
    # A customs team at every cap and beyond: nine voters changed, five
    # agreements, a joint answer. Votes are never counted, only its meeting.
    team = _meeting(db, dilemma.id, "douane", shift=9, agreements=5, joint=True)
    with_it = _cells(db, placement)
    assert _loss(before, with_it) == pytest.approx(budget.MEETINGS_EPSILON)
    # The same team meets again without a joint answer: its counted meeting
    # stays the one with the joint answer, nothing moves.
    _meeting(db, dilemma.id, "douane", shift=0, agreements=0, joint=False, team=team)
    assert _cells(db, placement) == with_it
    # Another team meets twice; its counted meeting is its last one: a swap
    # that stays within the caps.
    other = _meeting(db, dilemma.id, "douane", shift=4, agreements=3, joint=False)
    first = _cells(db, placement)
    _meeting(db, dilemma.id, "douane", shift=None, agreements=0, joint=False, team=other)
    first_swapped = _cells(db, placement)
    assert _loss(first, first_swapped) <= budget.MEETINGS_EPSILON + 1e-12
    # A meeting after the close (the archive) or before the week is no part of it.
    late = parse_now(NEXT_TUESDAY)
    _meeting(db, dilemma.id, "rijk", shift=3, agreements=3, joint=False, at=late)
    early = parse_now(WEDNESDAY) - timedelta(days=10)
    _meeting(db, dilemma.id, "rijk", shift=3, agreements=3, joint=False, at=early)
    assert _cells(db, placement) == first_swapped
    assert len(meetings.contributions(db, placement)) == 4


def _within_scale(b: float) -> float:
    """P(|Z| <= b) for discrete Laplace noise Z of scale b."""
    r = math.exp(-1 / b)
    return 1 - 2 * r ** (math.floor(b) + 1) / (1 + r)


def _within_halved(b: float) -> float:
    """P(|Z| <= b) for noise of half the scale (a mechanism with twice the eps)."""
    r = math.exp(-2 / b)
    return 1 - 2 * r ** (math.floor(b) + 1) / (1 + r)


def _decide(samples: list[tuple[int, float]]) -> bool:
    """True when the share of noise within its scale is closer to the stated
    scales' than to the halved scales' (Hoeffding: each error below TAIL)."""
    stated = sum(_within_scale(b) for _, b in samples) / len(samples)
    halved = sum(_within_halved(b) for _, b in samples) / len(samples)
    share = sum(abs(noise) <= b for noise, b in samples) / len(samples)
    return share <= (stated + halved) / 2


def _needed(scales: list[float]) -> int:
    gap = min(_within_halved(b) - _within_scale(b) for b in scales) / 2
    return math.ceil(math.log(1 / TAIL) / (2 * gap * gap))


def test_the_stored_noise_has_the_stated_scale_and_is_read_back_the_same(db):
    parent = _organisation(db, "rijk")
    for i in range(60):  # many organisations: many cells of pure noise
        db.add(Organisation(slug=f"afdeling-{i}", name=f"Afdeling {i}", parent_id=parent.id))
    db.commit()
    placements = [Placement(d.id, Week.parse("2026-W40"), parent.id, parent.timezone) for d in bank(db)[:3]]
    made = meetings.meetings_releases(db, placements, parse_now(NEXT_MONDAY))
    assert set(made) == {p.dilemma_id for p in placements}
    rows = db.execute(
        select(ReleasedCell.dilemma_id, ReleasedCell.measure, ReleasedCell.value, ReleasedCell.scale).where(
            ReleasedCell.release == meetings.MEETINGS
        )
    ).all()
    samples = [(value, scale) for _, _, value, scale in rows]  # no meetings: every value is noise
    assert len(samples) >= _needed([s for _, s in samples]), "too few cells to decide"
    for measure, cap in meetings.CAPS.items():
        scales = {scale for _, m, _, scale in rows if m == measure}
        assert [pytest.approx(cap * 2 / budget.MEETINGS_SPLIT[measure])] == list(scales)  # everyone + one level
    assert _decide(samples)
    halved = [(releases.add_noise([0], b / 2)[0], b) for _, b in samples]
    assert not _decide(halved)
    # Read again, from the stored cells: the same figures, one ledger row each.
    releases._REMEMBERED.clear()
    again = meetings.meetings_releases(db, placements, parse_now(NEXT_TUESDAY))
    assert {d: r.cells for d, r in again.items()} == {d: r.cells for d, r in made.items()}
    ledger = db.execute(select(PrivacyLedger.release, PrivacyLedger.part, PrivacyLedger.epsilon)).all()
    assert sorted(ledger) == [(meetings.MEETINGS, meetings.MEETINGS, budget.MEETINGS_EPSILON)] * 3
