"""Every error as application/problem+json (RFC 9457), in one place.

Domain errors map to status codes here; HTTP errors (from Werkzeug, webargs
and flask-smorest) keep theirs; anything unexpected is a 500 that leaks
nothing but a request id. Each problem's ``type`` names its cause
(``/problems/answer-first``), a page that explains it; its title, and its
detail, are in the caller's language (api.platform.language): the Dutch
detail says what happened in this case, the English one what the cause
means (dilemmas.language)."""

from __future__ import annotations

import logging
import uuid

import marshmallow as ma
from flask import Flask, Response, g, json, request
from flask_smorest import Api
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from api.platform.language import locale
from dilemmas.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized
from dilemmas.language import CAUSES, DEFAULT_LOCALE, cause_for, field_messages
from dilemmas.model.content import OPTION_KEYS

log = logging.getLogger("kompas.errors")

DOMAIN_STATUS = {
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    Unauthorized: 401,
    Forbidden: 403,
    TooManyAttempts: 429,
}


# The ``reason`` members the domain raises (tests/api/test_openapi.py reads
# them from the code): a dilemma's week has begun, its options are frozen,
# a console session has expired.
REFUSAL_REASONS = ("week_open", "options_frozen", "expired", "not_run", "newer_edition", "too_early")


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: documents every error response. Extension
    members (e.g. a refused transition's ``allowed``) may follow."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(
        validate=ma.validate.OneOf([f"/problems/{cause}" for cause in CAUSES]),
        metadata={"description": "The cause, as a URI reference to a page that explains it: tell problems apart by it"},
    )
    title = ma.fields.String(metadata={"description": "Short summary, in the response's Content-Language"})
    status = ma.fields.Integer()
    detail = ma.fields.String(
        metadata={"description": "What went wrong (Dutch: in this case; English: what the cause means)"}
    )
    instance = ma.fields.String(metadata={"description": "The request path"})
    request_id = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages per field (422; 409 for a reference to nothing), in Content-Language"},
    )
    state = ma.fields.String(
        metadata={"description": "The state of the session (or the office's dilemma) that refused a transition (409)"}
    )
    allowed = ma.fields.List(
        ma.fields.String(), metadata={"description": "The transitions the session or dilemma allows now (409)"}
    )
    votes = ma.fields.Integer(metadata={"description": "Votes cast in the round, when a reveal is refused (409)"})
    needed = ma.fields.Integer(metadata={"description": "Votes a reveal needs (409)"})
    answer = ma.fields.String(
        validate=ma.validate.OneOf(OPTION_KEYS),
        metadata={"description": "The answer that stands, when the week closed before a change (409)"},
    )
    consensus = ma.fields.String(
        validate=ma.validate.OneOf(OPTION_KEYS),
        allow_none=True,
        metadata={"description": "The team's joint answer recorded in this session, else null (409)"},
    )
    session_id = ma.fields.Integer(metadata={"description": "The team's session that is already open (409)"})
    limit = ma.fields.Integer(
        metadata={"description": "The number that was reached, e.g. teams per installation (409)"}
    )
    field = ma.fields.String(metadata={"description": "The body's field that clashes (409)"})
    week = ma.fields.String(metadata={"description": "The ISO week concerned, e.g. 2026-W50 (409)"})
    taken_by = ma.fields.Integer(metadata={"description": "The dilemma already scheduled in the week (409)"})
    earliest_week = ma.fields.String(
        metadata={"description": "The first week a new edition of the dilemma may run (409, edition-refused)"}
    )
    newer_edition_id = ma.fields.Integer(
        metadata={"description": "The newer edition to run again instead (409, edition-refused)"}
    )
    reason = ma.fields.String(
        validate=ma.validate.OneOf(REFUSAL_REASONS),
        metadata={"description": "Why a change (409) or a console session (401) is refused"},
    )


STANDARD_MEMBERS = frozenset(("type", "title", "status", "detail", "instance", "request_id", "errors"))


def request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
    return g.request_id


def problem(
    status: int,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    *,
    cause: str | None = None,
    **extra,
) -> Response:
    """A problem+json response. ``detail`` is Dutch (the domain's words);
    for another language the cause's own explanation stands in."""
    cause = cause_for(status, cause)
    language = locale()
    body = {"type": f"/problems/{cause}", "title": CAUSES[cause].title[language], "status": status}
    if language != DEFAULT_LOCALE:
        detail = CAUSES[cause].advice[language]
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body["request_id"] = request_id()
    if errors:
        # Schemas speak English and the domain Dutch: one language per response.
        body["errors"] = field_messages(errors, language)
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


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error, for the API and the console alike."""
    return next((code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind)), 400)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        status = status_of(error)
        errors = getattr(error, "errors", None)
        headers = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="kompas"'
        if isinstance(error, TooManyAttempts):
            headers["Retry-After"] = str(error.retry_after)
        # Extra members say what the app can do next (e.g. a session's
        # allowed transitions); they never replace the standard ones.
        extra = {key: value for key, value in error.extra.items() if key not in STANDARD_MEMBERS}
        return problem(status, error.detail, errors, headers, cause=error.cause, **extra)

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
    """Make the spec say what the wire says: every shared error response is
    application/problem+json with the Problem schema, among them 400
    (malformed JSON) and 413 (too large), which every operation with a body
    refers to (api.platform.blueprint)."""
    problem_content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    components = api.spec.components
    # flask-smorest registers a response for each status an operation refers
    # to by name; these two say what they mean here.
    components.responses["BAD_REQUEST"] = {"description": "The body is not valid JSON"}
    components.responses["PAYLOAD_TOO_LARGE"] = {"description": "The body is larger than MAX_CONTENT_LENGTH"}
    components.responses["UNSUPPORTED_MEDIA_TYPE"] = {"description": "A body that is not JSON (Content-Type)"}
    for name, response in components.responses.items():
        if "content" in response or name in ("BAD_REQUEST", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"):
            response["content"] = problem_content
    # X-Pagination carries a JSON object as text; say so, so that clients
    # (and schemathesis) read it as the string it is.
    for header in components.headers.values():
        if header.get("schema", {}).get("$ref", "").endswith("/PaginationMetadata"):
            header["schema"] = {"type": "string"}
            header["description"] = "JSON text of a PaginationMetadata object"
