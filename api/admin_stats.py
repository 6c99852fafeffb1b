"""Anonymous statistics for the integrity office, as JSON or as CSV
(``Accept: text/csv``): UTF-8 with a byte-order mark and CRLF line ends, so
Excel opens it as it is; one row per figure, suppressed ones included with
their reason."""

from __future__ import annotations

import csv
import io

import marshmallow as ma
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api import limits
from api.admin import FORBIDDEN, UNAUTHORIZED
from api.admin_dilemmas import WeekField
from api.auth import ADMIN_SECURITY, current_actor
from api.context import request_time
from api.db import db_session
from api.fields import Line
from api.limits import limiter
from scoring import statistics

blp = Blueprint("admin_stats", __name__, url_prefix="/api/v1/admin/stats", description="Anonymous statistics")
limiter.limit(limits.ADMIN, key_func=limits.per_caller)(blp)

CSV_COLUMNS = ("subject", "week", "dilemma_id", "figure", "value", "suppressed", "reason")
# The JSON variant comes from each view's response schema; this adds the
# CSV one, so that clients know both and pick with Accept.
CSV_CONTENT = {
    "text/csv": {
        "schema": {
            "type": "string",
            "description": "UTF-8 with a byte-order mark, CRLF line ends; columns: " + ", ".join(CSV_COLUMNS),
        }
    }
}
COUNTS = {"keys": ma.fields.String(), "values": ma.fields.Integer(allow_none=True)}


class OptionFigureOut(ma.Schema):
    key = ma.fields.String(metadata={"description": "A-D"})
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
    scope = ma.fields.String(metadata={"description": "all | organisation"})
    name = ma.fields.String()


class ModeSpreadOut(SpreadOut):
    mode = ma.fields.String(metadata={"description": "alone | colleague | team"})


class DifficultyOut(ma.Schema):
    ratings = ma.fields.Integer(allow_none=True)
    suppressed = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True)
    mean = ma.fields.Float(allow_none=True)
    histogram = ma.fields.Dict(
        **COUNTS, allow_none=True, metadata={"description": "Ratings per difficulty 1-5 (keys '1'..'5')"}
    )


class DilemmaStatsOut(ma.Schema):
    dilemma_id = ma.fields.Integer()
    week = ma.fields.String()
    closed = ma.fields.Boolean()
    title = ma.fields.String()
    alignment = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        allow_none=True,
        metadata={"description": "Option key -> aligned | grey | conflicts, for the options the author marked"},
    )
    spreads = ma.fields.List(ma.fields.Nested(ScopeSpreadOut))
    by_mode = ma.fields.List(ma.fields.Nested(ModeSpreadOut))
    difficulty = ma.fields.Nested(DifficultyOut)


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


class RangeQuery(ma.Schema):
    start = WeekField(data_key="from")
    end = WeekField(data_key="to")


class AwarenessQuery(RangeQuery):
    category = Line(validate=ma.validate.Length(min=1, max=64))


def wants_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def as_csv(rows: list[dict], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if row.get(key) is None else row.get(key)) for key in CSV_COLUMNS})
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="kompas-{name}.csv"'
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response


def figure(subject, week, dilemma_id, name, value, reason=None) -> dict:
    return {
        "subject": subject,
        "week": week,
        "dilemma_id": dilemma_id,
        "figure": name,
        "value": value,
        "suppressed": "yes" if value is None else "no",
        "reason": reason if value is None else None,
    }


def weeks_figures(rows: list[dict]) -> list[dict]:
    """The participation per week as CSV rows, one per figure."""
    out = []
    for row in rows:
        base = (row["title"], row["week"], row["dilemma_id"])
        out.append(figure(*base, "answers", row["answers"], row["reason"]))
        for mode, count in (row["by_mode"] or {}).items():
            out.append(figure(*base, f"mode:{mode}", count, "too_few_answers"))
        if row["answers"] is not None:
            for organisation, count in (row["by_organisation"] or {}).items():
                out.append(figure(*base, f"organisation:{organisation}", count, "too_few_answers"))
            out.append(figure(*base, "active_installations", row["active_installations"]))
            out.append(figure(*base, "participation", row["participation"]))
    return out


def dilemma_figures(result: dict) -> list[dict]:
    """One dilemma's spreads and difficulty as CSV rows, one per figure."""
    dilemma_id = result["dilemma_id"]
    out = []
    week = result["week"]
    for group in [*result["spreads"], *({**m, "name": f"mode:{m['mode']}"} for m in result["by_mode"])]:
        out.append(figure(group["name"], week, dilemma_id, "answers", group["total"], group["reason"]))
        for option in group["options"] or [{"key": k} for k in "ABCD"]:
            for measure in ("count", "percent"):
                out.append(
                    figure(
                        group["name"],
                        week,
                        dilemma_id,
                        f"{option['key']}:{measure}",
                        option.get(measure),
                        group["reason"],
                    )
                )
    difficulty = result["difficulty"]
    out.append(figure("difficulty", week, dilemma_id, "ratings", difficulty["ratings"], difficulty["reason"]))
    out.append(figure("difficulty", week, dilemma_id, "mean", difficulty["mean"], difficulty["reason"]))
    return out


def awareness_figures(result: dict) -> list[dict]:
    """The awareness per chapter and week as CSV rows, one per figure."""
    out = []
    for chapter in result["chapters"]:
        subject = f"chapter {chapter['chapter']}"
        for week in chapter["weeks"]:
            out.append(figure(subject, week["week"], week["dilemma_id"], "answers", week["answers"], week["reason"]))
            out.append(
                figure(
                    subject,
                    week["week"],
                    week["dilemma_id"],
                    "aligned_share",
                    week["aligned_share"],
                    week["reason"],
                )
            )
        out.append(figure(subject, None, None, "trend_per_quarter", chapter["trend_per_quarter"], "too_few_answers"))
    return out


def grey_zone_figures(result: dict) -> list[dict]:
    """The grey zones as CSV rows, one per figure."""
    out = []
    for chapter in result["chapters"]:
        subject = f"chapter {chapter['chapter']}"
        for name in ("dilemmas", "answers", "entropy", "most_divided"):
            out.append(figure(subject, None, None, name, chapter[name]))
    for easy in result["easy_dilemmas"]:
        out.append(figure("easy", easy["week"], easy["dilemma_id"], "mean_difficulty", easy["mean_difficulty"]))
    return out


def context():
    return db_session(), current_actor(), request_time(), current_app.config["THRESHOLDS"]


def doc(function):
    function = blp.doc(security=ADMIN_SECURITY, responses={200: {"content": CSV_CONTENT}})(function)
    function = blp.alt_response(403, description=FORBIDDEN + " (analyst or admin)")(function)
    return blp.alt_response(401, description=UNAUTHORIZED)(function)


@blp.route("/weeks")
class Weeks(MethodView):
    @doc
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
    @doc
    @blp.response(200, DilemmaStatsOut)
    @blp.alt_response(404, description="No such dilemma among those the token's organisations saw")
    def get(self, dilemma_id):
        """Spreads per scope and per mode, and how hard people found it."""
        result = statistics.dilemma(db_session(), current_actor(), dilemma_id, *context()[2:])
        if not wants_csv():
            return result
        return as_csv(dilemma_figures(result), f"dilemma-{dilemma_id}")


@blp.route("/awareness")
class Awareness(MethodView):
    @doc
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
    @doc
    @blp.response(200, GreyZonesOut)
    def get(self):
        """Per chapter, how divided answers are (normalised entropy: 0 everyone
        agrees, 1 evenly split), and the dilemmas rated easy."""
        result = statistics.grey_zones(*context())
        if not wants_csv():
            return result
        return as_csv(grey_zone_figures(result), "grey-zones")
