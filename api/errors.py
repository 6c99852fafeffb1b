"""Every error as application/problem+json (RFC 9457), in one place.

Domain errors map to status codes here; HTTP errors (from Werkzeug, webargs
and flask-smorest) keep theirs; anything unexpected is a 500 that leaks
nothing but a request id. Titles are Dutch: the app shows them."""

from __future__ import annotations

import logging
import uuid

import marshmallow as ma
from flask import Flask, Response, g, json, request
from flask_smorest import Api
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from api import openapi
from dilemmas.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized

log = logging.getLogger("kompas.errors")

PROBLEM_TYPES = {
    400: ("bad-request", "Ongeldig verzoek"),
    401: ("unauthorized", "Niet aangemeld"),
    403: ("forbidden", "Geen toegang"),
    404: ("not-found", "Niet gevonden"),
    405: ("method-not-allowed", "Methode niet toegestaan"),
    406: ("not-acceptable", "Formaat niet beschikbaar"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Verzoek te groot"),
    415: ("unsupported-media-type", "Verkeerd formaat"),
    422: ("validation", "Ongeldige invoer"),
    428: ("precondition-required", "Voorwaarde vereist"),
    429: ("too-many-requests", "Te veel verzoeken"),
    500: ("internal", "Er ging iets mis"),
    503: ("unavailable", "Tijdelijk niet beschikbaar"),
}
DOMAIN_STATUS = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Unauthorized: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
}


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: documents every error response. Extension
    members (e.g. a refused transition's ``allowed``) may follow."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"description": "URI reference of the problem type"})
    title = ma.fields.String(metadata={"description": "Short summary (Dutch)"})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong in this case"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    request_id = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per field (422)"},
    )
    state = ma.fields.String(metadata={"description": "A live session's state, when a transition is refused (409)"})
    allowed = ma.fields.List(
        ma.fields.String(), metadata={"description": "The transitions a live session allows now (409)"}
    )


STANDARD_MEMBERS = frozenset(("type", "title", "status", "detail", "instance", "request_id", "errors"))


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
    return g.request_id


def problem(
    status: int, detail: str | None = None, errors: dict | None = None, headers: dict | None = None, **extra
) -> Response:
    slug, title = PROBLEM_TYPES.get(status, ("error", "Fout"))
    body = {"type": f"/problems/{slug}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body["request_id"] = request_id()
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> dict[str, list[str]]:
    """webargs nests messages by location and by field; the app wants one
    list of messages per field (``options.2.text``)."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix.replace("_schema", "_body") or "_body", []).extend(value)
        else:
            flat.setdefault(prefix or "_body", []).append(str(value))

    if isinstance(messages, dict):
        for location, fields in messages.items():
            walk("" if location in ("json", "query", "form", "headers", "view_args") else location, fields)
    else:
        walk("", messages)
    return flat


class ProblemApi(Api):
    """flask-smorest's Api, with problem+json errors in the spec and on the wire."""

    ERROR_SCHEMA = ProblemSchema

    def register_blueprint(self, blp, **options):
        """flask-smorest's, without documenting the views again once this
        process has written the document (``openapi.complete``)."""
        if openapi.written() is None:
            super().register_blueprint(blp, **options)
            return
        self._app.extensions["flask-smorest"]["blp_name_to_api"][options.get("name", blp.name)] = self
        self._app.register_blueprint(blp, **options)

    def handle_http_exception(self, error: HTTPException):
        return http_problem(error)


def detail_is_default(error: HTTPException) -> bool:
    return error.description == type(error).description


def http_problem(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    status = error.code or 500
    if status == 405:
        # flask-smorest's handler drops Werkzeug's Allow header; keep it.
        allowed = getattr(error, "valid_methods", None) or []
        if allowed:
            headers["Allow"] = ", ".join(sorted(allowed))
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="kompas"')
    if status == 404 and detail_is_default(error):
        data = {**data, "message": "Deze URL bestaat niet."}
    if status == 405 and detail_is_default(error):
        data = {**data, "message": "Deze methode kan hier niet."}
    if status == 413:
        data = {**data, "message": "Het verzoek is groter dan toegestaan."}
    errors = _flatten(data["messages"]) if "messages" in data else data.get("errors")
    detail = data.get("message")
    if detail is None and status == 400 and errors:
        detail = "De inhoud van het verzoek is geen geldige JSON."
    if detail is None and status == 422:
        detail = "Een of meer velden zijn niet in orde."
    if detail is None and status != 500:
        detail = error.description
    if status >= 500:
        detail = "Probeer het later opnieuw."
    return problem(status, detail, errors, headers)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        status = next((code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind)), 400)
        errors = getattr(error, "errors", None)
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="kompas"'
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.retry_after)
        # Extra members say what the app can do next (e.g. a session's
        # allowed transitions); they never replace the standard ones.
        extra = {key: value for key, value in error.extra.items() if key not in STANDARD_MEMBERS}
        return problem(status, error.detail, errors, headers, **extra)

    @app.errorhandler(DataError)
    def out_of_range(error: DataError):
        # A value the schemas let through but the database cannot hold.
        log.warning("database refused a value (request %s): %s", request_id(), type(error.orig).__name__)
        return problem(422, "Een waarde valt buiten het bereik dat Kompas kan opslaan.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_unavailable(error: DBAPIError):
        if (
            isinstance(error, DBAPIError)
            and not isinstance(error, OperationalError)
            and not error.connection_invalidated
        ):
            return unexpected(error)
        log.warning("database unavailable (request %s): %s", request_id(), type(error.orig).__name__)
        return problem(
            503, "De database is even niet bereikbaar. Probeer het zo opnieuw.", headers={"Retry-After": "5"}
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_problem(error)
        log.exception("unexpected error (request %s)", request_id())
        return problem(500, "Probeer het later opnieuw.")


def document_errors(api: Api) -> None:
    """Make the spec say what the wire says: every error response is
    application/problem+json with the Problem schema, and an operation with a
    body can also answer 400 (malformed JSON) and 413 (too large)."""
    problem_content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    components = api.spec.components
    components.response("BAD_REQUEST", {"description": "The body is not valid JSON", "content": problem_content})
    components.response(
        "PAYLOAD_TOO_LARGE", {"description": "The body is larger than MAX_CONTENT_LENGTH", "content": problem_content}
    )
    for response in components.responses.values():
        if "content" in response:
            response["content"] = problem_content
    # X-Pagination carries a JSON object as text; say so, so that clients
    # (and schemathesis) read it as the string it is.
    for header in components.headers.values():
        if header.get("schema", {}).get("$ref", "").endswith("/PaginationMetadata"):
            header["schema"] = {"type": "string"}
            header["description"] = "JSON text of a PaginationMetadata object"
    for operations in api.spec._paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in responses.items():
                if status[0] in "45" and "$ref" not in response:
                    response["content"] = problem_content
            if "requestBody" in operation:
                responses.setdefault("400", {"$ref": "#/components/responses/BAD_REQUEST"})
                responses.setdefault("413", {"$ref": "#/components/responses/PAYLOAD_TOO_LARGE"})
