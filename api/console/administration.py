"""The console's other pages: the code book, the suggestions inbox, push
campaigns and the ad hoc push, tokens and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, redirect, request, url_for

from api.console import forms
from api.console.labels import LABELS
from api.console.pages import actor, form_dict, locale, page, submission, t
from api.office.schemas import AdhocIn, AuditQuery, SectionIn, SuggestionPatch, TokenIn
from api.platform import formats
from api.platform.context import request_time, server_secret, settings
from api.platform.db import db_session
from dilemmas.model.admins import ROLES
from dilemmas.model.suggestions import STATUSES as SUGGESTION_STATUSES
from dilemmas.office import admin_tokens, codebook, suggestions
from dilemmas.office.audit import audit_trail, object_names
from dilemmas.office.calendar import schedule_view
from dilemmas.office.scope import organisations_in_scope
from dilemmas.reads import code
from dilemmas.reads.organisations import names_by_slug
from dilemmas.weeks import Week, week_of
from push import campaigns
from push.campaigns import BODY_MAX, TITLE_MAX

PAGE_SIZE = 25
WEEK = re.compile(r"^\d{4}-W\d{2}$")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/code", "code_book", code_book)
    blp.add_url_rule("/code/<ref>", "code_section", code_section, methods=["GET", "POST"])
    blp.add_url_rule("/suggestions", "suggestions", suggestion_inbox)
    blp.add_url_rule("/suggestions/<int:suggestion_id>", "suggestion_status", suggestion_status, methods=["POST"])
    blp.add_url_rule("/suggestions/<int:suggestion_id>/draft", "suggestion_draft", suggestion_draft, methods=["POST"])
    blp.add_url_rule("/push", "push", push, methods=["GET", "POST"])
    blp.add_url_rule("/tokens", "tokens", tokens, methods=["GET", "POST"])
    blp.add_url_rule("/tokens/<int:token_id>/revoke", "revoke_token", revoke_token, methods=["POST"])
    blp.add_url_rule("/audit", "audit", audit)


# ------------------------------------------------------------ code book


def code_book():
    """The code of conduct as the person's organisation reads it."""
    session, who = db_session(), actor()
    return page("office/code_book.html", chapters=code.chapters_for(session, who.organisation))


def code_section(ref: str):
    """One section with its versions; editing it (author role) makes a new
    version and flags the dilemmas that refer to it, listed beside the form."""
    session, who = db_session(), actor()
    section, flagged = codebook.editable_section(session, who, ref)
    errors, values = {}, {"title": section.title, "text": section.text}
    if request.method == "POST":
        form = form_dict()
        values = {"title": form.get("title", ""), "text": form.get("text", "")}
        with submission() as outcome:
            body = forms.load(SectionIn(), values)
            codebook.edit_section(session, who, request_time(), ref, **body)
            return redirect(url_for("office.code_section", ref=ref, saved=1), 303)
        errors = outcome.errors
        section, flagged = codebook.editable_section(session, who, ref)
    return page(
        "office/code_section.html",
        422 if errors else 200,
        section=section,
        flagged=flagged,
        values=values,
        errors=errors,
        can_edit=who.can("author"),
        saved=request.args.get("saved") == "1",
    )


# ------------------------------------------------------------ suggestions


def suggestion_inbox():
    """The inbox of anonymous suggestions, newest first, with a status filter."""
    session, who = db_session(), actor()
    status = request.args.get("status") or None
    if status not in (None, *SUGGESTION_STATUSES):
        status = None
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = suggestions.inbox(session, who, page_number, PAGE_SIZE, status=status)
    return page(
        "office/suggestions.html",
        rows=rows,
        total=total,
        status=status,
        statuses=SUGGESTION_STATUSES,
        page_number=page_number,
        page_size=PAGE_SIZE,
        can_draft=who.can("author"),
        done=request.args.get("done"),
    )


def suggestion_status(suggestion_id: int):
    """Triage: set a suggestion's status."""
    body = forms.load(SuggestionPatch(), {"status": request.form.get("status", "")})
    suggestions.set_status(db_session(), actor(), request_time(), suggestion_id, body["status"])
    return redirect(url_for("office.suggestions", status=request.form.get("filter") or None, done="status"), 303)


def suggestion_draft(suggestion_id: int):
    """Turn a suggestion into a draft dilemma (author role), then edit it."""
    dilemma = suggestions.draft_from(db_session(), actor(), request_time(), suggestion_id)
    return redirect(url_for("office.edit_dilemma", dilemma_id=dilemma.id), 303)


# ------------------------------------------------------------ push

PUSHABLE_WEEKS = 8


def _pushable(session, who, now) -> list:
    """The dilemmas a push can open: this week's and those of the weeks
    before it, newest first (a phone opens only what its week made visible)."""
    this = week_of(now, who.organisation.timezone)
    rows = schedule_view(session, who, now, Week.of(this.monday - timedelta(weeks=PUSHABLE_WEEKS)), this)
    seen, found = set(), []
    for row in reversed(rows):
        if row.organisation.id == who.organisation.id and row.dilemma is not None and row.dilemma.id not in seen:
            seen.add(row.dilemma.id)
            found.append(row)
    return found


def push():
    """Campaigns with their progress; an ad hoc push with a preview (publisher role)."""
    session, who, now = db_session(), actor(), request_time()
    errors, values, preview = {}, {}, None
    if request.method == "POST":
        form = form_dict()
        values = {key: form.get(key, "") for key in ("title", "body", "dilemma_id", "organisation")}
        body = {"kind": "adhoc", "title": values["title"], "body": values["body"]}
        if values["dilemma_id"]:
            body["dilemma_id"] = forms.whole_number(values["dilemma_id"])
        if values["organisation"]:
            body["organisation"] = values["organisation"]
        with submission() as outcome:
            loaded = forms.load(AdhocIn(), body)
            if form.get("step") == "preview":
                preview = loaded
            else:
                campaigns.adhoc_push(
                    session,
                    now,
                    settings().push(),
                    who,
                    loaded["title"],
                    loaded["body"],
                    loaded.get("dilemma_id"),
                    loaded.get("organisation"),
                )
                return redirect(url_for("office.push", done="sent"), 303)
        errors = outcome.errors
    organisations = organisations_in_scope(session, who)
    return page(
        "office/push.html",
        422 if errors else 200,
        campaigns=campaigns.list_campaigns(session, now, who.scope, limit=50),
        can_push=who.can("publisher"),
        organisations=organisations,
        reach={o.slug: campaigns.adhoc_reach(session, o.id) for o in organisations},
        names=names_by_slug(session),
        pushable=_pushable(session, who, now),
        errors=errors,
        values=values,
        preview=preview,
        title_max=TITLE_MAX,
        body_max=BODY_MAX,
        done=request.args.get("done"),
    )


# ------------------------------------------------------------ tokens and audit


def tokens():
    """Tokens in reach (admin role); minting one shows it once."""
    session, who = db_session(), actor()
    errors, values, minted = {}, {"days": "90"}, None
    if request.method == "POST":
        form = form_dict()
        values = {key: form.get(key, "") for key in ("name", "role", "organisation", "days")}
        with submission() as outcome:
            typed = {**values, "days": forms.whole_number(values["days"])}
            body = forms.load(TokenIn(), {k: v for k, v in typed.items() if v})
            token, plain = admin_tokens.issue(
                session,
                server_secret(),
                request_time(),
                who,
                body["name"],
                body["role"],
                body.get("organisation"),
                body["days"],
            )
            minted = {"name": token.name, "role": token.role, "token": plain}
            values = {"days": "90"}
        errors = outcome.errors
    return page(
        "office/tokens.html",
        422 if errors else (201 if minted else 200),
        tokens=admin_tokens.tokens_in_scope(session, who),
        organisations=organisations_in_scope(session, who),
        roles=ROLES,
        errors=errors,
        values=values,
        minted=minted,
        person=person,
        now=request_time(),
        done=request.args.get("done"),
    )


def revoke_token(token_id: int):
    """Revoke a token at once (admin role)."""
    admin_tokens.revoke(db_session(), actor(), token_id, request_time())
    return redirect(url_for("office.tokens", done="revoked"), 303)


ACTOR_LABEL = re.compile(r"^(?P<name>.*) \((?P<role>[a-z_]+)\)$")
MACHINES = {"content": "De inhoudsbank (kompas init)", "cli": "De opdrachtregel", "system": "Kompas zelf"}


def person(label: str | None) -> str:
    """Who did something, as stored ("Bea Beheer (admin)", "cli"), as a
    person reads it: the role in Dutch, the machines by what they are."""
    match = ACTOR_LABEL.match(label or "")
    if match:
        return f"{match['name']} ({t(LABELS['role'].get(match['role'], match['role']))})"
    return t(MACHINES.get(label or "", label or ""))


def readable_entry(entry, names: dict | None = None) -> dict:
    """A Logboek entry as a person reads it: who (with the role in Dutch),
    what they did as a sentence, what it was done to by its name (``names``
    from ``object_names``), and the details by their Dutch names."""
    who = person(entry.actor)
    details = []
    for key, value in (entry.details or {}).items():
        if value is None or value == "":
            continue
        if key == "fields" and isinstance(value, list):
            value = ", ".join(t(LABELS["field"].get(f, f)).lower() for f in value)
        elif key in ("before", "after"):
            value = t(LABELS["status"].get(value, value))
        elif key == "week" and isinstance(value, str) and WEEK.match(value):
            value = formats.week_label(value, locale(), with_year=True)
        elif key == "role":
            value = t(LABELS["role"].get(value, value))
        details.append((t(LABELS["detail"].get(key, key.replace("_", " "))), value))
    return {
        "at": entry.at,
        "who": who,
        "what": t(LABELS["audit"].get(entry.action, entry.action)),
        "code": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_name": (names or {}).get((entry.object_type, entry.object_id)),
        "details": details,
    }


def audit():
    """Every admin action in reach, newest first (admin role)."""
    session, who = db_session(), actor()
    raw = {key: value for key, value in request.args.items() if value and key in ("action", "actor")}
    query = forms.load(AuditQuery(), raw)
    page_number = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = audit_trail(session, who, page_number, PAGE_SIZE, action=query.get("action"), by=query.get("actor"))
    names = object_names(session, rows)
    return page(
        "office/audit.html",
        rows=[readable_entry(e, names) for e in rows],
        actions=sorted(LABELS["audit"].items(), key=lambda item: t(item[1])),
        total=total,
        filters=raw,
        page_number=page_number,
        page_size=PAGE_SIZE,
    )
