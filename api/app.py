"""The application factory: config -> database -> API -> blueprints ->
errors -> command line. Reads top to bottom."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from api import (
    admin,
    admin_content,
    admin_dilemmas,
    admin_push,
    admin_stats,
    auth,
    bodies,
    code,
    db,
    dilemmas,
    errors,
    idempotency,
    installations,
    limits,
    meeting_screen,
    metrics,
    office,
    openapi,
    ops,
    organisation,
    security,
    sessions,
    suggestions,
    teams,
)
from api import config as configuration
from api.auth import SECURITY_SCHEMES
from api.converters import BoundedInteger, schema_of
from api.ops import DOCS_STATIC

API_DESCRIPTION = """Kompas puts one integrity dilemma in front of every employee each week.
All errors are application/problem+json (RFC 9457)."""


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the app; ``config`` overrides environment settings (tests)."""
    app = Flask(__name__, instance_relative_config=False)
    app.url_map.converters["int"] = BoundedInteger
    # '//api/v1/...' is no path of ours: a 404 problem, not an HTML redirect.
    app.url_map.merge_slashes = False
    register_config(app, config)
    db.init_app(app)
    api = register_api(app)
    register_blueprints(app, api)
    errors.register(app)
    metrics.init_app(app)  # first: it times and counts every answer, the guards' too
    register_guards(app)
    security.configure_logging(json_logs=app.config["KOMPAS_ENV"] == "production")
    return app


def register_guards(app: Flask) -> None:
    """What runs before a view, in this order: request id and clock;
    authentication (a request without a valid token is 401 before anything
    else can answer); rate limits (on the authenticated caller); the strict
    JSON decoder (415, 400); idempotency (per authenticated caller). After
    a view the same hooks run in reverse."""
    security.init_app(app)
    app.before_request(auth.authenticate_first)
    limits.init_app(app)
    bodies.init_app(app)
    idempotency.init_app(app)


def register_config(app: Flask, overrides: Mapping[str, object] | None) -> None:
    app.config.update(configuration.load(overrides=overrides))
    app.config.update(
        API_TITLE="Kompas",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=DOCS_STATIC,
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
        PAGINATION_PAGE_SIZE=20,
        PAGINATION_MAX_PAGE_SIZE=100,
        JSON_SORT_KEYS=False,
        RATELIMIT_HEADERS_ENABLED=True,
    )


def register_api(app: Flask) -> errors.ProblemApi:
    api = errors.ProblemApi(app)
    api.register_converter(BoundedInteger, schema_of)
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    return api


def register_blueprints(app: Flask, api: errors.ProblemApi) -> None:
    for module in (
        installations,
        dilemmas,
        code,
        organisation,
        suggestions,
        teams,
        sessions,
        meeting_screen,
        admin,
        admin_dilemmas,
        admin_content,
        admin_stats,
        admin_push,
    ):
        api.register_blueprint(module.blp)
    app.register_blueprint(ops.blp)
    office.init_app(app)
    app.register_blueprint(meeting_screen.web)
    if openapi.written() is None:
        errors.document_errors(api)
    openapi.complete(api)
