"""Statistics in the console: the admin API's figures (``scoring.statistics``,
the same anonymity rules) as SVG charts, each with its table and the CSV
that the API gives with ``Accept: text/csv``."""

from __future__ import annotations

from flask import Blueprint, abort, request

from api.console import forms
from api.console.charts import Bar, Shift, bar_chart, line_chart, shift_chart
from api.console.labels import LABELS
from api.console.pages import actor, locale, page, t
from api.office.schemas import AwarenessQuery, RangeQuery
from api.platform.context import request_time, settings
from api.platform.csv_files import as_csv
from api.platform.db import db_session
from api.platform.formats import number
from dilemmas.reads.content import categories
from scoring import meetings, statistics
from scoring.figures import awareness_figures, dilemma_figures, grey_zone_figures, weeks_figures
from scoring.misperception import GROUPS, NOT_MARKED, misperception, misperception_figures


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/statistics", "statistics", participation)
    blp.add_url_rule("/statistics/awareness", "awareness", awareness)
    blp.add_url_rule("/statistics/grey-zones", "grey_zones", grey_zones)
    blp.add_url_rule("/statistics/meetings", "meeting_statistics", meeting_statistics)
    blp.add_url_rule("/statistics/misperception", "misperception", misperception_page)
    blp.add_url_rule("/statistics/dilemmas/<int:dilemma_id>", "dilemma_statistics", one_dilemma)
    blp.add_url_rule("/statistics/<kind>.csv", "statistics_csv", download)


def _context():
    return db_session(), actor(), request_time(), settings().thresholds


def reason_text(reason: str | None) -> str:
    thresholds = settings().thresholds
    if reason == "week_open":
        return t("onderdrukt: de week loopt nog; cijfers verschijnen na afloop van de week")
    return t("onderdrukt: te weinig antwoorden (minder dan {n})").format(n=thresholds.min_group)


def _range():
    raw = {key: request.args[key] for key in ("from", "to") if request.args.get(key)}
    return raw, forms.load(RangeQuery(), raw)


def participation():
    """Answers and participation per week."""
    raw, query = _range()
    rows = statistics.weeks(*_context(), **query)
    bars = [Bar(row["week"], row["answers"], str(row["answers"]), reason_text(row["reason"])) for row in rows]
    return page(
        "office/statistics.html",
        rows=list(reversed(rows)),
        chart=bar_chart("chart-weeks", t("Antwoorden per week"), bars[-16:]),
        filters=raw,
        reason_text=reason_text,
    )


def awareness():
    """The share of answers on options that fit the code, per chapter and week."""
    raw = {key: request.args[key] for key in ("from", "to", "category") if request.args.get(key)}
    query = forms.load(AwarenessQuery(), raw)
    result = statistics.awareness(*_context(), **query)
    charts = {}
    for chapter in result["chapters"]:
        points = [
            Bar(
                week["week"][5:],
                week["aligned_share"],
                f"{round(week['aligned_share'] * 100)}%" if week["aligned_share"] is not None else "",
                reason_text(week["reason"]),
            )
            for week in chapter["weeks"]
        ]
        charts[chapter["chapter"]] = line_chart(
            f"chart-awareness-{chapter['chapter']}",
            t("Aandeel antwoorden dat past bij de code, hoofdstuk {c}").format(c=chapter["chapter"]),
            points,
        )
    return page(
        "office/awareness.html",
        result=result,
        charts=charts,
        filters=raw,
        categories=categories(db_session()),
        reason_text=reason_text,
    )


def grey_zones():
    """How divided the answers are per chapter, and the dilemmas rated easy."""
    result = statistics.grey_zones(*_context())
    bars = [
        Bar(
            f"{t('Hoofdstuk')} {c['chapter']}",
            c["entropy"],
            number(c["entropy"], 2, locale()) if c["entropy"] is not None else "",
            t("geen getoonde antwoorden"),
        )
        for c in result["chapters"]
    ]
    return page(
        "office/grey_zones.html",
        result=result,
        chart=bar_chart(
            "chart-grey", t("Verdeeldheid per hoofdstuk (0 = iedereen eens, 1 = helemaal verdeeld)"), bars, maximum=1
        ),
    )


def meeting_statistics():
    """The teams' meetings per chapter of the code over the weeks that
    closed: sessions held, the mean shift between the rounds, agreements per
    theme, each with its margin or suppressed; the same function and rules
    as ``GET /admin/stats/meetings``."""
    rows = meetings.by_chapter(db_session(), actor(), request_time())
    bars = [
        Bar(
            f"{t('Hoofdstuk')} {r['chapter']}",
            r["sessions"],
            f"{r['sessions']} (± {r['sessions_margin']})" if r["sessions"] is not None else "",
            meeting_reason_text(r["sessions_reason"]),
        )
        for r in rows
    ]
    return page(
        "office/meeting_statistics.html",
        rows=rows,
        caps=meetings.CAPS,
        reason_text=meeting_reason_text,
        chart=bar_chart("chart-meetings", t("Sessies per hoofdstuk van de gedragscode"), bars) if bars else None,
    )


def meeting_reason_text(reason: str | None) -> str:
    if reason == meetings.TOO_FEW_MEETINGS:
        return t("onderdrukt: te weinig teamsessies voor een betrouwbaar cijfer")
    return ""
MISPERCEPTION_GROUPS = {"aligned": "Past bij de code", "conflicts": "Botst met de code"}


def misperception_reason(reason: str | None) -> str:
    if reason == NOT_MARKED:
        return t("geen optie zo gemarkeerd")
    return reason_text(reason)


def misperception_page():
    """Predictions against reality per chapter and per dilemma: the same
    function and rules as ``GET /admin/stats/misperception``."""
    raw, query = _range()
    result = misperception(*_context(), **query)
    charts = {}
    for group in GROUPS:
        bars = []
        for chapter in result["chapters"]:
            seen = chapter[group]
            name = f"{t('H.')} {chapter['chapter']}"
            for label, key in ((t("ingeschat"), "predicted"), (t("werkelijk"), "real")):
                value = seen[key]
                shown = f"{value:.0f}%" if value is not None else ""
                bars.append(Bar(f"{name} {label}", value, shown, misperception_reason(seen["reason"])))
        title = t("{g}: ingeschat en werkelijk aandeel per hoofdstuk").format(g=t(MISPERCEPTION_GROUPS[group]))
        charts[group] = bar_chart(f"chart-misperception-{group}", title, bars, maximum=100) if bars else None
    return page(
        "office/misperception.html",
        result=result,
        charts=charts,
        groups=MISPERCEPTION_GROUPS,
        filters=raw,
        reason_text=misperception_reason,
    )


def one_dilemma(dilemma_id: int):
    """One dilemma: spreads per organisation and per mode, and its difficulty."""
    result = statistics.dilemma(db_session(), actor(), dilemma_id, *_context()[2:])
    charts = []
    for index, group in enumerate([*result["spreads"], *result["by_mode"]]):
        name = group.get("name") or f"{t('Manier')}: {t(LABELS['mode'][group['mode']])}"
        if group["suppressed"]:
            bars = [Bar("A-D", None, "", t("onderdrukt"))]
        else:
            bars = [Bar(o["key"], o["count"], f"{o['count']} ({o['percent']}%)") for o in group["options"]]
        charts.append(
            {"name": name, "group": group, "chart": bar_chart(f"chart-spread-{index}", name, bars, width=360)}
        )
    difficulty = result["difficulty"]
    if difficulty["suppressed"]:
        difficulty_bars = [Bar("1-5", None, "", reason_text(difficulty["reason"]))]
    else:
        difficulty_bars = [Bar(k, v, str(v)) for k, v in difficulty["histogram"].items()]
    return page(
        "office/dilemma_statistics.html",
        result=result,
        charts=charts,
        shift_charts=shift_charts(result["shift"]),
        live_chart=live_chart(result["live"]),
        difficulty_chart=bar_chart(
            "chart-difficulty", t("Hoe moeilijk (1 = makkelijk, 5 = heel moeilijk)"), difficulty_bars, width=480
        ),
        reason_text=reason_text,
    )


def live_chart(live: dict | None, chart_id: str = "chart-live"):
    """The live figure of all colleagues as bars of percentages (None
    while there is none to show)."""
    if live is None or live["suppressed"]:
        return None
    bars = [Bar(o["key"], o["percent"], f"{o['percent']}%") for o in live["options"]]
    title = t("Live: alle collega's tot nu toe, marge ± {m} procentpunt").format(m=live["margin"])
    return bar_chart(chart_id, title, bars, maximum=100, width=360)


def shift_charts(shift: dict | None) -> list[dict]:
    """Per scope whose two editions are both shown: the shift per option
    and in the aligned share, as a chart with its table."""
    if shift is None:
        return []
    out = []
    for index, scope in enumerate(shift["scopes"]):
        rows = [Shift(f"{t('Optie')} {o['key']}", o["points"], o["margin"]) for o in scope["options"] or []]
        if scope["aligned"] is not None:
            rows.append(Shift(t("Past bij de code"), scope["aligned"]["points"], scope["aligned"]["margin"]))
        title = t("Verschuiving in procentpunten, {name}").format(name=scope["name"])
        chart = shift_chart(f"chart-shift-{index}", title, rows) if rows and not scope["suppressed"] else None
        out.append({"scope": scope, "rows": rows, "chart": chart})
    return out


def download(kind: str):
    """The CSV of a statistic, exactly as the admin API gives it."""
    if kind == "weeks":
        _raw, query = _range()
        return as_csv(weeks_figures(statistics.weeks(*_context(), **query)), "weeks")
    if kind == "awareness":
        raw = {key: request.args[key] for key in ("from", "to", "category") if request.args.get(key)}
        return as_csv(
            awareness_figures(statistics.awareness(*_context(), **forms.load(AwarenessQuery(), raw))), "awareness"
        )
    if kind == "grey-zones":
        return as_csv(grey_zone_figures(statistics.grey_zones(*_context())), "grey-zones")
    if kind == "misperception":
        _raw, query = _range()
        return as_csv(misperception_figures(misperception(*_context(), **query)), "misperception")
    if kind.startswith("dilemma-") and kind[8:].isdigit() and len(kind) < 20:
        dilemma_id = int(kind[8:])
        result = statistics.dilemma(db_session(), actor(), dilemma_id, *_context()[2:])
        return as_csv(dilemma_figures(result), f"dilemma-{dilemma_id}")
    abort(404)
