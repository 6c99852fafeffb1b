"""The OpenAPI document, judged by tools we did not write: it validates
(openapi-spec-validator), Spectral's ``spectral:oas`` rules find no error and
no warning, and every operation and field says what a client needs to know.
The generated client that runs the flows is in
tests/integration/test_generated_client.py."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

ROOT = Path(__file__).resolve().parents[2]
SPECTRAL = ROOT / ".tools" / "spectral" / "node_modules" / ".bin" / "spectral"
RULESET = ROOT / ".spectral.yaml"
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


def test_every_operation_has_a_human_name_and_a_description(document):
    seen = {}
    for path, method, operation in each_operation(document):
        name = operation.get("operationId", "")
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)+", name), f"{method} {path}: name it in its @blp.operation"
        assert name not in seen, f"{name} names both {seen.get(name)} and {method} {path}"
        seen[name] = f"{method} {path}"
        assert operation.get("description", "").strip(), (method, path)
        assert operation.get("summary", "").strip(), (method, path)
    assert len(seen) == 72


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
            assert "anyOf" not in prop, f"{name}.{field}: 'any object or ...' makes clients untyped"
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
    with_csv = ("/weeks", "/dilemmas/{dilemma_id}", "/awareness", "/grey-zones")
    stats = [
        (p, o) for p, m, o in each_operation(document) if p.startswith("/api/v1/admin/stats/") and p.endswith(with_csv)
    ]
    assert len(stats) == 4
    for path, operation in stats:
        content = operation["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string", path
        assert "$ref" in json.dumps(content["application/json"]["schema"]), path


def test_a_nullable_nested_object_is_that_object_or_null(document):
    consensus = document["components"]["schemas"]["SessionOut"]["properties"]["consensus"]
    assert consensus == {"allOf": [{"$ref": "#/components/schemas/ConsensusOut"}], "nullable": True}
