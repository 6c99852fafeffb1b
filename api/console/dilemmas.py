"""The console's pages about dilemmas: this week, the list, the editor, one
dilemma with its revisions and workflow, and the calendar. Each view reads
the form, calls the admin API's service, and renders."""

from __future__ import annotations

import difflib
from datetime import timedelta

from flask import Blueprint, abort, redirect, request, url_for

from api.console import forms
from api.console.pages import actor, form_dict, page, submission, t
from api.console.statistics import live_chart
from api.office.schemas import ListQuery, RequestChangesIn
from api.platform.context import request_time, settings
from api.platform.db import db_session
from dilemmas.errors import DomainError, Forbidden
from dilemmas.model.content import ALIGNMENTS, AUDIENCES, OPTION_KEYS, STATUSES
from dilemmas.office import authoring, editions, listing, review
from dilemmas.office.authoring import EDITABLE, TRANSITIONS, workflow_actions
from dilemmas.office.calendar import schedule, schedule_view
from dilemmas.office.scope import organisations_in_scope
from dilemmas.reads import code
from dilemmas.reads.content import categories
from dilemmas.reads.editions import next_edition
from dilemmas.reads.organisations import names_by_slug
from dilemmas.weeks import Week, week_of, weeks_in_year
from push import campaigns
from scoring import answered, statistics

PAGE_SIZE = 20
# Planning is one choice: ten at a time keeps the button in reach on a phone.
PLAN_PAGE = 10
COMING_WEEKS = 8
CALENDAR_WEEKS = 26
# The steps of the review thread a person wants to read (not every save).
SPOKEN = ("submit", "approve", "request-changes", "archive", "unschedule", "comment")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/", "this_week", this_week)
    blp.add_url_rule("/dilemmas", "dilemmas", dilemma_list)
    blp.add_url_rule("/dilemmas/new", "new_dilemma", new_dilemma, methods=["GET", "POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>", "dilemma", dilemma_page)
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/edit", "edit_dilemma", edit_dilemma, methods=["GET", "POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/delete", "delete_dilemma", delete_dilemma, methods=["POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/schedule", "schedule_dilemma", schedule_dilemma, methods=["POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/comment", "comment_dilemma", comment_dilemma, methods=["POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/editions", "run_again", run_again, methods=["POST"])
    blp.add_url_rule("/dilemmas/<int:dilemma_id>/<action>", "transition", transition, methods=["POST"])
    blp.add_url_rule("/calendar", "calendar", calendar)
    blp.add_url_rule("/calendar/plan", "plan_week", plan_week, methods=["GET", "POST"])


# ------------------------------------------------------------ this week


def this_week():
    """The current dilemma of each organisation, its answers so far (as far
    as the anonymity rules allow), its weekly push, and the coming gaps."""
    session, who, now = db_session(), actor(), request_time()
    start = week_of(now, who.organisation.timezone)
    rows = schedule_view(session, who, now, start, Week.of(start.monday + timedelta(weeks=COMING_WEEKS)))
    current = [row for row in rows if row.week == str(start)]
    gaps = _gaps(rows, str(start))
    pushes = {
        (c.organisation, c.dilemma_id): c
        for c in reversed(campaigns.list_campaigns(session, now, who.scope, kind="weekly", limit=20))
    }
    spreads, spreads_refused = {}, None
    for row in current:
        if row.dilemma is None or row.dilemma.id in spreads:
            continue
        try:
            spreads[row.dilemma.id] = statistics.dilemma(session, who, row.dilemma.id, now, settings().thresholds)
        except Forbidden:
            spreads_refused = "role"
    return page(
        "office/this_week.html",
        todo=review.to_do(session, who),
        names=names_by_slug(session),
        week=str(start),
        current=current,
        gaps=gaps,
        pushes=pushes,
        spreads=spreads,
        spreads_refused=spreads_refused,
        live_charts={
            row.organisation.slug: live_chart(spreads[row.dilemma.id]["live"], f"chart-live-{row.organisation.slug}")
            for row in current
            if row.dilemma is not None and row.dilemma.id in spreads
        },
    )


def _gaps(rows, this_week: str) -> list[tuple[object, list]]:
    """The coming weeks without a dilemma, as (row, also): a part whose
    parent has the same gap is folded into the parent's entry, since
    planning the parent's week fills the part's too (it inherits it)."""
    gap_rows = [row for row in rows if row.source == "gap" and row.week != this_week]
    gapped = {(row.week, row.organisation.id) for row in gap_rows}
    folded: dict[tuple[str, int], list] = {}
    entries = []
    for row in gap_rows:
        parent = row.organisation.parent_id
        if parent is not None and (row.week, parent) in gapped:
            folded.setdefault((row.week, parent), []).append(row.organisation)
        else:
            entries.append(row)
    return [(row, folded.get((row.week, row.organisation.id), [])) for row in entries]


# ------------------------------------------------------------ dilemmas


def dilemma_list():
    """The dilemmas with the admin API's filters."""
    session, who = db_session(), actor()
    raw = {key: value for key, value in request.args.items() if value and key != "page"}
    query, errors = {}, {}
    try:
        query = forms.load(ListQuery(), raw)
    except forms.FormInvalid as invalid:
        errors = invalid.errors
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    found, facts = None, {}
    if not errors:
        try:
            found = listing.search(session, who, page_number, PAGE_SIZE, **query)
            facts = answered.facts_of(session, settings().thresholds, [d.id for d in found.items], request_time())
        except DomainError as error:
            errors = {"organisation": [error.detail]}
    return page(
        "office/dilemmas.html",
        found=found,
        facts=facts,
        filters=raw,
        errors=errors,
        page_number=page_number,
        page_size=PAGE_SIZE,
        statuses=STATUSES,
        categories=categories(session),
        organisations=organisations_in_scope(session, who),
    )


def _editor(values: dict, errors: dict, dilemma=None, status: int = 200):
    session, who = db_session(), actor()
    organisation = who.organisation
    if dilemma is not None:
        organisation = next(o for o in organisations_in_scope(session, who) if o.id == dilemma.organisation_id)
    return page(
        "office/editor.html",
        status,
        values=values,
        errors=errors,
        dilemma=dilemma,
        categories=categories(session),
        audiences=AUDIENCES,
        alignments=ALIGNMENTS,
        option_keys=OPTION_KEYS,
        chapters=code.chapters_for(session, organisation),
        organisations=organisations_in_scope(session, who),
    )


def new_dilemma():
    """Write a new draft (author role)."""
    if request.method == "GET":
        actor().require("author")
        return _editor({"audience": "iedereen", "code_refs": []}, {})
    form = form_dict()
    with submission() as outcome:
        body = forms.new_dilemma(form)
        created = authoring.create(db_session(), actor(), request_time(), body)
        return redirect(url_for("office.dilemma", dilemma_id=created.id, saved=1), 303)
    return _editor(forms.posted_values(form), outcome.errors, status=outcome.status)


def edit_dilemma(dilemma_id: int):
    """Change a dilemma: a new revision (author role)."""
    session, who = db_session(), actor()
    dilemma = authoring.get(session, who, dilemma_id)
    if request.method == "GET":
        who.require("author")
        return _editor(forms.as_form(dilemma), {}, dilemma)
    form = form_dict()
    with submission() as outcome:
        changes = forms.changed_dilemma(form)
        authoring.update(session, who, request_time(), dilemma_id, changes)
        return redirect(url_for("office.dilemma", dilemma_id=dilemma_id, saved=1), 303)
    dilemma = authoring.get(session, who, dilemma_id)
    return _editor(forms.posted_values(form), outcome.errors, dilemma, status=outcome.status)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word by word: ("same" | "removed" | "added", text)."""
    old, new = before.split(" "), after.split(" ")
    parts: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            parts.append(("removed", " ".join(old[a1:a2])))
        if b2 > b1:
            parts.append(("added", " ".join(new[b1:b2])))
    return parts


OPTION_PARTS = {"text": "tekst", "alignment": "past bij de code?", "feedback": "toelichting"}


def readable_changes(changes: dict) -> list[dict]:
    """A revision's changes as the page shows them: per field (and per
    option), the words removed and added."""
    out = []
    for field, change in changes.items():
        if field == "options":
            for key, old, new in zip(OPTION_KEYS, change["from"], change["to"], strict=True):
                for part in ("text", "alignment", "feedback"):
                    if old.get(part) != new.get(part):
                        out.append(
                            {
                                "field": f"{t('Optie')} {key}: {t(OPTION_PARTS[part])}",
                                "diff": word_diff(old.get(part) or "", new.get(part) or ""),
                            }
                        )
        elif field == "code_refs":
            out.append({"field": field, "diff": word_diff(" ".join(change["from"]), " ".join(change["to"]))})
        else:
            out.append({"field": field, "diff": word_diff(change["from"] or "", change["to"] or "")})
    return out


def buttons_for(dilemma) -> dict:
    """The workflow actions this person may take now: the state allows them
    and the role does; approving a revision one wrote is four-eyes refused."""
    who = actor()
    allowed, own_revision = [], dilemma.current.author == who.name
    for action in workflow_actions(dilemma.status):
        if action == "schedule" or not who.can(*TRANSITIONS[action].roles):
            continue
        if action in ("approve", "request-changes") and own_revision:
            continue
        allowed.append(action)
    return {
        "actions": allowed,
        "four_eyes": dilemma.status == "in_review" and own_revision and who.can("reviewer"),
        "can_schedule": dilemma.status == "approved" and who.can("publisher"),
        "can_edit": dilemma.status in EDITABLE and who.can("author"),
        "can_delete": dilemma.status in ("draft", "changes_requested") and who.can("author"),
    }


def upcoming_weeks(dilemma) -> list[str]:
    """Weeks a dilemma can still be put on: from next week, half a year ahead."""
    first = week_of(request_time(), actor().organisation.timezone)
    return [str(Week.of(first.monday + timedelta(weeks=n))) for n in range(1, 27)]


def edition_facts(dilemma) -> dict:
    """The editions around this one, and whether this person may run it
    again now: the weeks offered start at the earliest the setting allows."""
    session, who, now = db_session(), actor(), request_time()
    facts = {"previous": dilemma.previous_edition_id, "next": next_edition(session, dilemma.id), "weeks": []}
    if who.can("publisher") and editions.can_run_again(session, dilemma, now):
        earliest = editions.earliest_week(session, dilemma.id, settings().edition_min_weeks)
        first = max(earliest, Week.of(week_of(now, who.organisation.timezone).monday + timedelta(weeks=1)))
        facts["weeks"] = [str(Week.of(first.monday + timedelta(weeks=n))) for n in range(26)]
    return facts


def dilemma_page(dilemma_id: int, errors: dict | None = None, status: int = 200):
    """One dilemma: its text, its state and week, the actions allowed, and
    its revisions with what changed."""
    session, who = db_session(), actor()
    dilemma = authoring.get(session, who, dilemma_id)
    facts = answered.facts_of(session, settings().thresholds, [dilemma.id], request_time())[dilemma.id]
    history = authoring.revision_history(session, who, dilemma_id)
    thread = review.notes(session, who, dilemma_id)
    for revision in history:
        revision["readable"] = readable_changes(revision["changes"])
        revision["notes"] = [n for n in thread if n.revision == revision["number"] and n.action in SPOKEN]
    asked = next((n for n in reversed(thread) if n.action == "request-changes"), None)
    return page(
        "office/dilemma.html",
        status,
        dilemma=dilemma,
        facts=facts,
        history=list(reversed(history)),
        buttons=buttons_for(dilemma),
        weeks=upcoming_weeks(dilemma),
        editions=edition_facts(dilemma),
        thread=[n for n in thread if n.action in SPOKEN],
        asked=asked if dilemma.status == "changes_requested" else None,
        errors=errors or {},
        saved=request.args.get("saved") == "1",
        done=request.args.get("done"),
    )


def transition(dilemma_id: int, action: str):
    """submit, approve, request-changes, unschedule or archive."""
    if action not in TRANSITIONS or action == "schedule":
        abort(404)
    session = db_session()
    form = form_dict()
    comment = form.get("comment") or None
    if action == "request-changes":
        try:
            comment = forms.load(RequestChangesIn(), {"comment": comment or ""})["comment"]
        except forms.FormInvalid as invalid:
            return dilemma_page(dilemma_id, invalid.errors, 422)
    with submission() as outcome:
        authoring.transition(session, actor(), request_time(), dilemma_id, action, comment)
    if outcome.errors:
        return dilemma_page(dilemma_id, outcome.errors, outcome.status)
    back = request.form.get("back")
    if back == "calendar":
        return redirect(url_for("office.calendar", year=request.form.get("year") or None, done=action), 303)
    return redirect(url_for("office.dilemma", dilemma_id=dilemma_id, done=action), 303)


def schedule_dilemma(dilemma_id: int):
    """Put an approved dilemma on a week (publisher role)."""
    session = db_session()
    with submission() as outcome:
        week = forms.week(request.form.get("week", ""))
        schedule(session, actor(), request_time(), dilemma_id, week, settings().edition_min_weeks)
    if outcome.errors:
        return dilemma_page(dilemma_id, outcome.errors, outcome.status)
    if request.form.get("back") == "calendar":
        return redirect(url_for("office.calendar", done="schedule"), 303)
    return redirect(url_for("office.dilemma", dilemma_id=dilemma_id, done="schedule"), 303)


def run_again(dilemma_id: int):
    """Run a dilemma again as a new edition on a week (publisher role)."""
    session = db_session()
    with submission() as outcome:
        week = forms.week(request.form.get("week", ""))
        edition = editions.run_again(session, actor(), request_time(), dilemma_id, week, settings().edition_min_weeks)
        return redirect(url_for("office.dilemma", dilemma_id=edition.id, done="run_again"), 303)
    return dilemma_page(dilemma_id, outcome.errors, outcome.status)


def comment_dilemma(dilemma_id: int):
    """A remark in the dilemma's review thread."""
    with submission() as outcome:
        review.comment(db_session(), actor(), request_time(), dilemma_id, form_dict().get("remark", ""))
    if outcome.errors:
        errors = {"remark" if name == "comment" else name: texts for name, texts in outcome.errors.items()}
        return dilemma_page(dilemma_id, errors, outcome.status)
    return redirect(url_for("office.dilemma", dilemma_id=dilemma_id, done="comment") + "#revisions", 303)


def delete_dilemma(dilemma_id: int):
    """Delete an unanswered draft (author role)."""
    session = db_session()
    with submission() as outcome:
        authoring.remove(session, actor(), request_time(), dilemma_id)
    if outcome.errors:
        return dilemma_page(dilemma_id, outcome.errors, outcome.status)
    return redirect(url_for("office.dilemmas", done="delete"), 303)


# ------------------------------------------------------------ calendar


def calendar():
    """The year's weeks per organisation: own, inherited, automatic or a gap."""
    session, who, now = db_session(), actor(), request_time()
    this = week_of(now, who.organisation.timezone)
    year = request.args.get("year", type=int)
    if year is None:
        # From this week on: the weeks still to plan, not a year of past ones.
        rows = schedule_view(session, who, now, this, Week.of(this.monday + timedelta(weeks=CALENDAR_WEEKS - 1)))
    else:
        year = min(max(year, this.year - 5), this.year + 5)
        rows = schedule_view(session, who, now, Week(year, 1), Week(year, weeks_in_year(year)))
    organisations = organisations_in_scope(session, who)
    weeks: dict[str, dict[str, object]] = {}
    for row in rows:
        weeks.setdefault(row.week, {})[row.organisation.slug] = row
    return page(
        "office/calendar.html",
        year=year,
        this_year=this.year,
        names=names_by_slug(session),
        this_week=str(this),
        weeks=weeks,
        organisations=organisations,
        can_plan=who.can("publisher"),
        done=request.args.get("done"),
    )


def plan_week():
    """One question: which approved dilemma goes on this week? Searched and
    filtered, each one can be read in the preview before it is chosen
    (publisher role)."""
    who = actor()
    if request.method == "POST":
        dilemma_id = request.form.get("dilemma_id", type=int)
        if not dilemma_id:
            return _plan_page(request.form, {"dilemma_id": [t("Kies een dilemma.")]}, 422)
        return schedule_dilemma(dilemma_id)
    who.require("publisher")
    return _plan_page(request.args, {})


def _plan_page(values, errors: dict, status: int = 200):
    session, who = db_session(), actor()
    week = forms.week(values.get("week", ""))
    organisation = values.get("organisation") or who.organisation.slug
    filters = {
        "text": (values.get("q") or "").strip()[:100] or None,
        "category": values.get("category") or None,
        "audience": values.get("audience") if values.get("audience") in AUDIENCES else None,
    }
    filters.update(status="approved", organisation=organisation)
    page_number = max(1, values.get("page", 1, type=int) or 1)
    found = listing.search(session, who, page_number, PLAN_PAGE, **filters)
    last = max(1, -(-found.total // PLAN_PAGE))
    if page_number > last:
        # A page past the end (a bookmark, a filter narrowed): its last page.
        page_number = last
        found = listing.search(session, who, last, PLAN_PAGE, **filters)
    chosen = values.get("preview", type=int)
    preview = next((d for d in found.items if d.id == chosen), None)
    return page(
        "office/plan_week.html",
        status,
        week=str(week),
        organisation=organisation,
        organisation_name=names_by_slug(session).get(organisation, organisation),
        candidates=found.items,
        total=found.total,
        page_number=page_number,
        last_page=last,
        first_shown=(page_number - 1) * PLAN_PAGE + 1,
        filters=values,
        filtered=any(filters[name] for name in ("text", "category", "audience")),
        categories=categories(session),
        audiences=AUDIENCES,
        preview=preview,
        errors=errors,
    )
