"""The application factory: config -> database -> API -> blueprints ->
errors -> command line. Reads top to bottom."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from api import console
from api.employee import (
    code_of_conduct,
    deliberation,
    dilemmas,
    installations,
    meetings,
    organisation,
    suggestions,
    teams,
)
from api.office import access, content, push, statistics
from api.office import dilemmas as office_dilemmas
from api.platform import (
    auth,
    bodies,
    compression,
    db,
    errors,
    idempotency,
    language,
    limits,
    logs,
    metrics,
    openapi,
    ops,
    problems,
    security,
    versions,
)
from api.platform.auth import SECURITY_SCHEMES
from api.platform.converters import BoundedInteger, schema_of
from api.platform.ops import DOCS_STATIC
from api.platform.settings import Settings, declarations
from api.screen import join
from api.screen import pages as screen

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
    compression.init_app(app)  # before metrics: its after_request runs last, on the final body
    metrics.init_app(app)  # first: it times and counts every answer, the guards' too
    register_guards(app)
    logs.configure_logging(json_logs=app.extensions["kompas.settings"].production)
    return app


def register_guards(app: Flask) -> None:
    """What runs before a view, in this order: request id and clock;
    authentication (a request without a valid token is 401 before anything
    else can answer); rate limits (on the authenticated caller); the strict
    JSON decoder (415, 400); idempotency (per authenticated caller). After
    a view the same hooks run in reverse."""
    security.init_app(app)
    language.init_app(app)
    versions.init_app(app)
    app.before_request(auth.authenticate_first)
    limits.init_app(app)
    bodies.init_app(app)
    idempotency.init_app(app)


def register_config(app: Flask, overrides: Mapping[str, object] | None) -> None:
    """The settings from the environment, ``overrides`` (tests) in place of
    environment values; other keys of ``overrides`` are Flask's own."""
    overrides = dict(overrides or {})
    settings = Settings.load(overrides=overrides)
    app.extensions["kompas.settings"] = settings
    app.config.update(settings.flask_config())
    app.config.update(
        API_TITLE="Kompas",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
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
    declared = {declared.metadata["env"] for declared in declarations()} | {"INSTANCE_PATH"}
    app.config.update({key: value for key, value in overrides.items() if key not in declared})


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
        code_of_conduct,
        organisation,
        suggestions,
        teams,
        meetings,
        deliberation,
        access,
        office_dilemmas,
        content,
        statistics,
        push,
    ):
        api.register_blueprint(module.blp)
    app.register_blueprint(ops.blp)
    app.register_blueprint(problems.blp)
    console.init_app(app)
    app.register_blueprint(screen.web)
    app.register_blueprint(join.web)
    app.register_blueprint(join.links)
    # The join code never reaches a log: out of the path before anything sees it.
    app.wsgi_app = join.CodeOutOfPath(app.wsgi_app)
    if openapi.written() is None:
        errors.document_errors(api)
    openapi.complete(api)
