"""The Blueprint every JSON room uses, with one decorator per operation.

``@blp.operation("getCurrentDilemma", auth=INSTALLATION, errors={404: ...})``
says in one place what the OpenAPI document says of an operation and what
the request guards enforce: its id (a generated client's method name), its
summary and description (from the docstring), who may call it (the scheme
``auth.authenticate_first`` checks before anything else runs, and 401 in the
document) and its error responses, all application/problem+json. A body in
JSON can also be malformed (400) or too large (413): ``arguments`` says so
for every operation that takes one."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import flask_smorest
from flask_smorest.utils import load_info_from_docstring

from api.platform.errors import ProblemSchema

INSTALLATION = "installation"
ADMIN = "admin"
# What a 401 means, per scheme: declared here once for every operation.
UNAUTHORIZED = {
    INSTALLATION: "Missing or unknown token",
    ADMIN: "Missing, unknown, expired or revoked admin token",
}
PROBLEM = "application/problem+json"


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


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the project's operation decorator."""

    def operation(
        self, operation_id: str, *, auth: str | None, errors: Mapping[int, str] | None = None
    ) -> Callable[[Callable], Callable]:
        """Declare an operation: its id, who may call it (``INSTALLATION``,
        ``ADMIN`` or None for public) and its error responses by status."""
        if auth not in (None, *UNAUTHORIZED):
            raise ValueError(f"unknown authentication scheme {auth!r}")

        def decorator(function: Callable) -> Callable:
            responses = dict(errors or {})
            if auth is not None:
                responses[401] = UNAUTHORIZED[auth]
            for status, description in sorted(responses.items(), reverse=True):
                function = self.alt_response(
                    status, schema=ProblemSchema, content_type=PROBLEM, description=description
                )(function)
            doc = {"operationId": operation_id, **summary_and_description(function.__doc__)}
            if auth is not None:
                doc["security"] = [{auth: []}]
            function = self.doc(**doc)(function)
            function.authentication = auth
            return function

        return decorator

    def arguments(self, schema, *, location="json", **kwargs):
        """flask-smorest's ``arguments``; a body in JSON may also be
        malformed (400) or larger than MAX_CONTENT_LENGTH (413)."""
        decorate = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return decorate

        def decorator(function: Callable) -> Callable:
            function = decorate(function)
            function = self.alt_response(400, "BAD_REQUEST")(function)
            return self.alt_response(413, "PAYLOAD_TOO_LARGE")(function)

        return decorator
