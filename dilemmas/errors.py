"""Errors the domain raises; the HTTP layer maps each to one status code,
and its ``cause`` to a problem type (``/problems/<cause>``, the causes in
dilemmas.language): an app tells "answer first" from "week closed" by the
cause, never by the (Dutch) detail."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose. ``cause`` names the
    problem type; without one, the class's (else the status's) applies."""

    cause: str | None = None

    def __init__(self, detail: str, *, cause: str | None = None, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        if cause is not None:
            self.cause = cause
        self.extra = extra


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists."""


class Conflict(DomainError):
    """The request is valid but clashes with the current state."""


class UnknownReference(Conflict):
    """A well-formed field names something that does not exist now (a
    category, a code section, an enrolment code, a week): 409, with the
    field in ``errors``. Not 404: the object the path names does exist."""

    cause = "unknown-reference"

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors


class Invalid(DomainError):
    """The request is well-formed but a field's value is not acceptable."""

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.errors = errors


class Unauthorized(DomainError):
    """No valid credentials."""

    cause = "token-unknown"


class Forbidden(DomainError):
    """Valid credentials without the right to do this."""


class TooManyAttempts(DomainError):
    """Too many failed attempts in a short time; try again after ``retry_after`` seconds."""

    cause = "code-attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
