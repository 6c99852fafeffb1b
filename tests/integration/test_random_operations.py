"""Thousands of random operations on PostgreSQL (answers, changes,
erasures, team joins and leaves, live-session votes and joint answers):
after every hundred, every counter equals what it counts. Members' own
answers never count for a team, whatever the joins and leaves; only joint
answers do."""

import random

import pytest
from sqlalchemy import func, select

from dilemmas.model.answers import SCOPE_ALL, SCOPE_TEAM, Answer, Tally
from dilemmas.model.meetings import TeamAnswer
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

pytestmark = pytest.mark.postgres_only

STEPS = 2000


def counters(session, scope, team_mode=None):
    query = select(Tally.dilemma_id, Tally.scope_id, Tally.option, func.sum(Tally.count)).where(Tally.scope == scope)
    if team_mode is True:
        query = query.where(Tally.mode == "team")
    elif team_mode is False:
        query = query.where(Tally.mode != "team")
    rows = session.execute(query.group_by(Tally.dilemma_id, Tally.scope_id, Tally.option))
    return {(d, s, o): int(n) for d, s, o, n in rows if n}


def check(session):
    individual = {
        (d, 0, o): n
        for d, o, n in session.execute(
            select(Answer.dilemma_id, Answer.option, func.count()).group_by(Answer.dilemma_id, Answer.option)
        )
    }
    assert counters(session, SCOPE_ALL) == individual
    # No individual answer counts for a team (no team spreads of members' answers).
    assert counters(session, SCOPE_TEAM, team_mode=False) == {}
    joint = {
        (d, t, o): n
        for d, t, o, n in session.execute(
            select(TeamAnswer.dilemma_id, TeamAnswer.team_id, TeamAnswer.option, func.count()).group_by(
                TeamAnswer.dilemma_id, TeamAnswer.team_id, TeamAnswer.option
            )
        )
    }
    assert counters(session, SCOPE_TEAM, team_mode=True) == joint
    return sum(individual.values()), sum(joint.values())


def test_counters_equal_what_they_count_after_random_operations(app, client, session):
    rng = random.Random(20261209)
    past = schedule(session, bank(session)[0], "2026-W49")
    current = schedule(session, bank(session)[1], "2026-W50")
    phones = [register(client) for _ in range(14)]
    leads = phones[:2]
    teams = [team(lead, [], name=f"Team {i}") for i, lead in enumerate(leads)]
    members = {t["id"]: {leads[i].token} for i, t in enumerate(teams)}
    done = {"answer": 0, "erase": 0, "join": 0, "leave": 0, "meeting": 0, "refused": 0}
    for step in range(1, STEPS + 1):
        roll = rng.random()
        if roll < 0.55:
            phone = rng.choice(phones)
            dilemma = rng.choice([past, current])
            response = phone.answer(dilemma.id, rng.choice("ABCD"), rng.choice(["alone", "colleague"]))
            done["answer" if response.status_code == 200 else "refused"] += 1
        elif roll < 0.62:
            phone = rng.choice([p for p in phones if p not in leads])
            assert phone.delete("/installations/me").status_code == 204
            phones.remove(phone)
            for tokens in members.values():
                tokens.discard(phone.token)
            phones.append(register(client))
            done["erase"] += 1
        elif roll < 0.75:
            chosen = rng.choice(teams)
            phone = rng.choice([p for p in phones if p not in leads])
            if phone.token in members[chosen["id"]]:
                assert phone.delete(f"/teams/{chosen['id']}/membership").status_code == 204
                members[chosen["id"]].discard(phone.token)
                done["leave"] += 1
            else:
                assert phone.post("/teams/join", json={"invite_code": chosen["invite_code"]}).status_code == 200
                members[chosen["id"]].add(phone.token)
                done["join"] += 1
        elif roll < 0.80:
            index = rng.randrange(len(teams))
            lead, chosen = leads[index], teams[index]
            started = lead.post(f"/teams/{chosen['id']}/sessions", json={"dilemma_id": current.id})
            if started.status_code != 201:
                done["refused"] += 1
                continue
            meeting = started.get_json()
            voters = [lead, *rng.sample([p for p in phones if p is not lead], 4)]
            for voter in voters:
                voter.post("/sessions/join", json={"join_code": meeting["join_code"]})
                voter.put(f"/sessions/{meeting['id']}/vote", json={"option": rng.choice("ABCD")})
            lead.post(f"/sessions/{meeting['id']}/reveal")
            agreed = lead.put(f"/sessions/{meeting['id']}/consensus", json={"option": rng.choice("ABCD")})
            done["meeting" if agreed.status_code == 200 else "refused"] += 1
            lead.post(f"/sessions/{meeting['id']}/close")
        if step == STEPS // 2:
            set_now(app, "2026-12-14T09:00:00+01:00")  # the week closes: changes to W50 are refused from now on
        if step % 100 == 0:
            check(session)
    answers, joint = check(session)
    print(f"\nrandom operations: {STEPS} steps, {done}, {answers} answers stored, {joint} joint team answers")
    assert done["answer"] > 500 and done["erase"] > 50 and done["meeting"] >= 2 and done["refused"] > 0
