"""The office's request schemas that the console reads its forms with too:
one set of rules for a field, whichever way it arrives."""

from __future__ import annotations

import re

import marshmallow as ma

from api.platform.fields import Line, Prose, Said, WholeNumber
from dilemmas.errors import UnknownReference
from dilemmas.model.admins import ROLES
from dilemmas.model.content import (
    ALIGNMENTS,
    AUDIENCES,
    OPTION_KEYS,
    OPTION_MAX,
    SITUATION_MAX,
    STATUSES,
    TITLE_MAX,
)
from dilemmas.model.suggestions import STATUSES as SUGGESTION_STATUSES
from dilemmas.office import admin_tokens
from dilemmas.office.admin_tokens import MAX_DAYS
from dilemmas.storage.base import INT_MAX
from dilemmas.weeks import Week
from push.campaigns import BODY_MAX as PUSH_BODY_MAX
from push.campaigns import TITLE_MAX as PUSH_TITLE_MAX

WEEK_PATTERN = r"^20[0-9]{2}-W(0[1-9]|[1-4][0-9]|5[0-3])$"


class WeekField(ma.fields.String):
    """An ISO week such as 2026-W49. A well-formed week that a year does not
    have (2027-W53) is no week at all: 404, like any unknown thing."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"example": "2026-W49", "pattern": WEEK_PATTERN, **kwargs["metadata"]}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(WEEK_PATTERN, text):
            raise ma.ValidationError("Een week schrijf je als 2026-W49.")
        try:
            return Week.parse(text)
        except ValueError:
            raise UnknownReference(
                f"Week {text} bestaat niet.", {attr or "week": ["Dat jaar heeft die week niet."]}
            ) from None


class AdminOptionIn(ma.Schema):
    key = ma.fields.String(
        validate=ma.validate.OneOf(OPTION_KEYS),
        metadata={
            "description": "Optional, as GET returns it: when all four options have one, each goes to its "
            "key's place; otherwise the order of the list decides"
        },
    )
    text = Prose(required=True, validate=ma.validate.Length(min=1, max=OPTION_MAX))
    alignment = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(ALIGNMENTS))
    feedback = Prose(allow_none=True, validate=ma.validate.Length(max=600))


FOUR_OPTIONS = ma.validate.Length(equal=4, error="Precies vier opties.")


class OptionsInPlace(ma.Schema):
    """Options may carry the ``key`` that GET returns, so that what GET
    gives can be sent back. When the four options carry the four keys, each
    goes to its key's place; otherwise their order in the list decides."""

    @ma.post_load
    def options_in_place(self, data, **_kwargs):
        options = data.get("options")
        if not options:
            return data
        keys = [option.pop("key", None) for option in options]
        if sorted(filter(None, keys)) == sorted(OPTION_KEYS[: len(options)]):
            data["options"] = [option for _, option in sorted(zip(keys, options, strict=True), key=lambda p: p[0])]
        return data


class DilemmaIn(OptionsInPlace):
    organisation = Line(validate=ma.validate.Length(min=1, max=64))
    slug = ma.fields.String(validate=ma.validate.Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$"))
    category = Line(required=True, validate=ma.validate.Length(min=1, max=64))
    audience = ma.fields.String(load_default="iedereen", validate=ma.validate.OneOf(AUDIENCES))
    title = Line(required=True, validate=ma.validate.Length(min=1, max=TITLE_MAX))
    situation = Prose(required=True, validate=ma.validate.Length(min=1, max=SITUATION_MAX))
    explanation = Prose(load_default="", validate=ma.validate.Length(max=4000))
    options = ma.fields.List(ma.fields.Nested(AdminOptionIn), required=True, validate=FOUR_OPTIONS)
    code_refs = ma.fields.List(
        Line(validate=ma.validate.Length(min=1, max=16)),
        load_default=list,
        validate=ma.validate.Length(max=10),
    )


class DilemmaPatch(OptionsInPlace):
    category = Line(validate=ma.validate.Length(min=1, max=64))
    audience = ma.fields.String(validate=ma.validate.OneOf(AUDIENCES))
    title = Line(validate=ma.validate.Length(min=1, max=TITLE_MAX))
    situation = Prose(validate=ma.validate.Length(min=1, max=SITUATION_MAX))
    explanation = Prose(validate=ma.validate.Length(max=4000))
    options = ma.fields.List(ma.fields.Nested(AdminOptionIn), validate=FOUR_OPTIONS)
    code_refs = ma.fields.List(Line(validate=ma.validate.Length(min=1, max=16)), validate=ma.validate.Length(max=10))


class ListQuery(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    category = Line(validate=ma.validate.Length(max=64))
    organisation = Line(validate=ma.validate.Length(max=64))
    week_from = WeekField(data_key="from")
    week_to = WeekField(data_key="to")
    needs_review = ma.fields.Boolean()
    text = Line(
        data_key="q",
        validate=ma.validate.Length(max=100),
        metadata={"description": "Words found in the title or situation of any revision"},
    )
    audience = ma.fields.String(validate=ma.validate.OneOf(AUDIENCES))


class RequestChangesIn(ma.Schema):
    comment = Said(required=True, validate=ma.validate.Length(min=1, max=2000))


class ScheduleIn(ma.Schema):
    week = WeekField(required=True, metadata={"example": "2026-W49"})


class TokenIn(ma.Schema):
    name = Line(required=True, validate=ma.validate.Length(min=1, max=120))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    organisation = Line(validate=ma.validate.Length(min=1, max=64))
    days = WholeNumber(load_default=admin_tokens.DEFAULT_DAYS, validate=ma.validate.Range(1, MAX_DAYS))


class AuditQuery(ma.Schema):
    action = Line(validate=ma.validate.Length(max=64))
    object_type = Line(validate=ma.validate.Length(max=32))
    object_id = ma.fields.Integer(validate=ma.validate.Range(min=0, max=INT_MAX))
    actor = Line(validate=ma.validate.Length(max=120))
    since = ma.fields.AwareDateTime(metadata={"description": "ISO 8601 instant with offset"})
    until = ma.fields.AwareDateTime()


class SectionIn(ma.Schema):
    title = Line(validate=ma.validate.Length(min=1, max=200))
    text = Prose(required=True, validate=ma.validate.Length(min=1, max=4000))


class SuggestionPatch(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(SUGGESTION_STATUSES))


class AdhocIn(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.Equal("adhoc"))
    title = Line(required=True, validate=ma.validate.Length(min=1, max=PUSH_TITLE_MAX))
    body = Prose(required=True, validate=ma.validate.Length(min=1, max=PUSH_BODY_MAX))
    dilemma_id = WholeNumber(allow_none=True, validate=ma.validate.Range(min=1, max=INT_MAX))
    organisation = Line(validate=ma.validate.Length(min=1, max=64))


class RangeQuery(ma.Schema):
    start = WeekField(data_key="from")
    end = WeekField(data_key="to")


class AwarenessQuery(RangeQuery):
    category = Line(validate=ma.validate.Length(min=1, max=64))
