"""Writing dilemmas in the integrity office: drafts, revisions, the
four-eyes workflow and the week schedule.

Workflow (every transition is refused with the allowed ones named)::

    draft -> in_review -> approved -> scheduled -> published -> archived
                 |  ^
                 v  |
         changes_requested

A reviewer never approves (or sends back) a revision they wrote. A
scheduled dilemma publishes itself when its week starts (schedule.begin_week).
Every change is a new revision; answers keep pointing at the revision they
answered, and option texts never change once a dilemma has answers.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.orm import Session

from dilemmas import audit
from dilemmas.admins import Actor, organisation_in_scope
from dilemmas.answers import Answer
from dilemmas.base import page_window
from dilemmas.code import CodeSection, fold, record_version
from dilemmas.dilemmas import Category, Dilemma, Option, Revision, revision_sections, with_content
from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound, UnknownReference
from dilemmas.organisations import Organisation, chain
from dilemmas.schedule import ScheduledWeek, placement_of
from dilemmas.upsert import insert_ignoring_conflicts
from dilemmas.weeks import Week, week_of


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: tuple[str, ...]


TRANSITIONS = {
    "submit": Transition(frozenset({"draft", "changes_requested"}), "in_review", ("author",)),
    "approve": Transition(frozenset({"in_review"}), "approved", ("reviewer",)),
    "request-changes": Transition(frozenset({"in_review"}), "changes_requested", ("reviewer",)),
    "schedule": Transition(frozenset({"approved"}), "scheduled", ("publisher",)),
    "unschedule": Transition(frozenset({"scheduled"}), "approved", ("publisher",)),
    "archive": Transition(
        frozenset({"draft", "changes_requested", "approved", "published"}), "archived", ("publisher",)
    ),
}
EDITABLE = frozenset({"draft", "changes_requested", "in_review", "approved", "published"})
CONTENT_FIELDS = ("title", "situation", "explanation", "options", "code_refs")


REVIEWS = ("approve", "request-changes")


def own_review(action: str, actor: Actor, author: str) -> bool:
    """Four-eyes: a reviewer never reviews a revision they wrote."""
    return action in REVIEWS and author == actor.name


def allowed_actions(status: str, actor: Actor | None = None, author: str | None = None) -> list[str]:
    """The transitions possible from ``status``; for an ``actor``, only those
    its role allows and that four-eyes does not forbid on a revision by
    ``author``: the checks that ``transition`` and ``schedule`` make."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if status in t.sources and (actor is None or (actor.can(*t.roles) and not own_review(name, actor, author)))
    ]


def _refuse(action: str, dilemma: Dilemma, actor: Actor) -> Conflict:
    status = dilemma.status
    allowed = allowed_actions(status, actor, dilemma.current.author)
    named = ", ".join(allowed) if allowed else "geen"
    return Conflict(f"'{action}' kan niet bij status '{status}'. Toegestaan: {named}.", state=status, allowed=allowed)


def slug_for(title: str) -> str:
    """A readable, unique-enough slug: the title's first words and a random tail."""
    words = re.findall(r"[a-z0-9]+", fold(title))[:6]
    return "-".join([*words, secrets.token_hex(3)])


def get(session: Session, actor: Actor, dilemma_id: int) -> Dilemma:
    """A dilemma in the actor's organisations, with its content loaded."""
    dilemma = with_content(session, [dilemma_id]).get(dilemma_id)
    if dilemma is None or not actor.sees(dilemma.organisation_id):
        raise NotFound("Dit dilemma bestaat niet.")
    return dilemma


def has_answers(session: Session, dilemma_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Answer.dilemma_id == dilemma_id))))


@dataclass(frozen=True)
class Facts:
    """What an admin listing shows beside a dilemma's content."""

    week: str | None
    answered: bool


def facts_of(session: Session, dilemma_ids: list[int]) -> dict[int, Facts]:
    """Week and 'has answers' for many dilemmas in two queries (a semi-join
    that stops at the first answer of each, whatever their number)."""
    if not dilemma_ids:
        return {}
    weeks = dict(
        session.execute(
            select(ScheduledWeek.dilemma_id, ScheduledWeek.week).where(ScheduledWeek.dilemma_id.in_(dilemma_ids))
        ).all()
    )
    answered = set(
        session.scalars(
            select(Dilemma.id).where(Dilemma.id.in_(dilemma_ids), exists().where(Answer.dilemma_id == Dilemma.id))
        )
    )
    return {i: Facts(weeks.get(i), i in answered) for i in dilemma_ids}


@dataclass
class Listing:
    items: list[Dilemma]
    total: int


def search(
    session: Session,
    actor: Actor,
    page: int,
    page_size: int,
    status: str | None = None,
    category: str | None = None,
    organisation: str | None = None,
    week_from: Week | None = None,
    week_to: Week | None = None,
    needs_review: bool | None = None,
) -> Listing:
    """The dilemmas of the actor's organisations, newest first, filtered."""
    query = select(Dilemma.id).where(Dilemma.organisation_id.in_(actor.scope))
    if status:
        query = query.where(Dilemma.status == status)
    if category:
        query = query.join(Category, Category.id == Dilemma.category_id).where(Category.slug == category)
    if organisation:
        query = query.where(Dilemma.organisation_id == organisation_in_scope(session, actor, organisation).id)
    if needs_review is not None:
        query = query.where(Dilemma.needs_review.is_(needs_review))
    if week_from or week_to:
        query = query.join(ScheduledWeek, ScheduledWeek.dilemma_id == Dilemma.id)
        if week_from:
            query = query.where(ScheduledWeek.week >= str(week_from))
        if week_to:
            query = query.where(ScheduledWeek.week <= str(week_to))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    offset, limit = page_window(page, page_size)
    ids = list(session.scalars(query.order_by(Dilemma.id.desc()).offset(offset).limit(limit)))
    loaded = with_content(session, ids)
    return Listing([loaded[i] for i in ids], total or 0)


def _category(session: Session, slug: str) -> Category:
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise UnknownReference("Onbekende categorie.", {"category": [f"Categorie '{slug}' bestaat niet."]})
    return category


def _sections(session: Session, organisation: Organisation, refs: list[str]) -> list[CodeSection]:
    visible = [o.id for o in chain(session, organisation.id)]
    found = {
        s.ref: s
        for s in session.scalars(
            select(CodeSection).where(CodeSection.ref.in_(refs), CodeSection.organisation_id.in_(visible))
        )
    }
    missing = [ref for ref in refs if ref not in found]
    if missing:
        raise UnknownReference(
            "Onbekende artikelen van de gedragscode.",
            {"code_refs": [f"Artikel '{ref}' bestaat niet in de code van deze organisatie." for ref in missing]},
        )
    return [found[ref] for ref in dict.fromkeys(refs)]


def _options(options: list[dict[str, Any]]) -> list[Option]:
    texts = [" ".join(o["text"].split()).casefold() for o in options]
    if len(set(texts)) != len(texts):
        raise Conflict("Twee opties zijn gelijk; elke optie moet anders zijn.", field="options")
    return [
        Option(key=key, text=o["text"].strip(), alignment=o.get("alignment"), feedback=o.get("feedback"))
        for key, o in zip("ABCD", options, strict=True)
    ]


def _revision(session: Session, dilemma: Dilemma, author: str, now: datetime, content: dict[str, Any]) -> Revision:
    organisation = session.get(Organisation, dilemma.organisation_id)
    revision = Revision(
        dilemma=dilemma,
        number=(dilemma.revisions[-1].number + 1) if dilemma.revisions else 1,
        title=content["title"].strip(),
        situation=content["situation"].strip(),
        explanation=(content.get("explanation") or "").strip(),
        author=author,
        created_at=now,
        options=_options(content["options"]),
        sections=_sections(session, organisation, content["code_refs"]),
    )
    session.add(revision)
    return revision


def create(session: Session, actor: Actor, now: datetime, content: dict[str, Any]) -> Dilemma:
    """A new draft, owned by the organisation the actor names (default theirs)."""
    actor.require("author")
    organisation = organisation_in_scope(session, actor, content.get("organisation"))
    dilemma = Dilemma(
        slug=content.get("slug") or slug_for(content["title"]),
        organisation_id=organisation.id,
        category=_category(session, content["category"]),
        audience=content.get("audience", "iedereen"),
        status="draft",
        created_at=now,
    )
    if session.scalar(select(exists().where(Dilemma.slug == dilemma.slug))):
        raise Conflict("Deze slug is al in gebruik; kies een andere.", field="slug")
    session.add(dilemma)
    _revision(session, dilemma, actor.name, now, content)
    session.flush()
    audit.record(session, now, actor.label, "dilemma.create", "dilemma", dilemma.id, organisation.id, revision=1)
    session.commit()
    return get(session, actor, dilemma.id)


def _current_content(revision: Revision) -> dict[str, Any]:
    return {
        "title": revision.title,
        "situation": revision.situation,
        "explanation": revision.explanation,
        "options": [{"text": o.text, "alignment": o.alignment, "feedback": o.feedback} for o in revision.options],
        "code_refs": [s.ref for s in revision.sections],
    }


def update(session: Session, actor: Actor, now: datetime, dilemma_id: int, changes: dict[str, Any]) -> Dilemma:
    """Change a dilemma: every change is a new revision. An approved one goes
    back to review; a scheduled one must be unscheduled first; option texts
    never change once the dilemma has answers."""
    actor.require("author")
    dilemma = get(session, actor, dilemma_id)
    if not changes:
        return dilemma
    if dilemma.status not in EDITABLE:
        raise Conflict(
            f"Een dilemma met status '{dilemma.status}' kan niet worden gewijzigd"
            + (" (haal het eerst uit de planning)." if dilemma.status == "scheduled" else "."),
            state=dilemma.status,
        )
    current = _current_content(dilemma.current)
    wanted = {**current, **{k: v for k, v in changes.items() if k in CONTENT_FIELDS}}
    if "options" in changes:
        old_texts = [o["text"] for o in current["options"]]
        new_texts = [o["text"].strip() for o in changes["options"]]
        if old_texts != new_texts and has_answers(session, dilemma.id):
            raise Conflict(
                "Er zijn al antwoorden op dit dilemma; de teksten van de opties kunnen niet meer veranderen.",
                reason="answered",
            )
    if "category" in changes:
        dilemma.category = _category(session, changes["category"])
    if "audience" in changes:
        dilemma.audience = changes["audience"]
    revision = _revision(session, dilemma, actor.name, now, wanted)
    dilemma.needs_review = False
    if dilemma.status == "approved":
        dilemma.status = "in_review"
    session.flush()
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.update",
        "dilemma",
        dilemma.id,
        dilemma.organisation_id,
        revision=revision.number,
        fields=sorted(changes),
    )
    session.commit()
    return get(session, actor, dilemma.id)


def remove(session: Session, actor: Actor, now: datetime, dilemma_id: int) -> None:
    """Delete a draft that nobody answered; anything further is archived instead."""
    actor.require("author")
    dilemma = get(session, actor, dilemma_id)
    if dilemma.status not in ("draft", "changes_requested") or has_answers(session, dilemma.id):
        raise Conflict(
            "Alleen een concept zonder antwoorden kan weg; archiveer dit dilemma in plaats daarvan.",
            state=dilemma.status,
        )
    audit.record(session, now, actor.label, "dilemma.delete", "dilemma", dilemma.id, dilemma.organisation_id)
    session.delete(dilemma)
    session.commit()


def transition(
    session: Session, actor: Actor, now: datetime, dilemma_id: int, action: str, comment: str | None = None
) -> Dilemma:
    """submit, approve, request-changes, unschedule or archive."""
    step = TRANSITIONS[action]
    actor.require(*step.roles)
    dilemma = get(session, actor, dilemma_id)
    if dilemma.status not in step.sources:
        raise _refuse(action, dilemma, actor)
    if own_review(action, actor, dilemma.current.author):
        raise Forbidden("Vier ogen: je kunt geen revisie beoordelen die je zelf hebt geschreven.")
    if action == "request-changes" and not (comment or "").strip():
        raise Invalid("Zeg wat er moet veranderen.", {"comment": ["Een toelichting is verplicht."]})
    if action == "unschedule":
        placement = placement_of(session, dilemma.id)
        if placement is not None and now >= placement.week.starts_at(placement.timezone):
            raise Conflict("De week van dit dilemma is al begonnen.", state=dilemma.status)
        session.execute(delete(ScheduledWeek).where(ScheduledWeek.dilemma_id == dilemma.id))
    before = dilemma.status
    dilemma.status = step.target
    audit.record(
        session,
        now,
        actor.label,
        f"dilemma.{action}",
        "dilemma",
        dilemma.id,
        dilemma.organisation_id,
        before=before,
        after=step.target,
        revision=dilemma.current.number,
        comment=comment,
    )
    session.commit()
    return get(session, actor, dilemma.id)


def schedule(session: Session, actor: Actor, now: datetime, dilemma_id: int, week: Week) -> Dilemma:
    """Put an approved dilemma on a week of its organisation that has not
    started yet; one dilemma per organisation per week."""
    step = TRANSITIONS["schedule"]
    actor.require(*step.roles)
    dilemma = get(session, actor, dilemma_id)
    if dilemma.status not in step.sources:
        raise _refuse("schedule", dilemma, actor)
    organisation = session.get(Organisation, dilemma.organisation_id)
    if now >= week.starts_at(organisation.timezone):
        raise Conflict(f"Week {week} is al begonnen; plan een latere week.", week=str(week))
    new_id = insert_ignoring_conflicts(
        session,
        ScheduledWeek,
        dict(organisation_id=organisation.id, week=str(week), dilemma_id=dilemma.id, automatic=False, created_at=now),
    )
    if new_id is None:
        session.rollback()
        taken = session.scalar(
            select(ScheduledWeek.dilemma_id).where(
                ScheduledWeek.organisation_id == organisation.id, ScheduledWeek.week == str(week)
            )
        )
        raise Conflict(f"In week {week} staat al een dilemma voor {organisation.name}.", week=str(week), taken_by=taken)
    dilemma.status = "scheduled"
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.schedule",
        "dilemma",
        dilemma.id,
        organisation.id,
        before="approved",
        after="scheduled",
        week=str(week),
    )
    session.commit()
    return get(session, actor, dilemma.id)


def revision_history(session: Session, actor: Actor, dilemma_id: int) -> list[dict[str, Any]]:
    """Every revision with what changed against the one before it."""
    dilemma = get(session, actor, dilemma_id)
    history, previous = [], None
    for revision in dilemma.revisions:
        content = _current_content(revision)
        changes = {}
        if previous is not None:
            for field, value in content.items():
                if previous[field] != value:
                    changes[field] = {"from": previous[field], "to": value}
        history.append(
            {
                "number": revision.number,
                "author": revision.author,
                "created_at": revision.created_at,
                **content,
                "changes": changes,
            }
        )
        previous = content
    return history


@dataclass(frozen=True)
class WeekRow:
    week: str
    organisation: Organisation
    dilemma: Dilemma | None
    source: str  # own | automatic | inherited | gap
    inherited_from: str | None


def schedule_view(session: Session, actor: Actor, now: datetime, start: Week | None, end: Week | None) -> list[WeekRow]:
    """Each week of the range for each of the actor's organisations: its
    dilemma (own, automatic from the bank, or inherited from a parent) or a gap."""
    organisations = [o for o in session.scalars(select(Organisation).order_by(Organisation.id)) if actor.sees(o.id)]
    start = start or week_of(now, actor.organisation.timezone)
    end = end or Week.of(start.monday + timedelta(weeks=12))
    weeks, cursor = [], start
    # An inverted range holds no weeks; a range is cut off after two years.
    while cursor <= end and len(weeks) < 106:
        weeks.append(str(cursor))
        cursor = cursor.next()
    everyone = {o.id: o for o in session.scalars(select(Organisation))}
    entries = {
        (row.organisation_id, row.week): row
        for row in session.scalars(select(ScheduledWeek).where(ScheduledWeek.week.in_(weeks)))
    }
    loaded = with_content(session, list({row.dilemma_id for row in entries.values()}))
    rows = []
    for week in weeks:
        for organisation in organisations:
            own = entries.get((organisation.id, week))
            if own is not None:
                source = "automatic" if own.automatic else "own"
                rows.append(WeekRow(week, organisation, loaded[own.dilemma_id], source, None))
                continue
            ancestor = everyone.get(organisation.parent_id) if organisation.parent_id else None
            found = None
            while ancestor is not None and found is None:
                found = entries.get((ancestor.id, week))
                if found is None:
                    ancestor = everyone.get(ancestor.parent_id) if ancestor.parent_id else None
            if found is not None:
                rows.append(WeekRow(week, organisation, loaded[found.dilemma_id], "inherited", ancestor.slug))
            else:
                rows.append(WeekRow(week, organisation, None, "gap", None))
    return rows


def flag_for_review(session: Session, section: CodeSection) -> int:
    """Dilemmas whose current revision refers to a changed section need a look."""
    latest = (
        select(Revision.dilemma_id, func.max(Revision.number).label("number")).group_by(Revision.dilemma_id).subquery()
    )
    affected = list(
        session.scalars(
            select(Revision.dilemma_id)
            .join(latest, and_(latest.c.dilemma_id == Revision.dilemma_id, latest.c.number == Revision.number))
            .join(revision_sections, revision_sections.c.revision_id == Revision.id)
            .where(revision_sections.c.section_id == section.id)
        )
    )
    for dilemma in session.scalars(select(Dilemma).where(Dilemma.id.in_(affected))):
        dilemma.needs_review = True
    return len(affected)


def edit_section(
    session: Session, actor: Actor, now: datetime, ref: str, text: str, title: str | None = None
) -> CodeSection:
    """A new version of a code section of one of the actor's organisations;
    dilemmas that refer to it are flagged for review."""
    actor.require("author")
    section = session.scalar(select(CodeSection).where(CodeSection.ref == ref))
    if section is None or not actor.sees(section.organisation_id):
        raise NotFound(f"Artikel '{ref}' bestaat niet of valt buiten je bereik.")
    title = (title or section.title).strip()
    if (section.title, section.text) == (title, text.strip()):
        return section
    section.title, section.text = title, text.strip()
    section.version += 1
    section.updated_at = now
    record_version(section, actor.name, now)
    flagged = flag_for_review(session, section)
    audit.record(
        session,
        now,
        actor.label,
        "code.update",
        "code_section",
        section.id,
        section.organisation_id,
        ref=ref,
        version=section.version,
        flagged_dilemmas=flagged,
    )
    session.commit()
    return section
