"""For every route with an id: each caller that must not reach the object
gets 404 (another organisation's or installation's object: its existence is
not revealed), 403 (a valid token without the right), or 401 (no or the
wrong kind of token), as docs/api.md says under "Errors"."""

import re

import pytest

from tests.factories import bank, new_dilemma_body, office, register, schedule, team

NOBODY = {}


@pytest.fixture
def world(client, session):
    rijk_week = schedule(session, bank(session)[0], "2026-W50")
    customs_only = schedule(session, bank(session, "douane")[0], "2026-W49", "douane")
    lead, member, outsider = register(client), register(client), register(client)
    customs_phone = register(client, session, "douane")
    crew = team(lead, [member])
    started = lead.post(f"/teams/{crew['id']}/sessions", json={"dilemma_id": rijk_week.id}).get_json()
    assert member.post("/sessions/join", json={"join_code": started["join_code"]}).status_code == 200
    author = office(client, session, "author")
    rijk_draft = author.post("/dilemmas", new_dilemma_body()).get_json()
    admin = office(client, session, "admin")
    rijk_token = next(t for t in admin.get("/tokens").get_json() if t["role"] == "author")
    text = "Een leverancier nodigt mijn hele team uit voor een etentje na de aanbesteding."
    suggestion = outsider.post("/suggestions", json={"text": text}).get_json()
    return {
        "dilemma": customs_only.id,  # a Customs dilemma: Rijk's people may not know it
        "team": crew["id"],
        "session": started["id"],
        "draft": rijk_draft["id"],
        "token": rijk_token["id"],
        "suggestion": suggestion["id"],
        "phones": {"lead": lead, "member": member, "outsider": outsider, "customs": customs_phone},
        "offices": {
            (role, organisation): office(client, session, role, organisation)
            for role in ("author", "reviewer", "publisher", "analyst", "admin")
            for organisation in ("rijk", "douane")
        },
    }


# (method, path template, body, {caller: status}) -- callers: phone names,
# "role@org" admin tokens, "none" (no token), "phone" (an app token on an
# admin route) and "office" (an admin token on an app route).
APP = [
    ("GET", "/dilemmas/{dilemma}", None, {"outsider": 404, "none": 401, "office": 401}),
    ("PUT", "/dilemmas/{dilemma}/answer", {"option": "A"}, {"outsider": 404, "none": 401, "office": 401}),
    ("GET", "/dilemmas/{dilemma}/results", None, {"outsider": 404, "none": 401}),
    ("GET", "/code/sections/D.1", None, {"outsider": 404, "none": 401}),
    ("GET", "/teams/{team}", None, {"outsider": 404, "customs": 404, "none": 401}),
    ("DELETE", "/teams/{team}/membership", None, {"outsider": 404, "customs": 404, "none": 401}),
    ("POST", "/teams/{team}/invite-code", None, {"member": 403, "outsider": 404, "none": 401}),
    ("GET", "/teams/{team}/members", None, {"member": 403, "outsider": 404, "none": 401}),
    ("PUT", "/teams/{team}/lead", {"handle": 2}, {"member": 403, "outsider": 404, "none": 401}),
    ("POST", "/teams/{team}/sessions", {"dilemma_id": 1}, {"member": 403, "outsider": 404, "customs": 404}),
    ("GET", "/sessions/{session}", None, {"outsider": 404, "customs": 404, "none": 401, "office": 401}),
    ("PUT", "/sessions/{session}/vote", {"option": "A"}, {"outsider": 404, "customs": 404, "none": 401}),
    ("POST", "/sessions/{session}/reveal", None, {"member": 403, "outsider": 404, "customs": 404}),
    ("POST", "/sessions/{session}/revote", None, {"member": 403, "outsider": 404}),
    ("PUT", "/sessions/{session}/consensus", {"option": "A"}, {"member": 403, "outsider": 404}),
    ("POST", "/sessions/{session}/close", None, {"member": 403, "outsider": 404, "none": 401}),
    ("PUT", "/sessions/{session}/deliberation", {"method": "dilemmamethode"}, {"member": 403, "outsider": 404}),
    ("POST", "/sessions/{session}/deliberation/move", {"by": 1}, {"member": 403, "outsider": 404, "none": 401}),
    ("POST", "/sessions/{session}/screen", None, {"member": 403, "outsider": 404, "customs": 404}),
    ("DELETE", "/sessions/{session}/screen", None, {"member": 403, "outsider": 404, "customs": 404}),
    ("PUT", "/sessions/{session}/outcome", {"agreements": []}, {"member": 403, "outsider": 404, "office": 401}),
    ("GET", "/sessions/{session}/outcome", None, {"outsider": 404, "customs": 404, "none": 401, "office": 401}),
]
CUSTOMS_ROLES = {f"{role}@douane": 404 for role in ("author", "reviewer", "publisher", "analyst", "admin")}
# A role without the right is 403 whatever the id (that reveals nothing);
# with the right but out of reach, the object does not exist: 404.
CUSTOMS_AUTHORS = {"author@douane": 404, "admin@douane": 404, "reviewer@douane": 403}
ADMIN = [
    ("DELETE", "/tokens/{token}", None, {"admin@douane": 404, "author@rijk": 403, "none": 401, "phone": 401}),
    ("GET", "/dilemmas/{draft}", None, {**CUSTOMS_ROLES, "none": 401, "phone": 401}),
    ("PATCH", "/dilemmas/{draft}", {"title": "Nieuw"}, {**CUSTOMS_AUTHORS, "reviewer@rijk": 403, "analyst@rijk": 403}),
    ("DELETE", "/dilemmas/{draft}", None, {**CUSTOMS_AUTHORS, "publisher@rijk": 403, "analyst@rijk": 403}),
    ("POST", "/dilemmas/{draft}/submit", None, {**CUSTOMS_AUTHORS, "reviewer@rijk": 403, "analyst@rijk": 403}),
    ("POST", "/dilemmas/{draft}/approve", None, {"reviewer@douane": 404, "author@rijk": 403, "analyst@rijk": 403}),
    (
        "POST",
        "/dilemmas/{draft}/request-changes",
        {"comment": "Graag anders."},
        {"reviewer@douane": 404, "author@rijk": 403, "publisher@rijk": 403},
    ),
    ("POST", "/dilemmas/{draft}/unschedule", None, {"publisher@douane": 404, "author@rijk": 403}),
    ("POST", "/dilemmas/{draft}/archive", None, {"publisher@douane": 404, "reviewer@rijk": 403}),
    (
        "POST",
        "/dilemmas/{draft}/schedule",
        {"week": "2027-W10"},
        {"publisher@douane": 404, "author@rijk": 403, "reviewer@rijk": 403},
    ),
    (
        "POST",
        "/dilemmas/{draft}/editions",
        {"week": "2027-W30"},
        {"publisher@douane": 404, "author@rijk": 403, "analyst@rijk": 403, "none": 401},
    ),
    ("GET", "/dilemmas/{draft}/revisions", None, {**CUSTOMS_ROLES, "none": 401}),
    ("GET", "/code/sections/D.1", None, {"none": 401, "phone": 401}),
    ("PUT", "/code/sections/4.1", {"text": "x" * 200}, {"author@douane": 404, "reviewer@rijk": 403}),
    ("PATCH", "/suggestions/{suggestion}", {"status": "used"}, {"author@douane": 404, "analyst@rijk": 403}),
    ("POST", "/suggestions/{suggestion}/draft", None, {"author@douane": 404, "analyst@rijk": 403}),
    ("GET", "/stats/dilemmas/{draft}", None, {"analyst@rijk": 404, "author@rijk": 403, "none": 401}),
    ("GET", "/stats/misperception", None, {"author@rijk": 403, "phone": 401, "none": 401}),
]


def call(client, world, prefix, method, template, body, caller):
    path = prefix + template.format(**world)
    if caller == "none":
        headers = {}
    elif caller == "phone":
        headers = world["phones"]["outsider"].headers
    elif caller == "office":
        headers = world["offices"][("admin", "rijk")].headers
    elif "@" in caller:
        role, organisation = caller.split("@")
        headers = world["offices"][(role, organisation)].headers
    else:
        headers = world["phones"][caller].headers
    return client.open(path, method=method, json=body, headers=headers)


def test_every_route_with_an_id_refuses_who_must_not_reach_it(client, world):
    checked = 0
    for prefix, table in (("/api/v1", APP), ("/api/v1/admin", ADMIN)):
        for method, template, body, expected in table:
            for caller, status in expected.items():
                response = call(client, world, prefix, method, template, body, caller)
                assert response.status_code == status, (method, template, caller, response.get_json())
                assert response.headers["Content-Type"] == "application/problem+json"
                checked += 1
    assert checked >= 80


def test_the_matrix_covers_every_route_with_an_id(client):
    spec = client.get("/openapi.json").get_json()
    covered = set()
    for prefix, table in (("/api/v1", APP), ("/api/v1/admin", ADMIN)):
        for method, template, _, _ in table:
            path = prefix + re.sub(r"\{(\w+)\}", "{x}", template)
            covered.add((method, re.sub(r"/(D\.1|4\.1)$", "/{x}", path)))
    for path, operations in spec["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                key = (method.upper(), re.sub(r"\{\w+\}", "{x}", path))
                assert key in covered, f"{key} is not in the authorization matrix"
