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
from scoring import meetings, statistics
from scoring.figures import awareness_figures, dilemma_figures, grey_zone_figures, weeks_figures
from scoring.misperception import REASONS as MISPERCEPTION_REASONS
from scoring.misperception import misperception as misperception_per_chapter
from scoring.misperception import misperception_figures
from scoring.spreads import TOO_FEW_ANSWERS, WEEK_OPEN

blp = Blueprint("admin_stats", __name__, url_prefix="/api/v1/admin/stats", description="Anonymous statistics")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

# Why a figure is hidden: the scoring's two reasons (the same as the app's).
REASONS = (TOO_FEW_ANSWERS, WEEK_OPEN)
COUNTS = {"keys": ma.fields.String(), "values": ma.fields.Integer(allow_none=True)}


class OptionFigureOut(ma.Schema):
    key = Choice(OPTION_KEYS)
    count = ma.fields.Integer()
    percent = ma.fields.Integer()


class SpreadOut(ma.Schema):
    total = ma.fields.Integer(allow_none=True, metadata={"description": "Null when suppressed"})
    suppressed = ma.fields.Boolean()
    reason = Choice(REASONS, allow_none=True, metadata={"description": "Why the counts are hidden; null when shown"})
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
    reason = Choice(REASONS, allow_none=True, metadata={"description": "Why the figure is hidden; null when shown"})
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
    reason = Choice(REASONS, allow_none=True, metadata={"description": "Why the figure is hidden; null when shown"})
    by_mode = ma.fields.Dict(
        **COUNTS,
        allow_none=True,
        metadata={"description": "Answers per mode, `team` with the teams' joint answers; null parts hidden"},
    )
    by_organisation = ma.fields.Dict(
        **COUNTS, allow_none=True, metadata={"description": "Answers per organisation slug; null parts hidden"}
    )
    joint_answers = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "The teams' joint answers (also in `by_mode.team`); null when suppressed"},
    )
    active_installations = ma.fields.Integer(allow_none=True)
    participation = ma.fields.Float(allow_none=True, metadata={"description": "answers / active installations"})


class AwarenessWeekOut(ma.Schema):
    week = ma.fields.String()
    dilemma_id = ma.fields.Integer()
    answers = ma.fields.Integer(allow_none=True)
    aligned_share = ma.fields.Float(allow_none=True)
    suppressed = ma.fields.Boolean()
    reason = Choice(REASONS, allow_none=True, metadata={"description": "Why the figure is hidden; null when shown"})


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


MEETING_REASON = {
    "allow_none": True,
    "metadata": {"description": "Why the figure is suppressed: its noise is too large for it (null when shown)"},
}
class MisperceptionGroupOut(ma.Schema):
    predicted = ma.fields.Float(allow_none=True, metadata={"description": "Average predicted share, percent"})
    real = ma.fields.Float(allow_none=True, metadata={"description": "Released share of the answers, percent"})
    misperception = ma.fields.Float(
        allow_none=True,
        metadata={"description": "predicted - real, percentage points: positive, colleagues expected more"},
    )
    margin = ma.fields.Integer(
        allow_none=True, metadata={"description": "Percentage points within which the difference lies (95 %)"}
    )
    suppressed = ma.fields.Boolean()
    reason = Choice(
        MISPERCEPTION_REASONS,
        allow_none=True,
        metadata={"description": "not_marked: no option of this kind on the dilemma (or the chapter's)"},
    )


class MisperceptionDilemmaOut(ma.Schema):
    dilemma_id = ma.fields.Integer()
    week = ma.fields.String()
    title = ma.fields.String()
    chapter = ma.fields.String(allow_none=True, metadata={"description": "Of the dilemma's first code reference"})
    closed = ma.fields.Boolean()
    predictions = ma.fields.Integer(allow_none=True, metadata={"description": "Noisy; null when suppressed"})
    aligned = ma.fields.Nested(MisperceptionGroupOut, metadata={"description": "The options marked aligned"})
    conflicts = ma.fields.Nested(MisperceptionGroupOut, metadata={"description": "The options marked conflicts"})


class MisperceptionChapterOut(ma.Schema):
    chapter = ma.fields.String()
    dilemmas = ma.fields.Integer(metadata={"description": "Closed dilemmas whose first code reference is here"})
    predictions = ma.fields.Integer(allow_none=True)
    aligned = ma.fields.Nested(MisperceptionGroupOut)
    conflicts = ma.fields.Nested(MisperceptionGroupOut)


class MisperceptionOut(ma.Schema):
    start = ma.fields.String(attribute="from", data_key="from", allow_none=True)
    end = ma.fields.String(attribute="to", data_key="to", allow_none=True)
    dilemmas = ma.fields.List(ma.fields.Nested(MisperceptionDilemmaOut), metadata={"description": "Newest first"})
    chapters = ma.fields.List(ma.fields.Nested(MisperceptionChapterOut))


@blp.route("/misperception")
class Misperception(MethodView):
    @blp.operation("getMisperception", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.doc(responses={200: {"content": CSV_CONTENT}})
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, MisperceptionOut)
    def get(self, query):
        """Predictions against reality, per dilemma (default: the last 52
        weeks) and per chapter of the code (a dilemma's first code
        reference), once each week has closed: the average share of
        colleagues the employees predicted on the options marked `aligned`
        (and `conflicts`), the released real share, and the difference
        with its margin. Of all colleagues who answered each dilemma."""
        result = misperception_per_chapter(*context(), **query)
        if not wants_csv():
            return result
        return as_csv(misperception_figures(result), "misperception")


class ThemeOut(ma.Schema):
    ref = ma.fields.String(metadata={"description": "A section of the code of conduct"})
    title = ma.fields.String()
    agreements = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Agreements made on dilemmas about this section (noisy; null when suppressed)"},
    )
    margin = ma.fields.Integer(allow_none=True, metadata={"description": "95 % margin of `agreements`"})
    reason = Choice(meetings.REASONS, **MEETING_REASON)


class ChapterMeetingsOut(ma.Schema):
    chapter = ma.fields.String()
    title = ma.fields.String()
    editions = ma.fields.Integer(metadata={"description": "Dilemmas on this chapter whose week closed"})
    sessions = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "Sessions held (a round revealed; one per team and dilemma), noisy; null when suppressed"
        },
    )
    sessions_margin = ma.fields.Integer(
        allow_none=True, metadata={"description": "The true count lies within this many of `sessions` (95 %)"}
    )
    sessions_reason = Choice(meetings.REASONS, **MEETING_REASON)
    mean_shift = ma.fields.Float(
        allow_none=True,
        metadata={"description": "Mean number of voters who changed in the second round (noisy; null when suppressed)"},
    )
    mean_shift_margin = ma.fields.Float(
        allow_none=True, metadata={"description": "The true mean lies within this many voters of `mean_shift` (95 %)"}
    )
    mean_shift_reason = Choice(meetings.REASONS, **MEETING_REASON)
    themes = ma.fields.List(ma.fields.Nested(ThemeOut))


# Tagged with the meeting operations, where the document has always listed it.
@blp.route("/meetings", tags=["meeting"])
class MeetingStatistics(MethodView):
    @blp.operation("getMeetingStatistics", auth=ADMIN, errors={403: FORBIDDEN + " (analyst or admin)"})
    @blp.response(200, ChapterMeetingsOut(many=True))
    def get(self):
        """The teams' meetings per chapter of the code of conduct, in the
        caller's organisations, over the weeks that closed: sessions held,
        the mean shift between the rounds and the agreements per theme, each
        a differentially private release with its margin (never a team or a
        text; docs/anonymity.md, mechanism 7)."""
        return meetings.by_chapter(db_session(), current_actor(), request_time())
