"""Fields the schemas share. Text fields for request bodies: no control
characters (PostgreSQL refuses NUL, and no phone types the others), said in
the OpenAPI document as a pattern so that clients know it too. Instants as
every phone's standard library reads them. Closed sets as enums."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma

LINE = r"^[^\x00-\x1F\x7F-\x9F]*$"  # one line
PROSE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"  # tabs and line breaks allowed


def _text(pattern: str, **kwargs) -> ma.fields.String:
    validators = kwargs.pop("validate", [])
    validators = [validators] if callable(validators) else list(validators)
    validators.append(ma.validate.Regexp(pattern, error="Geen stuurtekens."))
    return ma.fields.String(validate=validators, **kwargs)


def Line(**kwargs) -> ma.fields.String:
    return _text(LINE, **kwargs)


def Prose(**kwargs) -> ma.fields.String:
    return _text(PROSE, **kwargs)


def Said(**kwargs) -> ma.fields.String:
    """Prose that must say something: at least one visible character."""
    allowed = r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
    visible = r"[^\s\x00-\x1F\x7F-\x9F]"
    return _text(f"^{allowed}*{visible}{allowed}*$", **kwargs)


def Choice(choices, **kwargs) -> ma.fields.String:
    """A string from a closed set: the document lists the set as an enum,
    so that a generated client has a type for it (output fields too, where
    marshmallow never runs the validator)."""
    return ma.fields.String(validate=ma.validate.OneOf(tuple(choices)), **kwargs)


INSTANT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Instant(ma.fields.DateTime):
    """An instant in a response: RFC 3339 in UTC with ``Z`` and whole
    seconds (``2026-12-07T08:47:43Z``), the one form that Swift's
    ``.iso8601`` strategy (no fractions), Java's ``Instant.parse`` and
    JavaScript's ``Date.parse`` all read. A stored time without a zone is
    UTC (the database keeps UTC); fractions are cut, never rounded up, so a
    deadline is never shown later than it is."""

    def __init__(self, **kwargs):
        metadata = {"pattern": INSTANT, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime(INSTANT_FORMAT)


class WholeNumber(ma.fields.Integer):
    """An integer in a JSON body: a JSON number without a fraction (4 or
    4.0), never a string ("4"), a boolean, or a fraction cut short (4.9 is
    not 4)."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(int(value))


class Flag(ma.fields.Boolean):
    """A boolean in a JSON body: ``true`` or ``false``, nothing that
    merely looks like one ("yes", 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
