"""The Blueprint every JSON room uses, with one decorator per operation.

``@blp.operation("getCurrentDilemma", auth=INSTALLATION, errors={404: ...})``
says in one place what the OpenAPI document says of an operation and what
the request guards enforce: its id (a generated client's method name), its
summary and description (from the docstring), who may call it (the scheme
``auth.authenticate_first`` checks before anything else runs, and 401 in the
document) and its error responses, all application/problem+json. A body in
JSON can also be malformed (400) or too large (413): ``arguments`` says so
for every operation that takes one, and one that is not JSON at all (415).

What every operation of a kind shares is declared here and nowhere else:
an authenticated POST honours ``Idempotency-Key`` (api.platform.idempotency),
a ``conditional`` GET answers ``If-None-Match`` with 304
(api.platform.caching), every admin request is rate-limited
(api.platform.limits), any operation may find the database away for a
moment (503). The response headers these bring are added to the document
by api.platform.openapi."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

import flask_smorest
from flask import Response, request
from flask_smorest.utils import load_info_from_docstring

from api.platform import caching
from api.platform.errors import ProblemSchema

INSTALLATION = "installation"
ADMIN = "admin"
# What a 401 means, per scheme: declared here once for every operation.
UNAUTHORIZED = {
    INSTALLATION: "Missing or unknown token",
    ADMIN: "Missing, unknown, expired or revoked admin token",
}
PROBLEM = "application/problem+json"
BODY_VERBS = ("post", "put", "patch", "delete")
EXTRA_PARAMETERS = "x-kompas-header-parameters"
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    # Printable ASCII: what every HTTP stack sends unchanged (the server
    # takes any printable text up to 200 characters).
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7E]{1,200}$"},
    "description": (
        "Any unique value the app chooses per intended action (a UUID): the same key and body within 24 hours "
        "replay the stored response with `Idempotent-Replayed: true` instead of acting twice. Belongs to the "
        "caller's token. A key in flight is 409 with Retry-After; the same key with another body is 422."
    ),
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the copy the app has: 304 without a body while it is still current",
}
NOT_MODIFIED = "Not modified: the copy with the ETag in If-None-Match is still current"
UNAVAILABLE = "The database cannot be reached for a moment; retry after Retry-After seconds"
IN_FLIGHT = "a request with the same Idempotency-Key is still in flight (Retry-After)"
KEY_REUSED = "the Idempotency-Key was used with another body"
ADMIN_LIMITED = "Too many requests with this admin token"


def summary_and_description(docstring: str | None) -> dict[str, str]:
    """The docstring's first sentence as the summary; its first paragraph,
    or what follows it, as the description (flask-smorest would put a first
    paragraph of several lines wholly into the summary)."""
    info = load_info_from_docstring(docstring, delimiter=flask_smorest.Blueprint.DOCSTRING_INFO_DELIMITER)
    paragraph = " ".join(info.get("summary", "").split())
    if not paragraph:
        return {}
    first = re.split(r"(?<=[.;:])\s", paragraph, maxsplit=1)[0].rstrip(".;:")
    return {"summary": first, "description": info.get("description") or paragraph}


def authentication(view: Callable | None) -> str | None:
    """The scheme an operation requires (``installation``, ``admin``), or
    None for a public one, as its ``operation`` decorator declared it."""
    return getattr(view, "authentication", None)


def with_etag(function: Callable) -> Callable:
    """``function``'s 200 with an ETag of its bytes, and 304 for a copy
    that is still current (api.platform.caching); a view that made its
    response conditional itself is left alone."""

    @functools.wraps(function)
    def conditional(*args, **kwargs):
        response = function(*args, **kwargs)
        if isinstance(response, Response) and response.status_code == 200 and "ETag" not in response.headers:
            response = caching.conditional(response)
        return response

    return conditional


def page_link(page: int, page_size: int, relation: str) -> str:
    query = {**request.args.to_dict(), "page": page, "page_size": page_size}
    return f'<{request.path}?{urlencode(query)}>; rel="{relation}"'


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the project's operation decorator,
    and RFC 8288 ``Link`` headers on every paginated list."""

    def _set_pagination_metadata(self, page_params, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        size = page_params.page_size
        last = max(1, -(-page_params.item_count // size))
        links = [page_link(1, size, "first")]
        if page_params.page > 1:
            links.append(page_link(min(page_params.page - 1, last), size, "prev"))
        if page_params.page < last:
            links.append(page_link(page_params.page + 1, size, "next"))
        links.append(page_link(last, size, "last"))
        headers["Link"] = ", ".join(links)
        return result, headers

    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the first, previous, next and last page (previous and next "
            "where there is one); follow `next` until it is gone",
            "schema": {"type": "string"},
        }

    def operation(
        self,
        operation_id: str,
        *,
        auth: str | None,
        errors: Mapping[int, str] | None = None,
        conditional: bool = False,
    ) -> Callable[[Callable], Callable]:
        """Declare an operation: its id, who may call it (``INSTALLATION``,
        ``ADMIN`` or None for public), its error responses by status, and
        whether it answers ``If-None-Match`` (``conditional``)."""
        if auth not in (None, *UNAUTHORIZED):
            raise ValueError(f"unknown authentication scheme {auth!r}")

        def decorator(function: Callable) -> Callable:
            responses = dict(errors or {})
            parameters = []
            if auth is not None:
                responses[401] = UNAUTHORIZED[auth]
            if auth == ADMIN:
                responses.setdefault(429, ADMIN_LIMITED)
            # MethodView's methods are named after their HTTP method.
            if auth is not None and function.__name__ == "post":
                parameters.append(IDEMPOTENCY_KEY)
                responses[409] = f"{responses.get(409, 'A refused transition')}; or {IN_FLIGHT}"
                responses[422] = f"{responses.get(422, 'Invalid input')}; or {KEY_REUSED}"
                responses.setdefault(400, "A malformed Idempotency-Key")
            responses.setdefault(503, UNAVAILABLE)
            if function.__name__ in BODY_VERBS:
                # Any body sent is checked, even where the operation reads none.
                function = self.alt_response(415, "UNSUPPORTED_MEDIA_TYPE")(function)
            for status, description in sorted(responses.items(), reverse=True):
                function = self.alt_response(
                    status, schema=ProblemSchema, content_type=PROBLEM, description=description
                )(function)
            if conditional:
                parameters.append(IF_NONE_MATCH)
                function = self.alt_response(304, description=NOT_MODIFIED)(with_etag(function))
            doc = {"operationId": operation_id, **summary_and_description(function.__doc__)}
            # An empty list says "public" in so many words; left out, the
            # document's default would apply.
            doc["security"] = [{auth: []}] if auth is not None else []
            if parameters:
                # Appended to the operation's own (query, path, paging) by
                # api.platform.openapi: flask-smorest would replace them.
                doc[EXTRA_PARAMETERS] = parameters
            function = self.doc(**doc)(function)
            function.authentication = auth
            function.conditional = conditional
            return function

        return decorator

    def register_views_in_doc(self, api, app, spec, *, name, parameters):
        """flask-smorest's, once per process: when the document is written
        (``openapi.written``), a later app serves it and documents nothing."""
        from api.platform import openapi  # which completes what this module declares

        if openapi.written() is None:
            super().register_views_in_doc(api, app, spec, name=name, parameters=parameters)

    def arguments(self, schema, *, location="json", **kwargs):
        """flask-smorest's ``arguments``; a body in JSON may also be
        malformed (400), larger than MAX_CONTENT_LENGTH (413) or not JSON
        at all (415)."""
        decorate = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorate

        def decorator(function: Callable) -> Callable:
            function = decorate(function)
            function = self.alt_response(400, "BAD_REQUEST")(function)
            function = self.alt_response(413, "PAYLOAD_TOO_LARGE")(function)
            return self.alt_response(415, "UNSUPPORTED_MEDIA_TYPE")(function)

        return decorator
