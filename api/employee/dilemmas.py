"""The dilemma of the week, the archive, answering and the results."""

from __future__ import annotations

import dataclasses

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from api.platform import limits
from api.platform.auth import current_caller
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.caching import conditional
from api.platform.context import request_time, settings
from api.platform.db import db_session, ensure_week_begun, read_only
from api.platform.fields import INSTANT, INSTANT_FORMAT, Choice, Instant, Line, WholeNumber
from api.platform.language import locale
from api.platform.limits import limiter
from dilemmas.employee import answers
from dilemmas.errors import NotFound
from dilemmas.language import ALL_COLLEAGUES, PREDICTION_SUM, named
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION, Answer
from dilemmas.model.content import ALIGNMENTS, AUDIENCES, OPTION_KEYS
from dilemmas.reads.content import DilemmaContent, content_of, with_content
from dilemmas.reads.placements import Placement, current_placement, visible_placement, visible_placements
from scoring.results import Results, results_for
from scoring.spreads import TOO_FEW_ANSWERS, WEEK_OPEN

REASONS = (TOO_FEW_ANSWERS, WEEK_OPEN)

blp = Blueprint("dilemmas", __name__, url_prefix="/api/v1/dilemmas", description="The weekly dilemma and the archive")
blp.before_request(ensure_week_begun)


class CodeRef(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()


class OptionOut(ma.Schema):
    key = Choice(OPTION_KEYS)
    text = ma.fields.String()


class DilemmaOut(ma.Schema):
    id = ma.fields.Integer()
    week = ma.fields.String(metadata={"example": "2026-W49"})
    closed = ma.fields.Boolean(metadata={"description": "The week is over: answers can no longer change"})
    title = ma.fields.String()
    situation = ma.fields.String()
    category = ma.fields.String()
    category_name = ma.fields.String()
    audience = Choice(AUDIENCES)
    code_refs = ma.fields.List(ma.fields.Nested(CodeRef))
    options = ma.fields.List(ma.fields.Nested(OptionOut))
    my_answer = Choice(OPTION_KEYS, allow_none=True, metadata={"description": "A-D, or null when not answered"})
    # Text already: _present writes the busiest response by hand, as Instant would.
    opens_at = ma.fields.String(
        metadata={"format": "date-time", "pattern": INSTANT, "description": "When the week opens"}
    )
    closes_at = ma.fields.String(
        metadata={
            "format": "date-time",
            "pattern": INSTANT,
            "description": "When the week closes and answers are final",
        }
    )
    results_at = ma.fields.String(
        metadata={
            "format": "date-time",
            "pattern": INSTANT,
            "description": "When the figures of all colleagues and of organisations exist",
        }
    )


class ArchiveItem(ma.Schema):
    id = ma.fields.Integer()
    week = ma.fields.String()
    closed = ma.fields.Boolean()
    title = ma.fields.String()
    category = ma.fields.String()
    audience = Choice(AUDIENCES)
    answered = ma.fields.Boolean()
    opens_at = Instant(metadata={"description": "When the week opens"})
    closes_at = Instant(metadata={"description": "When the week closes and answers are final"})
    results_at = Instant(metadata={"description": "When the figures of all colleagues and of organisations exist"})
    new_results = ma.fields.Boolean(
        metadata={"description": "Its figures came out after `since` (false without `since`)"}
    )


class ArchiveQuery(ma.Schema):
    category = Line(validate=ma.validate.Length(max=64))
    audience = ma.fields.String(validate=ma.validate.OneOf(AUDIENCES))
    answered = ma.fields.Boolean()
    since = ma.fields.AwareDateTime(
        metadata={"description": "The last time the app looked: items whose figures came out since are marked"}
    )


class Prediction(
    ma.Schema.from_dict({key: WholeNumber(required=True, validate=ma.validate.Range(0, 100)) for key in OPTION_KEYS})
):
    """The share of colleagues the employee expects on each option."""

    error_messages = {"type": 'An object with a whole percentage per option: {"A": 30, "B": 40, "C": 20, "D": 10}.'}


class AnswerIn(ma.Schema):
    option = ma.fields.String(required=True, validate=ma.validate.OneOf(OPTION_KEYS))
    mode = ma.fields.String(load_default="alone", validate=ma.validate.OneOf(("alone", "colleague")))
    difficulty = WholeNumber(validate=ma.validate.Range(1, 5), allow_none=True)
    prediction = ma.fields.Nested(
        Prediction,
        allow_none=True,
        metadata={
            "description": "Optional: the percentage of colleagues you expect to choose each option, whole "
            "percentages adding up to 100. Given with the first answer, then fixed (409 prediction-fixed "
            "for another one; the same one again, or none, is fine)."
        },
    )

    @ma.validates("prediction")
    def _adds_up(self, value, **_kwargs):
        if value is not None and sum(value.values()) != 100:
            raise ma.ValidationError(PREDICTION_SUM[locale()].format(total=sum(value.values())))


class OptionCountOut(ma.Schema):
    key = Choice(OPTION_KEYS)
    count = ma.fields.Integer()
    percent = ma.fields.Integer()


class ScopeOut(ma.Schema):
    scope = Choice((SCOPE_ALL, SCOPE_ORGANISATION))
    name = ma.fields.String()
    total = ma.fields.Integer(allow_none=True)
    suppressed = ma.fields.Boolean()
    reason = Choice(REASONS, allow_none=True, metadata={"description": "Why the counts are hidden; null when shown"})
    frozen = ma.fields.Boolean(
        metadata={"description": "Counts as at the end of the week (false for the live figure of an open week)"}
    )
    options = ma.fields.List(ma.fields.Nested(OptionCountOut), allow_none=True)
    margin = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Percentage points within which all options lie together with 95 % probability"},
    )


class EditionSpreadOut(ma.Schema):
    total = ma.fields.Integer(allow_none=True)
    frozen = ma.fields.Boolean()
    options = ma.fields.List(ma.fields.Nested(OptionCountOut))
    margin = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Percentage points within which all options lie together with 95 % probability"},
    )


class PreviousEditionOut(ma.Schema):
    dilemma_id = ma.fields.Integer(metadata={"description": "The earlier edition (a dilemma of its own)"})
    week = ma.fields.String(metadata={"example": "2026-W24"})
    closes_at = Instant(metadata={"description": "When that edition's week closed"})
    spread = ma.fields.Nested(EditionSpreadOut, metadata={"description": "All colleagues' spread then, frozen"})


class EditionChangeOut(ma.Schema):
    points = ma.fields.Integer(metadata={"description": "This edition's share minus the earlier one's, in points"})
    margin = ma.fields.Integer(
        metadata={"description": "Points within which the true shift lies with 95 % probability"}
    )


class EditionOptionChangeOut(EditionChangeOut):
    key = Choice(OPTION_KEYS)


class ScopeShiftOut(ma.Schema):
    scope = Choice((SCOPE_ALL, SCOPE_ORGANISATION))
    name = ma.fields.String()
    suppressed = ma.fields.Boolean(metadata={"description": "Either edition's spread is not shown here"})
    reason = Choice(REASONS, allow_none=True)
    options = ma.fields.List(
        ma.fields.Nested(EditionOptionChangeOut),
        allow_none=True,
        metadata={"description": "Per option; null when suppressed or the option texts differ between editions"},
    )
    aligned = ma.fields.Nested(
        EditionChangeOut,
        allow_none=True,
        metadata={"description": "The shift in the share of options that fit the code of conduct"},
    )


class EditionShiftOut(ma.Schema):
    previous_dilemma_id = ma.fields.Integer()
    previous_week = ma.fields.String()
    same_options = ma.fields.Boolean(metadata={"description": "Both editions had the same option texts"})
    scopes = ma.fields.List(ma.fields.Nested(ScopeShiftOut))


class CodeTextOut(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()


class ResultsOut(ma.Schema):
    dilemma_id = ma.fields.Integer()
    week = ma.fields.String()
    closed = ma.fields.Boolean()
    my_answer = Choice(OPTION_KEYS, allow_none=True)
    mode = Choice(MODES, allow_none=True)
    difficulty = ma.fields.Integer(allow_none=True)
    # A map keyed by option, as `alignment` and `feedback`: a schema with a
    # property "D" breaks openapi-python-client's parser of responses.
    prediction = ma.fields.Dict(
        keys=Choice(OPTION_KEYS),
        values=ma.fields.Integer(validate=ma.validate.Range(0, 100)),
        allow_none=True,
        metadata={
            "description": "Your own prediction, per option key the percent of colleagues you expected (adding "
            "up to 100), beside the spreads in `scopes`; null when you gave none. Only you see it."
        },
    )
    scopes = ma.fields.List(ma.fields.Nested(ScopeOut))
    code = ma.fields.List(ma.fields.Nested(CodeTextOut))
    explanation = ma.fields.String()
    alignment = ma.fields.Dict(
        keys=Choice(OPTION_KEYS),
        values=Choice(ALIGNMENTS),
        allow_none=True,
        metadata={"description": "Per option key, how it relates to the code of conduct"},
    )
    feedback = ma.fields.Dict(keys=Choice(OPTION_KEYS), values=ma.fields.String(), allow_none=True)
    opens_at = Instant(metadata={"description": "When the week opens"})
    closes_at = Instant(metadata={"description": "When the week closes and answers are final"})
    results_at = Instant(metadata={"description": "When the figures of all colleagues and of organisations exist"})
    live_until = Instant(
        allow_none=True,
        metadata={
            "description": "While the week is open: the end of the last day the live figure of all colleagues "
            "counts (null before the first day is over, and after the close)"
        },
    )
    previous_edition = ma.fields.Nested(
        PreviousEditionOut,
        allow_none=True,
        metadata={
            "description": "While the week is open and no live figure of all colleagues is out yet: the last "
            "closed edition of the same dilemma, if it ran before and its spread is shown (else null; the "
            "figures then come at `results_at`)"
        },
    )
    shift = ma.fields.Nested(
        EditionShiftOut,
        allow_none=True,
        metadata={
            "description": "After the close of a dilemma that ran before: the shift since the earlier edition, "
            "per scope where both editions' spreads are shown (else null)"
        },
    )


def _present(dilemma: DilemmaContent, placement: Placement, answer: Answer | None, locale: str) -> dict:
    """A ``DilemmaOut``, built directly: this is the busiest response. The
    texts are the bank's (Dutch: it has no translations); the category's
    name is in the caller's language where the bank has it."""
    revision = dilemma.current
    return {
        "id": dilemma.id,
        "week": str(placement.week),
        "closed": placement.closed(request_time()),
        "title": revision.title,
        "situation": revision.situation,
        "category": dilemma.category.slug,
        "category_name": named(locale, dilemma.category.name, dilemma.category.name_en),
        "audience": dilemma.audience,
        "code_refs": [{"ref": s.ref, "title": s.title} for s in revision.sections],
        "options": [{"key": o.key, "text": o.text} for o in revision.options],
        "my_answer": answer.option if answer else None,
        "opens_at": placement.opens_at.strftime(INSTANT_FORMAT),
        "closes_at": placement.closes_at.strftime(INSTANT_FORMAT),
        "results_at": placement.closes_at.strftime(INSTANT_FORMAT),
    }


def localised(results: Results, locale: str) -> Results:
    """The results with the scope of everyone named in ``locale``
    (organisations keep their own names: they are proper names)."""
    scopes = [
        dataclasses.replace(scope, name=ALL_COLLEAGUES[locale]) if scope.scope == SCOPE_ALL else scope
        for scope in results.scopes
    ]
    shift = results.shift
    if shift is not None:
        shift = dataclasses.replace(
            shift,
            scopes=[
                dataclasses.replace(scope, name=ALL_COLLEAGUES[locale]) if scope.scope == SCOPE_ALL else scope
                for scope in shift.scopes
            ],
        )
    return dataclasses.replace(results, scopes=scopes, shift=shift)


def _one(placement: Placement) -> dict:
    session, caller = db_session(), current_caller()
    dilemma = content_of(session, placement.dilemma_id)
    mine = answers.answers_of(session, caller, [dilemma.id])
    return _present(dilemma, placement, mine.get(dilemma.id), caller.locale)


@blp.route("/current")
class Current(MethodView):
    @blp.operation(
        "getCurrentDilemma", auth=INSTALLATION, errors={404: "Nothing scheduled this week"}, conditional=True
    )
    @blp.response(200, DilemmaOut)
    @read_only
    def get(self):
        """This week's dilemma for the caller's organisation (else its parent's).

        Carries an ETag and ``Cache-Control: private, no-cache``: send the
        ETag back in ``If-None-Match`` to get 304 while nothing changed (the
        dilemma, its week being open, or your own answer)."""
        caller = current_caller()
        placement = current_placement(db_session(), caller.organisation_id, request_time())
        if placement is None:
            raise NotFound("Er is deze week geen dilemma.")
        return conditional(current_app.json.response(_one(placement)))


@blp.route("")
class Archive(MethodView):
    @blp.operation("listDilemmas", auth=INSTALLATION, conditional=True)
    @blp.arguments(ArchiveQuery, location="query")
    @blp.response(200, ArchiveItem(many=True))
    @blp.paginate()
    @read_only
    def get(self, query, pagination_parameters):
        """Published dilemmas visible to the caller, newest week first; with
        ``since``, those whose figures came out since are marked."""
        session, caller = db_session(), current_caller()
        now = request_time()
        placements = visible_placements(session, caller.organisation_id, now)
        dilemmas = with_content(session, [p.dilemma_id for p in placements])
        mine = answers.answers_of(session, caller, list(dilemmas))
        items = []
        for placement in placements:
            dilemma = dilemmas[placement.dilemma_id]
            if query.get("category") and dilemma.category.slug != query["category"]:
                continue
            if query.get("audience") and dilemma.audience != query["audience"]:
                continue
            answered = dilemma.id in mine
            if "answered" in query and answered != query["answered"]:
                continue
            items.append(
                {
                    "id": dilemma.id,
                    "week": str(placement.week),
                    "closed": placement.closed(now),
                    "title": dilemma.current.title,
                    "category": dilemma.category.slug,
                    "audience": dilemma.audience,
                    "answered": answered,
                    "opens_at": placement.opens_at,
                    "closes_at": placement.closes_at,
                    "results_at": placement.closes_at,
                    # Nothing is stored per person: the app says when it last looked.
                    "new_results": "since" in query and query["since"] < placement.closes_at <= now,
                }
            )
        pagination_parameters.item_count = len(items)
        start = pagination_parameters.first_item
        return items[start : start + pagination_parameters.page_size]


@blp.route("/<int:dilemma_id>")
class One(MethodView):
    @blp.operation("getDilemma", auth=INSTALLATION, errors={404: "No such dilemma, or not visible to the caller"})
    @blp.response(200, DilemmaOut)
    @read_only
    def get(self, dilemma_id):
        """One dilemma of the archive (or this week's)."""
        caller = current_caller()
        return _one(visible_placement(db_session(), caller.organisation_id, dilemma_id, request_time()))


@blp.route("/<int:dilemma_id>/answer")
class AnswerView(MethodView):
    decorators = [limiter.limit(limits.ANSWERS, key_func=limits.per_caller)]

    @blp.operation(
        "answerDilemma",
        auth=INSTALLATION,
        errors={
            404: "No such dilemma, or not visible to the caller",
            409: "The week has closed; the answer can no longer change; or another prediction than "
            "the one given with the first answer",
            429: "Too many answers from this installation",
        },
    )
    @blp.arguments(AnswerIn)
    @blp.response(200, ResultsOut)
    def put(self, body, dilemma_id):
        """Answer a dilemma, or change the answer while its week is open."""
        session, caller, now = db_session(), current_caller(), request_time()
        submitted = answers.submit(session, caller, dilemma_id, now=now, **body)
        results = results_for(session, caller, dilemma_id, now, settings().thresholds, submitted=submitted)
        return localised(results, caller.locale)


@blp.route("/<int:dilemma_id>/results")
class ResultsView(MethodView):
    @blp.operation(
        "getResults",
        auth=INSTALLATION,
        errors={404: "No such dilemma, or not visible to the caller", 409: "Answer first while the week is open"},
    )
    @blp.response(200, ResultsOut)
    @read_only
    def get(self, dilemma_id):
        """How colleagues answered, what the code says, and the explanation."""
        caller = current_caller()
        results = results_for(db_session(), caller, dilemma_id, request_time(), settings().thresholds)
        return localised(results, caller.locale)
