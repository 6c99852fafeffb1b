"""Issue 15, as an attacker and a strict HTTP client would try it: bodies
that used to be a 500, limits that did not hold, validation and limits that
answered before authentication, and the smaller points. Each case is
problem+json with a 4xx and changes nothing."""

import json

import pytest
from sqlalchemy import func, select

from dilemmas.model.code import CodeSection
from dilemmas.model.content import Revision
from dilemmas.model.suggestions import Suggestion
from tests.factories import bank, new_dilemma_body, office, register, schedule

PROBLEM = "application/problem+json"
SUGGESTION = "Een collega vraagt of ik zijn dienst wil ruilen tegen een cadeaubon."


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def raw(client, method, path, data, headers=None, content_type="application/json"):
    return client.open(path, method=method, data=data, content_type=content_type, headers=headers or {})


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def phone(client, session):
    schedule(session, bank(session)[0], "2026-W50")
    return register(client)


@pytest.fixture
def author(client, session):
    return office(client, session, "author", name="Anna Auteur")


# -- bodies that used to be a 500 ----------------------------------------------------------------------------


def test_deep_nesting_is_400_not_a_recursion_error(phone, session):
    body = b"[" * 1000 + b"]" * 1000
    assert_problem(raw(phone.client, "POST", "/api/v1/suggestions", body, phone.headers), 400)
    deep = b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}"
    assert (
        "genest" in assert_problem(raw(phone.client, "POST", "/api/v1/suggestions", deep, phone.headers), 400)["detail"]
    )
    assert count(session, Suggestion) == 0


def test_a_5000_digit_number_is_400(phone, session):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    body = b'{"option": "A", "difficulty": ' + b"9" * 5000 + b"}"
    assert_problem(raw(phone.client, "PUT", f"/api/v1/dilemmas/{dilemma}/answer", body, phone.headers), 400)
    big = b'{"option": "A", "difficulty": 1e999}'
    assert_problem(raw(phone.client, "PUT", f"/api/v1/dilemmas/{dilemma}/answer", big, phone.headers), 400)
    assert phone.get(f"/dilemmas/{dilemma}").get_json()["my_answer"] is None


LONE_SURROGATE = '"\\ud800 tekst die lang genoeg is voor een suggestie"'


def test_a_lone_surrogate_is_400_on_every_text_field_that_stores_it(client, session, phone, author):
    def body(**fields):
        return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}").encode()

    assert_problem(raw(client, "POST", "/api/v1/suggestions", body(text=LONE_SURROGATE), phone.headers), 400)
    assert_problem(
        raw(
            client,
            "PUT",
            "/api/v1/installations/me/push-token",
            body(token=LONE_SURROGATE, platform='"android"'),
            phone.headers,
        ),
        400,
    )
    dilemma = json.dumps(new_dilemma_body()).replace('"title": "', '"title": "\\udfff', 1).encode()
    assert_problem(raw(client, "POST", "/api/v1/admin/dilemmas", dilemma, author.headers), 400)
    ref = session.scalar(select(CodeSection.ref))
    assert_problem(
        raw(client, "PUT", f"/api/v1/admin/code/sections/{ref}", body(text=LONE_SURROGATE), author.headers), 400
    )
    # A key is text too.
    assert_problem(raw(client, "POST", "/api/v1/suggestions", b'{"\\ud800": 1}', phone.headers), 400)
    assert count(session, Suggestion) == 0
    assert phone.get("/installations/me").get_json()["push_token"] is False


def test_invalid_utf8_nan_infinity_and_duplicate_keys_are_400(phone, session):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    path = f"/api/v1/dilemmas/{dilemma}/answer"
    for body in (
        b'{"option": "A", "difficulty": NaN}',
        b'{"option": "A", "difficulty": Infinity}',
        b'{"option": "A", "difficulty": -Infinity}',
        b'{"option": "A", "option": "B"}',
        b'{"option": "\xff"}',
        b'{"option": "A"',
    ):
        assert_problem(raw(phone.client, "PUT", path, body, phone.headers), 400)
    assert (
        "meer dan eens"
        in raw(phone.client, "PUT", path, b'{"option": "A", "option": "B"}', phone.headers).get_json()["detail"]
    )
    assert phone.get(f"/dilemmas/{dilemma}").get_json()["my_answer"] is None


def test_a_body_that_is_not_json_is_415(phone, session):
    plain = raw(
        phone.client, "POST", "/api/v1/suggestions", json.dumps({"text": SUGGESTION}), phone.headers, "text/plain"
    )
    assert_problem(plain, 415)
    form = phone.client.post("/api/v1/suggestions", data={"text": SUGGESTION}, headers=phone.headers)
    assert_problem(form, 415)
    assert count(session, Suggestion) == 0
    # application/*+json is JSON.
    merge = raw(
        phone.client,
        "POST",
        "/api/v1/suggestions",
        json.dumps({"text": SUGGESTION}),
        phone.headers,
        "application/merge-patch+json",
    )
    assert merge.status_code == 201


def test_numbers_and_booleans_are_what_json_says(phone, session):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    for difficulty in (4.9, "4", True):
        refused = phone.answer(dilemma, "A", difficulty=difficulty)
        assert_problem(refused, 422)
        assert "difficulty" in refused.get_json()["errors"]
    assert phone.get(f"/dilemmas/{dilemma}").get_json()["my_answer"] is None
    assert phone.answer(dilemma, "A", difficulty=4.0).status_code == 200  # 4.0 is the number 4
    assert phone.get(f"/dilemmas/{dilemma}/results").get_json()["difficulty"] == 4
    assert_problem(phone.patch("/installations/me", {"notifications": {"weekly": "true"}}), 422)
    assert_problem(phone.patch("/installations/me", {"notifications": {"weekly": 1}}), 422)
    assert (
        phone.patch("/installations/me", {"notifications": {"weekly": False}}).get_json()["notifications"]["weekly"]
        is False
    )


# -- authentication first ------------------------------------------------------------------------------------


def test_no_token_is_401_before_the_body_is_looked_at(client, phone):
    dilemma = phone.get("/dilemmas/current").get_json()["id"]
    for method, path, body in (
        ("POST", "/api/v1/suggestions", b"[" * 1000),
        ("POST", "/api/v1/suggestions", b"{}"),
        ("PUT", f"/api/v1/dilemmas/{dilemma}/answer", b'{"option": "Z"}'),
        ("POST", "/api/v1/teams", b"not json"),
        ("POST", "/api/v1/admin/dilemmas", b'{"title": 1}'),
        ("PATCH", "/api/v1/installations/me", b'{"a": 1, "a": 2}'),
    ):
        assert_problem(raw(client, method, path, body), 401)
        assert_problem(raw(client, method, path, body, {"Authorization": "Bearer not-a-token"}), 401)
    assert_problem(raw(client, "POST", "/api/v1/teams", b"a=b", content_type="text/plain"), 401)
    # A query too.
    assert_problem(client.get("/api/v1/dilemmas?answered=perhaps"), 401)
    assert_problem(client.get("/api/v1/admin/audit?since=yesterday"), 401)


def test_no_token_is_401_not_429_and_retry_after_only_when_waiting(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    phone = register(client)
    assert "Retry-After" not in client.post("/api/v1/installations", json={"platform": "ios"}).headers
    for _ in range(10):
        wrong = phone.post("/teams/join", {"invite_code": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 404 and "Retry-After" not in wrong.headers
    assert_problem(phone.post("/teams/join", {"invite_code": "AAAA-BBBB-CCCC"}), 429)
    limited = client.post("/api/v1/teams/join", json={"invite_code": "AAAA-BBBB-CCCC"})
    assert_problem(limited, 401)
    assert "Retry-After" not in limited.headers
    ok = phone.get("/teams")
    assert ok.status_code == 200 and "Retry-After" not in ok.headers


# -- limits keyed on who is asking ---------------------------------------------------------------------------


def test_the_spelling_of_the_authorization_header_buys_no_allowance(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    phone = register(client)
    spellings = [f"Bearer {phone.token}", f"bearer {phone.token}", f"BEARER {phone.token}", f"Bearer  {phone.token}"]
    statuses = [
        client.post(
            "/api/v1/suggestions", json={"text": SUGGESTION}, headers={"Authorization": spellings[i % 4]}
        ).status_code
        for i in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    # Another installation behind the same address has its own allowance.
    assert register(client).post("/suggestions", {"text": SUGGESTION}).status_code == 201


def registrations(client, address, forwarded=None, times=1):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return [
        client.post(
            "/api/v1/installations", json={"platform": "web"}, headers=headers, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for _ in range(times)
    ]


def test_behind_trusted_proxies_each_client_has_its_own_bucket(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true", KOMPAS_TRUSTED_PROXIES="1").test_client()
    assert registrations(client, "10.0.0.1", "198.51.100.7", 31) == [201] * 30 + [429]
    # Another client behind the same load balancer is not locked out.
    assert registrations(client, "10.0.0.1", "198.51.100.8") == [201]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    assert registrations(client, "192.0.2.1", None, 30) == [201] * 30
    assert registrations(client, "192.0.2.1", "198.51.100.9") == [429]


def test_ipv6_addresses_count_per_64(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true").test_client()
    statuses = [registrations(client, f"2001:db8:1:2::{i:x}")[0] for i in range(1, 32)]
    assert statuses == [201] * 30 + [429]
    assert registrations(client, "2001:db8:1:2:ffff:ffff:ffff:ffff") == [429]
    assert registrations(client, "2001:db8:1:3::1") == [201]  # the next /64


# -- the smaller points --------------------------------------------------------------------------------------


def test_options_and_double_slash_paths_answer_problem_json_or_nothing(client, phone):
    options = client.options("/api/v1/dilemmas/current")
    assert options.status_code == 204 and not options.get_data()
    assert "GET" in options.headers["Allow"]
    assert "text/html" not in options.headers.get("Content-Type", "")
    for path in ("//api/v1/dilemmas/current", "/api/v1//dilemmas/current", "//"):
        response = client.get(path, headers=phone.headers)
        assert response.headers["Content-Type"] in (PROBLEM, "application/json"), path
        assert response.status_code < 500


def test_drafting_from_a_suggestion_says_403_for_any_id_to_a_role_that_may_not(client, session, phone):
    phone.post("/suggestions", {"text": SUGGESTION})
    existing = session.scalar(select(Suggestion.id))
    reviewer = office(client, session, "reviewer")
    assert_problem(reviewer.post(f"/suggestions/{existing}/draft"), 403)
    assert_problem(reviewer.post(f"/suggestions/{existing + 1000}/draft"), 403)
    author = office(client, session, "author")
    assert_problem(author.post(f"/suggestions/{existing + 1000}/draft"), 404)
    assert author.post(f"/suggestions/{existing}/draft").status_code == 201


def test_a_patch_that_changes_nothing_keeps_the_revision_and_the_approval(client, session, author):
    reviewer = office(client, session, "reviewer")
    created = author.post("/dilemmas", new_dilemma_body()).get_json()
    path = f"/dilemmas/{created['id']}"
    author.post(f"{path}/submit")
    assert reviewer.post(f"{path}/approve").get_json()["status"] == "approved"
    same = author.patch(path, {"title": created["title"], "options": new_dilemma_body()["options"]})
    assert same.status_code == 200
    assert same.get_json()["status"] == "approved" and same.get_json()["revision"]["number"] == 1
    assert session.scalar(select(func.count()).select_from(Revision).where(Revision.dilemma_id == created["id"])) == 1


EDITABLE = ("category", "audience", "title", "situation", "explanation", "options", "code_refs")


def test_what_get_returns_patch_takes_back(client, session, author):
    created = author.post("/dilemmas", new_dilemma_body()).get_json()
    path = f"/dilemmas/{created['id']}"
    read = author.get(path).get_json()
    assert read["options"][0]["key"] == "A"
    back = author.patch(path, {name: read[name] for name in EDITABLE})
    assert back.status_code == 200, back.get_json()
    assert back.get_json()["revision"]["number"] == 1  # nothing changed
    changed = {name: read[name] for name in EDITABLE}
    changed["options"][3] = {**changed["options"][3], "text": "Je belt eerst de leverancier."}
    assert author.patch(path, changed).get_json()["revision"]["number"] == 2
    swapped = {name: read[name] for name in EDITABLE}
    swapped["options"] = [read["options"][1], read["options"][0], *read["options"][2:]]  # B, A, C, D: by key
    assert author.patch(path, swapped).get_json()["revision"]["number"] == 2  # the same as before
    unkeyed = {name: read[name] for name in EDITABLE}
    unkeyed["options"] = [
        {"text": o["text"]} if i == 0 else o
        for i, o in enumerate([read["options"][1], read["options"][0], *read["options"][2:]])
    ]
    reordered = author.patch(path, unkeyed).get_json()
    assert reordered["revision"]["number"] == 3
    assert [o["text"] for o in reordered["options"]][:2] == [read["options"][1]["text"], read["options"][0]["text"]]


def test_every_integer_in_a_request_body_has_a_range(client):
    """What the decoder lets through (up to 64 digits), a schema's range
    refuses per field: the OpenAPI document says so for every integer."""
    spec = client.get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]

    def integers(schema, seen):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from integers(schemas[name], seen | {name})
            return
        if schema.get("type") == "integer" or "integer" in (schema.get("type") or []):
            yield schema
        for inner in (schema.get("properties") or {}).values():
            yield from integers(inner, seen)
        if "items" in schema:
            yield from integers(schema["items"], seen)

    found = 0
    for operations in spec["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            for schema in integers(body["schema"], frozenset()) if body else ():
                found += 1
                assert "minimum" in schema and "maximum" in schema, schema
    assert found >= 4


def test_behind_trusted_proxies_one_guesser_does_not_lock_out_the_room(make_app, session):
    client = make_app(RATELIMIT_ENABLED="true", KOMPAS_TRUSTED_PROXIES="1").test_client()
    lead, guesser = register(client), register(client)
    invite = lead.post("/teams", {"name": "Team Noord"}).get_json()["invite_code"]

    def join(phone, code, client_address):
        return client.post(
            "/api/v1/teams/join",
            json={"invite_code": code},
            headers={**phone.headers, "X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the load balancer
        ).status_code

    assert [join(guesser, "AAAA-BBBB-CCCC", "198.51.100.66") for _ in range(11)] == [404] * 10 + [429]
    assert join(register(client), invite, "198.51.100.7") == 200
