"""Operations: liveness, readiness and the interactive docs' static files."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, current_app, jsonify, redirect, send_from_directory
from sqlalchemy import text

from dilemmas.storage import migrate

SWAGGER_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
DOCS_STATIC = "/docs/static/"

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz():
    """The process is up (no database involved)."""
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """The database is reachable and its schema is at the newest migration."""
    engine = current_app.extensions["kompas.engine"]
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = migrate.current(engine)
    except Exception:  # any failure to reach the database means "not ready"
        current_app.logger.warning("readyz: database unreachable")
        return jsonify(status="unavailable", database="unreachable"), 503
    expected = current_app.extensions.setdefault("kompas.head", migrate.head())
    if revision != expected:
        return jsonify(status="unavailable", database="reachable", migration=revision, expected=expected), 503
    return jsonify(status="ok", migration=revision)


@blp.get("/docs/init.js")
def docs_init():
    """Starts Swagger UI; a file, not inline script, for the strict CSP."""
    return send_from_directory(Path(__file__).resolve().parents[1] / "static", "docs-init.js", max_age=3600)


@blp.get(f"{DOCS_STATIC}<path:filename>")
def docs_static(filename: str):
    """Swagger UI's files, served from the installed package (no CDN)."""
    return send_from_directory(SWAGGER_DIST, filename, max_age=86400)


@blp.get("/api/v1/openapi.json")
def openapi_alias():
    return redirect("/openapi.json", code=308)


@blp.get("/api/v1/docs")
def docs_alias():
    return redirect("/docs", code=308)
