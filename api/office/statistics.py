"""Anonymous statistics for the integrity office, as JSON or as CSV
(``Accept: text/csv``, api.platform.csv_files): one row per figure,
suppressed ones included with their reason."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.office.access import FORBIDDEN
from api.office.schemas import AwarenessQuery, RangeQuery
from api.platform import limits
from api.platform.auth import current_actor
from api.platform.blueprint import ADMIN, Blueprint
from api.platform.context import request_time, settings
from api.platform.csv_files import CSV_CONTENT, as_csv, wants_csv
from api.platform.db import db_session
from api.platform.fields import Choice, Instant
from api.platform.limits import limiter
from dilemmas.model.answers import MODES, SCOPE_ALL, SCOPE_ORGANISATION
from dilemmas.model.content import ALIGNMENTS, OPTION_KEYS
from scoring import statistics
from scoring.figures import awareness_figures, dilemma_figures, grey_zone_figures, weeks_figures
from scoring.meetings import by_chapter

blp = Blueprint("admin_stats", __name__, url_prefix="/api/v1/admin/stats", description="Anonymous statistics")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

COUNTS = {"keys": ma.fields.String(), "values": ma.fields.Integer(allow_none=True)}


class OptionFigureOut(ma.Schema):
    key = Choice(OPTION_KEYS)
    count = ma.fields.Integer()
    percent = ma.fields.Integer()


class SpreadOut(ma.Schema):
    total = ma.fields.Integer(allow_none=True, metadata={"description": "Null when suppressed"})
    suppressed = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True, metadata={"description": "too_few_answers | week_open"})
    frozen = ma.fields.Boolean(metadata={"description": "Counts as at the end of the week"})
    options = ma.fields.List(ma.fields.Nested(OptionFigureOut), allow_none=True)
    margin = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Percentage points within which all options lie together with 95 % probability"},
    )


class ScopeSpreadOut(SpreadOut):
    scope = Choice((SCOPE_ALL, SCOPE_ORGANISATION))
    name = ma.fields.String()


class ModeSpreadOut(SpreadOut):
    mode = Choice(MODES)


class DifficultyOut(ma.Schema):
    ratings = ma.fields.Integer(allow_none=True)
    suppressed = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    mean = ma.fields.Float(allow_none=True)
    histogram = ma.fields.Dict(
        **COUNTS, allow_none=True, metadata={"description": "Ratings per difficulty 1-5 (keys '1'..'5')"}
    )


class LiveSpreadOut(SpreadOut):
    reason = Choice(("too_few_answers", "week_open"), allow_none=True)
    scope = Choice((SCOPE_ALL,), metadata={"description": "Always all colleagues: the live figure has no parts"})
    until = Instant(allow_none=True, metadata={"description": "The end of the last day the live figure counts"})


class ShiftChangeOut(ma.Schema):
    points = ma.fields.Integer(metadata={"description": "This edition's share minus the earlier one's, in points"})
    margin = ma.fields.Integer(metadata={"description": "Points within which the true shift lies (95 %)"})


class ShiftOptionOut(ShiftChangeOut):
    key = Choice(OPTION_KEYS)


class ScopeShiftStatsOut(ma.Schema):
    scope = Choice((SCOPE_ALL, SCOPE_ORGANISATION))
    scope_id = ma.fields.Integer()
    name = ma.fields.String()
    suppressed = ma.fields.Boolean()
    reason = Choice(
        ("too_few_answers",), allow_none=True, metadata={"description": "too_few_answers in either edition"}
    )
    options = ma.fields.List(
        ma.fields.Nested(ShiftOptionOut),
        allow_none=True,
        metadata={"description": "Null when suppressed or when the editions' option texts differ"},
    )
    aligned = ma.fields.Nested(ShiftChangeOut, allow_none=True)


class EditionShiftStatsOut(ma.Schema):
    previous_dilemma_id = ma.fields.Integer()
    previous_week = ma.fields.String()
    same_options = ma.fields.Boolean()
    scopes = ma.fields.List(ma.fields.Nested(ScopeShiftStatsOut))


class DilemmaStatsOut(ma.Schema):
    dilemma_id = ma.fields.Integer()
    week = ma.fields.String()
    closed = ma.fields.Boolean()
    title = ma.fields.String()
    alignment = ma.fields.Dict(
        keys=Choice(OPTION_KEYS),
        values=Choice(ALIGNMENTS),
        allow_none=True,
        metadata={"description": "Option key -> aligned | grey | conflicts, for the options the author marked"},
    )
    spreads = ma.fields.List(ma.fields.Nested(ScopeSpreadOut))
    by_mode = ma.fields.List(ma.fields.Nested(ModeSpreadOut))
    difficulty = ma.fields.Nested(DifficultyOut)
    live = ma.fields.Nested(
        LiveSpreadOut,
        allow_none=True,
        metadata={"description": "While the week is open: all colleagues' live figure with its margin (null after)"},
    )
    previous_edition_id = ma.fields.Integer(allow_none=True)
    shift = ma.fields.Nested(
        EditionShiftStatsOut,
        allow_none=True,
        metadata={
            "description": "After the close of a re-run: the shift since the edition before it, per scope where "
            "both editions' spreads are shown"
        },
    )


class WeekStatsOut(ma.Schema):
    week = ma.fields.String()
    dilemma_id = ma.fields.Integer()
    title = ma.fields.String()
    closed = ma.fields.Boolean()
    answers = ma.fields.Integer(allow_none=True, metadata={"description": "Null when suppressed"})
    suppressed = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    by_mode = ma.fields.Dict(**COUNTS, allow_none=True, metadata={"description": "Answers per mode; null parts hidden"})
    by_organisation = ma.fields.Dict(
        **COUNTS, allow_none=True, metadata={"description": "Answers per organisation slug; null parts hidden"}
    )
    active_installations = ma.fields.Integer(allow_none=True)
    participation = ma.fields.Float(allow_none=True, metadata={"description": "answers / active installations"})


class AwarenessWeekOut(ma.Schema):
    week = ma.fields.String()
    dilemma_id = ma.fields.Integer()
    answers = ma.fields.Integer(allow_none=True)
    aligned_share = ma.fields.Float(allow_none=True)
    suppressed = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)


class AwarenessChapterOut(ma.Schema):
    chapter = ma.fields.String()
    weeks = ma.fields.List(ma.fields.Nested(AwarenessWeekOut))
    answers = ma.fields.Integer()
    trend_per_quarter = ma.fields.Float(allow_none=True, metadata={"description": "Change of the share per quarter"})


class AwarenessOut(ma.Schema):
    start = ma.fields.String(attribute="from", data_key="from", allow_none=True)
    end = ma.fields.String(attribute="to", data_key="to", allow_none=True)
    category = ma.fields.String(allow_none=True)
    chapters = ma.fields.List(ma.fields.Nested(AwarenessChapterOut))


class GreyChapterOut(ma.Schema):
    chapter = ma.fields.String()
    dilemmas = ma.fields.Integer()
    answers = ma.fields.Integer()
    entropy = ma.fields.Float(allow_none=True, metadata={"description": "0 everyone agrees, 1 evenly split"})
    most_divided = ma.fields.Float()


class EasyDilemmaOut(ma.Schema):
    dilemma_id = ma.fields.Integer()
    week = ma.fields.String()
    title = ma.fields.String()
    mean_difficulty = ma.fields.Float()
    ratings = ma.fields.Integer()


class GreyZonesOut(ma.Schema):
    chapters = ma.fields.List(ma.fields.Nested(GreyChapterOut))
    easy_dilemmas = ma.fields.List(ma.fields.Nested(EasyDilemmaOut))


def context():
    return db_session(), current_actor(), request_time(), settings().thresholds


@blp.route("/weeks")
class Weeks(MethodView):
    @blp.operation("getWeekStatistics", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.doc(responses={200: {"content": CSV_CONTENT}})
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, WeekStatsOut(many=True))
    def get(self, query):
        """Participation per week (default: the last 52), once each week has
        closed: the answers given during it, per mode, per organisation, and
        the share of active installations."""
        rows = statistics.weeks(*context(), **query)
        if not wants_csv():
            return rows
        return as_csv(weeks_figures(rows), "weeks")


@blp.route("/dilemmas/<int:dilemma_id>")
class OneDilemma(MethodView):
    @blp.operation(
        "getDilemmaStatistics",
        auth=ADMIN,
        errors={
            403: FORBIDDEN + " (analyst or admin)",
            404: "No such dilemma among those the token's organisations saw",
        },
    )
    @blp.doc(responses={200: {"content": CSV_CONTENT}})
    @blp.response(200, DilemmaStatsOut)
    def get(self, dilemma_id):
        """Spreads per scope and per mode, and how hard people found it."""
        result = statistics.dilemma(db_session(), current_actor(), dilemma_id, *context()[2:])
        if not wants_csv():
            return result
        return as_csv(dilemma_figures(result), f"dilemma-{dilemma_id}")


@blp.route("/awareness")
class Awareness(MethodView):
    @blp.operation("getAwareness", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.doc(responses={200: {"content": CSV_CONTENT}})
    @blp.arguments(AwarenessQuery, location="query")
    @blp.response(200, AwarenessOut)
    def get(self, query):
        """Per code chapter and week: the share of answers on options marked
        `aligned`, the answers behind it, and the trend per quarter."""
        result = statistics.awareness(*context(), **query)
        if not wants_csv():
            return result
        return as_csv(awareness_figures(result), "awareness")


@blp.route("/grey-zones")
class GreyZones(MethodView):
    @blp.operation("getGreyZones", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.doc(responses={200: {"content": CSV_CONTENT}})
    @blp.response(200, GreyZonesOut)
    def get(self):
        """Per chapter, how divided answers are (normalised entropy: 0 everyone
        agrees, 1 evenly split), and the dilemmas rated easy."""
        result = statistics.grey_zones(*context())
        if not wants_csv():
            return result
        return as_csv(grey_zone_figures(result), "grey-zones")


class ThemeOut(ma.Schema):
    ref = ma.fields.String(metadata={"description": "A section of the code of conduct"})
    title = ma.fields.String()
    agreements = ma.fields.Integer(metadata={"description": "Agreements made on dilemmas about this section"})


class ChapterMeetingsOut(ma.Schema):
    chapter = ma.fields.String()
    title = ma.fields.String()
    sessions = ma.fields.Integer(metadata={"description": "Sessions held (at least one round revealed)"})
    mean_shift = ma.fields.Float(allow_none=True, metadata={"description": "Mean number of voters who changed"})
    themes = ma.fields.List(
        ma.fields.Nested(ThemeOut),
        metadata={"description": "Only from teams of at least ANONYMITY_MIN_GROUP members"},
    )


# Tagged with the meeting operations, where the document has always listed it.
@blp.route("/meetings", tags=["meeting"])
class MeetingStatistics(MethodView):
    @blp.operation("getMeetingStatistics", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.response(200, ChapterMeetingsOut(many=True))
    def get(self):
        """The teams' meetings per chapter of the code of conduct, in the
        caller's organisations: sessions held, the mean shift between the
        rounds, and the themes of the agreements (never a team or a text)."""
        return by_chapter(db_session(), current_actor(), settings().thresholds)
