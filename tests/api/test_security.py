"""Security headers, the docs' strict CSP, CORS by origin list, request logs."""

import json
import logging

from api.platform.logs import JsonFormatter
from tests.factories import bank, register, schedule


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/healthz"), client.get("/api/v1/dilemmas/current"), client.get("/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert len(response.headers["X-Request-Id"]) >= 16
    assert client.get("/api/v1/dilemmas/current").headers["Cache-Control"] == "no-store"


def test_docs_run_without_inline_script_under_a_strict_policy(client):
    page = client.get("/docs")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    html = page.get_data(as_text=True)
    assert "<script>" not in html and 'src="/docs/init.js"' in html
    with client.get("/docs/init.js") as init:
        assert init.status_code == 200 and b"SwaggerUIBundle" in init.data


def test_cors_is_off_by_default_and_on_for_listed_origins(make_app):
    closed = make_app().test_client()
    assert (
        "Access-Control-Allow-Origin" not in closed.get("/healthz", headers={"Origin": "https://app.example"}).headers
    )
    opened = make_app(CORS_ORIGINS="https://app.example, https://admin.example").test_client()
    allowed = opened.get("/healthz", headers={"Origin": "https://admin.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://admin.example"
    assert "Origin" in allowed.headers["Vary"]
    preflight = opened.options(
        "/api/v1/installations",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204 and "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    other = opened.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_request_logs_are_json_without_tokens_or_options(client, session, caplog):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    with caplog.at_level(logging.INFO, logger="kompas"):
        phone.answer(dilemma.id, "C")
    records = [r for r in caplog.records if r.name == "kompas.requests"]
    assert records
    formatter = JsonFormatter()
    for record in records:
        line = formatter.format(record)
        entry = json.loads(line)
        assert entry["request_id"] and entry["status"] == 200 and entry["path"].endswith("/answer")
        assert phone.token not in line and '"C"' not in line and "option" not in line
