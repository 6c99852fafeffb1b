"""Text fields for request bodies: no control characters (PostgreSQL
refuses NUL, and no phone types the others), said in the OpenAPI document
as a pattern so that clients know it too."""

from __future__ import annotations

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
