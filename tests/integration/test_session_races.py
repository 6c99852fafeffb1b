"""Races in teams and live sessions on a real database: several connections
at once, as several server processes would have."""

import random

import pytest
from sqlalchemy import func, select

from api.platform.settings import parse_now
from dilemmas.counters import counter_key
from dilemmas.employee import answers, ballots, installations, meetings, teams
from dilemmas.employee.meeting_joins import join
from dilemmas.errors import Conflict
from dilemmas.model.answers import SCOPE_ALL
from dilemmas.model.meetings import Meeting, Participant, TeamAnswer
from dilemmas.model.teams import Membership
from dilemmas.storage.database import make_engine, make_sessionmaker
from tests import counts
from tests.factories import bank, schedule
from tests.integration.test_concurrency import SECRET_KEY, TOKENS, new_installation, race

SCOPE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now

NOW = parse_now("2026-12-09T12:00:00+01:00")


@pytest.fixture
def sessions_(database_url):
    engine = make_engine(database_url, pool_size=10, max_overflow=10)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def dilemma(session):
    return schedule(session, bank(session)[0], "2026-W50")


def call(factory, service, token, *args, **kwargs):
    """A service on the installation of ``token``, read as a request reads it
    to change it (with the key base of its rows)."""
    with factory() as own:
        installation = installations.installation_of(own, installations.authenticate(own, SECRET_KEY, token))
        return service(own, installation, *args, **kwargs)


def call_as_caller(factory, service, token, *args, **kwargs):
    """A service on the caller of a request that carried ``token``."""
    with factory() as own:
        return service(own, installations.authenticate(own, SECRET_KEY, token), *args, **kwargs)


def open_session(factory, dilemma_id, voters=0):
    """A lead, a team and an open session with ``voters`` joined installations."""
    lead = new_installation(factory)
    team_id = call(factory, teams.create, lead, "Team Noord", NOW).id
    opened = call_as_caller(factory, meetings.create, lead, team_id, dilemma_id, NOW)
    people = [new_installation(factory) for _ in range(voters)]
    for person in people:
        call_as_caller(factory, join, person, opened.join_code, NOW)
    return lead, team_id, opened, people


def test_concurrent_votes_from_one_installation_count_once(sessions_, session, dilemma):
    _, _, opened, (voter,) = open_session(sessions_, dilemma.id, voters=1)
    outcomes = race(
        12, lambda i: call_as_caller(sessions_, meetings.vote, voter, opened.id, "ABCD"[i % 4], NOW).my_vote
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    votes = ballots.read(session, ballots.vault_key(counter_key(SECRET_KEY)), opened.id).rounds
    assert len(votes[1]) == 1 and next(iter(votes[1].values())) in outcomes
    assert session.scalar(select(func.count()).select_from(Participant)) == 1  # the lead has not voted


def test_concurrent_joins_of_one_installation_make_one_participant(sessions_, session, dilemma):
    _, _, opened, _ = open_session(sessions_, dilemma.id)
    person = new_installation(sessions_)
    outcomes = race(8, lambda _: call_as_caller(sessions_, join, person, opened.join_code, NOW).id)
    assert outcomes == [opened.id] * 8
    assert session.scalar(select(func.count()).select_from(Participant)) == 1  # the lead has not voted


def test_concurrent_session_creation_opens_one_session_per_team(sessions_, session, dilemma):
    lead = new_installation(sessions_)
    team_id = call(sessions_, teams.create, lead, "Team Noord", NOW).id
    outcomes = race(6, lambda _: call_as_caller(sessions_, meetings.create, lead, team_id, dilemma.id, NOW).join_code)
    created = [o for o in outcomes if isinstance(o, str)]
    assert len(created) == 1, outcomes
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, str)), outcomes
    assert session.scalar(select(func.count()).select_from(Meeting)) == 1


def test_no_vote_slips_in_after_a_reveal(sessions_, session, dilemma):
    lead, _, opened, people = open_session(sessions_, dilemma.id, voters=10)
    call_as_caller(sessions_, meetings.vote, lead, opened.id, "A", NOW)

    def work(i):
        if i == 0:
            return call_as_caller(sessions_, meetings.reveal, lead, opened.id, 1, NOW)
        return call_as_caller(sessions_, meetings.vote, people[i - 1], opened.id, "B", NOW)

    outcomes = race(11, work)
    revealed = outcomes[0]
    assert not isinstance(revealed, Exception), revealed
    refused = [o for o in outcomes[1:] if isinstance(o, Exception)]
    assert all(isinstance(o, Conflict) for o in refused), refused
    final = call_as_caller(sessions_, meetings.view, lead, opened.id, NOW)
    assert final.spread == revealed.spread  # what the reveal showed is what stays
    assert sum(final.spread) == 1 + (10 - len(refused))


def test_concurrent_consensus_counts_the_team_answer_once(sessions_, session, dilemma):
    lead, team_id, opened, people = open_session(sessions_, dilemma.id, voters=2)
    for person in [lead, *people]:
        call_as_caller(sessions_, meetings.vote, person, opened.id, "C", NOW)
    call_as_caller(sessions_, meetings.reveal, lead, opened.id, 3, NOW)
    outcomes = race(
        8, lambda _: call_as_caller(sessions_, meetings.consensus, lead, opened.id, "C", NOW).consensus.option
    )
    assert outcomes == ["C"] * 8
    assert session.execute(select(TeamAnswer.team_id, TeamAnswer.option)).all() == [(team_id, "C")]


def test_concurrent_leaving_keeps_exactly_one_lead(sessions_, session):
    lead = new_installation(sessions_)
    created = call(sessions_, teams.create, lead, "Team Noord", NOW)
    invite = created.invite_code
    members = [new_installation(sessions_) for _ in range(6)]
    for member in members:
        call(sessions_, teams.join, member, invite)
    leavers = [lead, *members[:3]]
    outcomes = race(len(leavers), lambda i: call(sessions_, teams.leave, leavers[i], created.id))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    roles = session.scalars(select(Membership.role).where(Membership.team_id == created.id)).all()
    assert sorted(roles) == ["lead", "member", "member"]


def counted_for_teams(session, dilemma_id):
    """Counters of a team scope: there are none (joint answers are rows)."""
    return {k: n for k, n in counts.option_counts(session, dilemma_id).items() if k[0] == SCOPE_TEAM}


def hold_meeting(factory, lead, team_id, dilemma_id, voters, rng):
    """A meeting of the team that ends with a joint answer; None when the
    team already answered the dilemma."""
    opened = call_as_caller(factory, meetings.create, lead, team_id, dilemma_id, NOW)
    for person in voters:
        call_as_caller(factory, join, person, opened.join_code, NOW)
    for person in [lead, *voters]:
        call_as_caller(factory, meetings.vote, person, opened.id, rng.choice("ABCD"), NOW)
    revealed = call_as_caller(factory, meetings.reveal, lead, opened.id, 3, NOW)
    agreed = None
    if "consensus" in revealed.allowed:
        agreed = call_as_caller(factory, meetings.consensus, lead, opened.id, rng.choice("ABCD"), NOW)
    call_as_caller(factory, meetings.close, lead, opened.id, NOW)
    return agreed


@pytest.mark.parametrize("seed", [3, 4])
def test_tallies_equal_the_answers_and_only_joint_answers_count_for_teams(sessions_, session, seed, dilemma):
    rng = random.Random(seed)
    founder = new_installation(sessions_)
    team_ids, codes = [], []
    for name in ("Noord", "Zuid"):
        made = call(sessions_, teams.create, founder, name, NOW)
        team_ids.append(made.id)
        codes.append(made.invite_code)
    people = [founder, *[new_installation(sessions_) for _ in range(10)]]
    meetings_held = 0
    for _ in range(200):
        action = rng.random()
        person = rng.choice(people)
        if action < 0.2:
            call(sessions_, teams.join, person, rng.choice(codes))
        elif action < 0.3 and person != founder:  # the founder stays, so the teams do
            with sessions_() as own:
                mine = installations.installation_of(own, installations.authenticate(own, SECRET_KEY, person))
                for team_id in sorted(team.id for team in teams.mine(own, mine))[:1]:
                    teams.leave(own, mine, team_id)
        elif action < 0.33 and person != founder:
            call(sessions_, installations.erase, person)
            people.remove(person)
            people.append(new_installation(sessions_))
        elif action < 0.36:
            voters = rng.sample([p for p in people if p != founder], 2)
            if hold_meeting(sessions_, founder, rng.choice(team_ids), dilemma.id, voters, rng) is not None:
                meetings_held += 1
        else:
            call_as_caller(sessions_, answers.submit, person, dilemma.id, rng.choice("ABCD"), NOW, mode="alone")
    everyone = counts.per_option(session, dilemma.id, SCOPE_ALL)
    counted = counts.by_option(counts.opened(session, dilemma.id, TOKENS))
    assert everyone == counted
    assert sum(counted.values()) > 0
    # Members' own answers never count for a team, whatever they joined or left.
    assert counted_for_teams(session, dilemma.id) == {}
    # A team's joint answers are rows, at most one per team.
    joint = session.execute(select(TeamAnswer.team_id).where(TeamAnswer.dilemma_id == dilemma.id)).scalars().all()
    assert len(joint) == len(set(joint))
    assert len(joint) == meetings_held and meetings_held > 0
