"""The OpenAPI document, judged by tools we did not write: it validates
(openapi-spec-validator), Spectral's ``spectral:oas`` rules and Redocly's
``recommended`` ones find no error and no warning, and every operation and
field says what a client needs to know.
The generated client that runs the flows is in
tests/integration/test_generated_client.py."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from api.platform import openapi
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / ".tools" / "spectral" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / ".spectral.yaml"
REDOCLY = ROOT / ".tools" / "redocly" / "node_modules" / ".bin" / "redocly"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture
def document(client):
    return client.get("/openapi.json").get_json()


def each_operation(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_document_is_valid_openapi(document):
    try:
        validate(document)
    except OpenAPIValidationError as error:
        pytest.fail(f"openapi-spec-validator: {error}")


def test_spectral_finds_no_error_and_no_warning(document, tmp_path):
    if not SPECTRAL.exists():
        pytest.fail(f"Spectral is not installed at {SPECTRAL}: run `make test-tools` (it needs npm)")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    result = subprocess.run(
        [str(SPECTRAL), "lint", "--ruleset", str(RULESET), "--format", "json", "--quiet", str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Spectral prints [] when it finds nothing; severity 0 is an error, 1 a warning.
    findings = json.loads(result.stdout or "[]")
    serious = [
        f"{f['code']} at {'.'.join(map(str, f['path']))}: {f['message']}" for f in findings if f["severity"] <= 1
    ]
    assert not serious, "\n".join(serious)
    assert result.returncode == 0, result.stderr


def test_redocly_recommended_finds_no_error_and_no_warning(document, tmp_path):
    if not REDOCLY.exists():
        pytest.fail(f"Redocly is not installed at {REDOCLY}: run `make test-tools` (it needs npm)")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    result = subprocess.run(
        [str(REDOCLY), "lint", "--extends", "recommended", "--format", "json", str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        # No telemetry, no update check: the test talks to nobody.
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    findings = [f"{p['ruleId']} at {p['location'][0]['pointer']}: {p['message']}" for p in report["problems"]]
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, "\n".join(findings)


def test_every_operation_has_a_human_name_and_a_description(document):
    seen = {}
    for path, method, operation in each_operation(document):
        name = operation.get("operationId", "")
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", name), f"{method} {path}: name it in its @blp.operation"
        assert name not in seen, f"{name} names both {seen.get(name)} and {method} {path}"
        seen[name] = f"{method} {path}"
        assert operation.get("description", "").strip(), (method, path)
        assert operation.get("summary", "").strip(), (method, path)
    assert len(seen) == 75


def test_every_json_operation_declares_who_may_call_it(app):
    """An operation without ``@blp.operation`` would be public by omission:
    every method of every /api/ view says its scheme, None included."""
    undeclared = []
    for rule in app.url_map.iter_rules():
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        if not rule.rule.startswith("/api/") or view_class is None:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if not hasattr(getattr(view_class, method.lower()), "authentication"):
                undeclared.append(f"{method} {rule.rule}")
    assert not undeclared


def test_the_document_names_servers_contact_and_licence(document):
    assert document["servers"]
    assert document["info"]["contact"]["name"]
    assert document["info"]["license"]["name"] == "EUPL-1.2"


def typed(schema: dict) -> bool:
    return any(key in schema for key in ("type", "$ref", "allOf", "oneOf", "anyOf"))


def test_every_response_field_is_typed_and_says_whether_it_is_always_there(document):
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            assert typed(prop), f"{name}.{field} has no type"
            if "anyOf" in prop:
                # The one union allowed: "that object or null".
                assert len(prop["anyOf"]) == 2 and {"type": "null"} in prop["anyOf"], f"{name}.{field}"
            if "items" in prop:
                assert typed(prop["items"]), f"{name}.{field}[] has no type"
    responses = [
        response
        for _, _, operation in each_operation(document)
        for status, response in operation["responses"].items()
        if status.startswith("2") and "content" in response
    ]
    assert responses
    for response in responses:
        for media, content in response["content"].items():
            schema = content["schema"]
            assert typed(schema), media
            ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
            if ref:
                out = schemas[ref.rsplit("/", 1)[1]]
                assert set(out.get("required", [])) == set(out["properties"]), f"{ref}: which fields are always there?"


def test_the_csv_variants_are_documented_as_text(document):
    with_csv = ("/weeks", "/dilemmas/{dilemma_id}", "/awareness", "/grey-zones", "/misperception")
    stats = [
        (p, o) for p, m, o in each_operation(document) if p.startswith("/api/v1/admin/stats/") and p.endswith(with_csv)
    ]
    assert len(stats) == 5
    for path, operation in stats:
        content = operation["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string", path
        assert "$ref" in json.dumps(content["application/json"]["schema"]), path


def test_a_nullable_nested_object_is_that_object_or_null(document):
    consensus = document["components"]["schemas"]["SessionOut"]["properties"]["consensus"]
    assert consensus == {"anyOf": [{"$ref": "#/components/schemas/ConsensusOut"}, {"type": "null"}]}


def nullable_without_type(node, path="") -> list[str]:
    found = []
    if isinstance(node, dict):
        if "nullable" in node:
            found.append(path)
        for key, value in node.items():
            found += nullable_without_type(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += nullable_without_type(value, f"{path}/{index}")
    return found


def test_null_is_a_type_as_openapi_3_1_says(document):
    assert document["openapi"].startswith("3.1.")
    assert not nullable_without_type(document)


# Output fields whose values come from a closed set, by the names the
# schemas use for them: each must say the set (an enum).
CLOSED_SETS = {
    "key", "option", "my_answer", "my_vote", "answer", "mode", "reason", "scope", "state", "allowed",
    "allowed_actions", "role", "locale", "platform", "audience", "alignment", "status", "source", "kind",
    "strategy", "consensus",
}  # fmt: skip
OPEN_ENDED = {
    # Problem.state/allowed name a session's or a dilemma's, whichever refused.
    ("Problem", "state"), ("Problem", "allowed"),
    # Organisation slugs: the office adds organisations.
    ("MeOut", "scope"),
}  # fmt: skip


def enumerated(prop: dict) -> bool:
    inner = prop.get("items") or prop.get("additionalProperties") or prop
    if isinstance(inner, dict) and "anyOf" in inner:
        return all(enumerated(part) or part.get("type") == "null" for part in inner["anyOf"])
    return isinstance(inner, dict) and ("enum" in inner or "const" in inner)


def properties(name: str, node) -> list[tuple[str, str, dict]]:
    """Every (schema, field, property) under a component schema, inline
    objects and the items of inline lists included (named after the
    component they are in)."""
    found = []
    if isinstance(node, dict):
        for field, prop in (node.get("properties") or {}).items():
            found.append((name, field, prop))
        for key, value in node.items():
            if key != "properties":
                found += properties(name, value)
        for prop in (node.get("properties") or {}).values():
            found += properties(name, prop)
    elif isinstance(node, list):
        for value in node:
            found += properties(name, value)
    return found


def test_every_closed_set_output_field_lists_its_values(document):
    schemas = document["components"]["schemas"]
    walked = [
        (name, field, prop)
        for name, schema in schemas.items()
        if not name.endswith(("In", "Patch", "Query"))
        for name, field, prop in properties(name, schema)
    ]
    missing = sorted({
        f"{name}.{field}"
        for name, field, prop in walked
        if field in CLOSED_SETS and (name, field) not in OPEN_ENDED and "$ref" not in json.dumps(prop)
        and prop.get("type") != "integer"
        and not enumerated(prop)
    })  # fmt: skip
    assert not missing
    # The office's operations are walked too: their statistics and campaigns.
    assert {("WeekStatsOut", "reason"), ("CampaignOut", "state"), ("ScopeSpreadOut", "reason")} <= {
        (name, field) for name, field, _ in walked
    }
    session = schemas["SessionOut"]["properties"]
    assert session["state"]["enum"] == ["open", "revealed", "revoting", "closed"]
    assert session["my_vote"]["enum"] == ["A", "B", "C", "D", None]
    assert schemas["WeekStatsOut"]["properties"]["reason"]["enum"] == ["too_few_answers", "week_open", None]


def reasons_raised() -> set[str]:
    """Every ``reason`` a domain error is raised with, as written in the code."""
    found = set()
    for path in (ROOT / "dilemmas").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "Conflict", "NotFound", "Forbidden", "Unauthorized", "DomainError", "Invalid",
            }:  # fmt: skip
                for keyword in node.keywords:
                    if keyword.arg == "reason":
                        assert isinstance(keyword.value, ast.Constant), f"{path}: a reason that is not a literal"
                        found.add(keyword.value.value)
    return found


def test_every_reason_a_problem_carries_is_in_its_enum(document):
    declared = document["components"]["schemas"]["Problem"]["properties"]["reason"]["enum"]
    raised = reasons_raised()
    assert {"week_open", "options_frozen"} <= raised
    assert raised <= set(declared)


def test_the_statistics_send_only_reasons_of_their_enum(client, session):
    from tests.factories import bank, office, schedule

    dilemma = schedule(session, bank(session)[0], "2026-W50")
    analyst = office(client, session, "analyst")
    document = client.get("/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    week_reasons = set(schemas["WeekStatsOut"]["properties"]["reason"]["enum"])
    spread_reasons = set(schemas["ScopeSpreadOut"]["properties"]["reason"]["enum"])
    difficulty_reasons = set(schemas["DifficultyOut"]["properties"]["reason"]["enum"])
    weeks = analyst.get("/stats/weeks").get_json()
    assert {row["reason"] for row in weeks} <= week_reasons and any(row["reason"] for row in weeks)
    one = analyst.get(f"/stats/dilemmas/{dilemma.id}").get_json()
    assert {spread["reason"] for spread in one["spreads"] + one["by_mode"]} <= spread_reasons
    assert one["difficulty"]["reason"] in difficulty_reasons and one["spreads"][0]["reason"] == "week_open"
    awareness = analyst.get("/stats/awareness").get_json()
    awareness_reasons = set(schemas["AwarenessWeekOut"]["properties"]["reason"]["enum"])
    assert {w["reason"] for c in awareness["chapters"] for w in c["weeks"]} <= awareness_reasons


def test_responses_are_open_to_fields_added_later(document):
    schemas = document["components"]["schemas"]
    pending = re.findall(r'"#/components/schemas/(\w+)"', json.dumps(
        [r for _, _, o in each_operation(document) for s, r in o["responses"].items() if s[0] == "2"]
    ))  # fmt: skip
    seen = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending += re.findall(r'"#/components/schemas/(\w+)"', json.dumps(schemas[name]))
    assert {"SessionOut", "ConsensusOut", "Contact", "DilemmaOut"} <= seen
    assert not [name for name in seen if schemas[name].get("additionalProperties") is False]


def problem_members_raised() -> set[str]:
    """Every keyword a domain error is raised with (``Conflict(detail,
    votes=...)``): the members a problem can carry."""
    members = set()
    for path in (ROOT / "dilemmas").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "Conflict", "NotFound", "Forbidden", "Unauthorized", "DomainError",
            }:  # fmt: skip
                # ``cause`` is the type, not a member.
                members |= {keyword.arg for keyword in node.keywords if keyword.arg not in (None, "cause")}
    return members


def test_every_member_of_every_problem_is_declared(document):
    raised = problem_members_raised()
    assert {"votes", "needed", "answer", "state", "allowed"} <= raised
    assert raised <= set(document["components"]["schemas"]["Problem"]["properties"])


def test_public_operations_say_so_and_bodies_may_be_refused(document):
    for path, method, operation in each_operation(document):
        assert "security" in operation, (method, path)
        responses = operation["responses"]
        assert "503" in responses, (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert "415" in responses, (method, path)
    registration = document["paths"]["/api/v1/installations"]["post"]
    assert registration["security"] == []


def test_every_header_a_client_meets_is_declared(document):
    paths = document["paths"]
    answer = paths["/api/v1/dilemmas/{dilemma_id}/answer"]["put"]["responses"]
    assert {"X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(answer["200"]["headers"])
    assert {"Retry-After", "X-RateLimit-Remaining"} <= set(answer["429"]["headers"])
    current = paths["/api/v1/dilemmas/current"]["get"]
    assert "If-None-Match" in {p["name"] for p in current["parameters"]}
    assert {"ETag", "Cache-Control"} <= set(current["responses"]["200"]["headers"])
    session = paths["/api/v1/sessions/{session_id}"]["get"]
    assert "If-None-Match" in {p["name"] for p in session["parameters"]}
    team = paths["/api/v1/teams"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in team["parameters"]}
    assert "Idempotent-Replayed" in team["responses"]["201"]["headers"]
    assert "Retry-After" in team["responses"]["409"]["headers"]
    registration = paths["/api/v1/installations"]["post"]
    assert "Idempotency-Key" not in {p["name"] for p in registration.get("parameters", [])}
    # Declared beside an operation's own parameters, never instead of them.
    archive = {p["name"] for p in paths["/api/v1/dilemmas"]["get"]["parameters"]}
    assert {"category", "answered", "page", "page_size", "If-None-Match"} <= archive
    assert "Link" in paths["/api/v1/dilemmas"]["get"]["responses"]["200"]["headers"]


def test_a_later_app_serves_the_document_a_fresh_process_writes(make_app, database_url, tmp_path):
    """A process writes the document with its first app and every later app
    serves that one (api/platform/openapi.py): byte for byte what a process that
    builds a single app writes, and every view still answers."""
    make_app()  # so that the app below is not this process's first
    app = make_app()
    assert openapi.written() is not None
    served = app.test_client().get("/openapi.json").get_data(as_text=True)
    fresh = subprocess.run(
        [sys.executable, "-c", FRESH_DOCUMENT],
        env={**os.environ, "DATABASE_URL": database_url, "KOMPAS_SECRET_KEY": SECRET, "KOMPAS_ENV": "test"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fresh.returncode == 0, fresh.stderr
    assert served == fresh.stdout
    unknown = app.test_client().get("/api/v1/dilemmas/current")  # a view of a blueprint registered without its doc
    assert unknown.status_code == 401 and unknown.mimetype == "application/problem+json"


FRESH_DOCUMENT = """
import sys
from api.app import create_app
sys.stdout.write(create_app().test_client().get("/openapi.json").get_data(as_text=True))
"""
