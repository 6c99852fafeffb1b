"""The OpenAPI document, judged by tools we did not write: it validates
(openapi-spec-validator), Spectral's ``spectral:oas`` rules find no error and
no warning, and every operation and field says what a client needs to know.
The generated client that runs the flows is in
tests/integration/test_generated_client.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from api import openapi
from api.openapi import OPERATION_IDS
from tests.conftest import SECRET

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
        name = operation.get("operationId")
        assert OPERATION_IDS.get((method, path)) == name, f"{method} {path}: name it in api/openapi.py OPERATION_IDS"
        assert name not in seen, f"{name} names both {seen.get(name)} and {method} {path}"
        seen[name] = f"{method} {path}"
        assert operation.get("description", "").strip(), (method, path)
        assert operation.get("summary", "").strip(), (method, path)
    assert len(seen) == len(OPERATION_IDS)


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


def test_a_later_app_serves_the_document_a_fresh_process_writes(make_app, database_url, tmp_path):
    """A process writes the document with its first app and every later app
    serves that one (api/openapi.py): byte for byte what a process that
    builds a single app writes, and every view still answers."""
    make_app()  # so that the app below is not this process's first
    app = make_app()
    assert app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec is openapi.written()
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
