"""The admin API's contract: unknown fields are refused, every 4xx is documented."""

import re

import pytest

from tests.factories import office

ADMIN_PREFIX = "/api/v1/admin"


def admin_operations(client):
    spec = client.get("/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if not path.startswith(ADMIN_PREFIX):
            continue
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def concrete(path):
    return re.sub(r"\{ref\}", "4.1", re.sub(r"\{[a-z_]+\}", "1", path))


def test_every_admin_body_refuses_unknown_fields(client, session):
    admin = office(client, session, "admin")
    checked = 0
    for path, method, operation in admin_operations(client):
        if "requestBody" not in operation:
            continue
        response = client.open(concrete(path), method=method.upper(), json={"zzz_unknown": 1}, headers=admin.headers)
        assert response.status_code == 422, (method, path, response.get_json())
        assert "zzz_unknown" in response.get_json()["errors"], (method, path)
        checked += 1
    assert checked >= 12


def test_every_admin_operation_documents_its_errors(client):
    operations = list(admin_operations(client))
    assert len(operations) >= 25
    for path, method, operation in operations:
        documented = set(operation["responses"])
        assert "401" in documented, (method, path)
        if "{" in path:
            assert "404" in documented, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= documented, (method, path)
        if method != "get" and path not in (f"{ADMIN_PREFIX}/me",):
            assert "403" in documented, (method, path)
        for status, response in operation["responses"].items():
            if status.startswith("4") and "$ref" not in response:
                assert "application/problem+json" in response["content"], (method, path, status)


@pytest.mark.parametrize("role", ["author", "reviewer", "publisher", "analyst"])
def test_roles_below_admin_cannot_mint_or_read_tokens(client, session, role):
    person = office(client, session, role)
    assert person.get("/tokens").status_code == 403
    assert person.post("/tokens", {"name": "X", "role": "author"}).status_code == 403
    assert person.get("/me").status_code == 200
