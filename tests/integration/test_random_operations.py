"""Thousands of random operations on PostgreSQL (answers, changes,
erasures, team joins and leaves, live-session votes and joint answers):
after every hundred, every counter equals what it counts. Members' own
answers never count for a team, whatever the joins and leaves; only joint
answers do."""

import random

import pytest
from sqlalchemy import func, select

from dilemmas.model.answers import SCOPE_ALL
from dilemmas.model.meetings import TeamAnswer
from tests import counts
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team

SCOPE_TEAM = "team"  # a scope or mode of the second edition; no counter has it now

pytestmark = pytest.mark.postgres_only

STEPS = 2000


# Every token the test registered (erased ones too): the sealed rows open only with them.
TOKENS: list[str] = []


def tracked(client):
    phone = register(client)
    TOKENS.append(phone.token)
    return phone


def check(session, dilemma_ids):
    """The sealed counters against the sealed rows (opened with the tokens);
    no individual answer counts for a team; joint answers are rows."""
    individual, counted = {}, {}
    for d in dilemma_ids:
        for option, n in counts.by_option(counts.opened(session, d, TOKENS)).items():
            individual[(d, 0, option)] = n
        for option, n in counts.per_option(session, d, SCOPE_ALL).items():
            counted[(d, 0, option)] = n
        assert not any(key[0] == SCOPE_TEAM for key in counts.option_counts(session, d))
    assert counted == individual
    joint = session.scalar(select(func.count()).select_from(TeamAnswer))
    return sum(individual.values()), joint


def test_counters_equal_what_they_count_after_random_operations(app, client, session):
    rng = random.Random(20261209)
    past = schedule(session, bank(session)[0], "2026-W49")
    current = schedule(session, bank(session)[1], "2026-W50")
    phones = [tracked(client) for _ in range(14)]
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
            phones.append(tracked(client))
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
            check(session, [past.id, current.id])
    answers, joint = check(session, [past.id, current.id])
    print(f"\nrandom operations: {STEPS} steps, {done}, {answers} answers stored, {joint} joint team answers")
    assert done["answer"] > 500 and done["erase"] > 50 and done["meeting"] >= 2 and done["refused"] > 0
