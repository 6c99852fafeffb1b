"""Headers every response carries, CORS by origin list, request ids and
structured request logs (never tokens, never answer options)."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

from api.platform.errors import request_id

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
CONSOLE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def policy_for(path: str) -> str:
    """The API allows nothing; the docs and the office console their own files."""
    if path.startswith("/docs"):
        return DOCS_POLICY
    if path.startswith(("/office/", "/static/office/")):
        return CONSOLE_POLICY
    return API_POLICY


ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, X-Request-Id"

log = logging.getLogger("kompas.requests")




def init_app(app: Flask) -> None:
    origins = app.extensions["kompas.settings"].cors_origins

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()
        request_id()

    @app.after_request
    def secure(response):
        headers = response.headers
        if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
            # Flask's automatic answer: the methods in Allow, and no body
            # (it would be labelled text/html).
            response.status_code = 204
            headers.pop("Content-Type", None)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        # A page may bring its own, stricter policy (the presenter screen).
        headers.setdefault("Content-Security-Policy", policy_for(request.path))
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["X-Request-Id"] = request_id()
        if "Cache-Control" not in headers and request.path.startswith("/api/"):
            headers["Cache-Control"] = "no-store"
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = "ETag, Retry-After, X-Pagination, X-Request-Id"
            if request.method == "OPTIONS":
                headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
                headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                headers["Access-Control-Max-Age"] = "600"
            headers.add("Vary", "Origin")
        return response

    @app.after_request
    def log_request(response):
        # The path is logged without its query; no header, body or token is.
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "request_id": request_id(),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                }
            },
        )
        return response


