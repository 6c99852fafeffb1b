"""Statistics as rows of figures, one per number (the CSV the office
downloads): the same rows whether the admin API or the console asks."""

from __future__ import annotations

from scoring.meetings import TOO_FEW_MEETINGS


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
            out.append(figure(*base, "joint_answers", row.get("joint_answers"), TOO_FEW_MEETINGS))
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
    for scope in (result.get("shift") or {}).get("scopes", []):
        # A re-run's shift since the previous edition, in points, each with its margin.
        changes = [(option["key"], option) for option in scope["options"] or []]
        if scope["aligned"] is not None:
            changes.append(("aligned", scope["aligned"]))
        if scope["suppressed"]:
            out.append(figure(scope["name"], week, dilemma_id, "shift", None, scope["reason"]))
        for name, change in changes:
            out.append(figure(scope["name"], week, dilemma_id, f"shift:{name}", change["points"]))
            out.append(figure(scope["name"], week, dilemma_id, f"shift:{name}:margin", change["margin"]))
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
