"""Writing dilemmas in the integrity office: drafts, revisions, the
four-eyes workflow and the week schedule.

Workflow (every transition is refused with the allowed ones named)::

    draft -> in_review -> approved -> scheduled -> published -> archived
                 |  ^
                 v  |
         changes_requested

A reviewer never approves (or sends back) a revision they wrote. A
scheduled dilemma publishes itself when its week starts (calendar.begin_week).
Every change is a new revision; answers keep pointing at the revision they
answered, and option texts never change once a dilemma has answers."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from dilemmas.errors import Conflict, Forbidden, Invalid, NotFound, UnknownReference
from dilemmas.model.answers import Answer
from dilemmas.model.code import CodeSection
from dilemmas.model.content import OPTION_KEYS, Category, Dilemma, Option, Revision
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office import audit
from dilemmas.office.scope import Actor, organisation_in_scope
from dilemmas.reads.code import fold
from dilemmas.reads.content import with_content
from dilemmas.reads.organisations import chain
from dilemmas.reads.placements import placement_of


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


def workflow_actions(status: str, actor: Actor | None = None, author: str | None = None) -> list[str]:
    """The transitions possible from ``status``; for an ``actor``, only those
    its role allows and that four-eyes does not forbid on a revision by
    ``author``: the checks that ``transition`` and ``schedule`` make."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if status in t.sources and (actor is None or (actor.can(*t.roles) and not own_review(name, actor, author)))
    ]


def refusal(action: str, dilemma: Dilemma, actor: Actor) -> Conflict:
    status = dilemma.status
    allowed = workflow_actions(status, actor, dilemma.current.author)
    named = ", ".join(allowed) if allowed else "geen"
    return Conflict(
        f"'{action}' kan niet bij status '{status}'. Toegestaan: {named}.",
        cause="transition-refused",
        state=status,
        allowed=allowed,
    )


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


def category_by_slug(session: Session, slug: str) -> Category:
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
        raise Conflict("Twee opties zijn gelijk; elke optie moet anders zijn.", cause="duplicate", field="options")
    return [
        Option(key=key, text=o["text"], alignment=o.get("alignment"), feedback=o.get("feedback"))
        for key, o in zip(OPTION_KEYS, options, strict=True)
    ]


def _normalised(content: dict[str, Any]) -> dict[str, Any]:
    """Content as it is stored: texts stripped, empty feedback as None, code
    refs once each and sorted (a revision keeps its sections by ref)."""
    return {
        "title": content["title"].strip(),
        "situation": content["situation"].strip(),
        "explanation": (content.get("explanation") or "").strip(),
        "options": [
            {
                "text": o["text"].strip(),
                "alignment": o.get("alignment"),
                "feedback": (o.get("feedback") or "").strip() or None,
            }
            for o in content["options"]
        ],
        "code_refs": sorted({str(ref) for ref in content["code_refs"]}),
    }


def current_content(revision: Revision) -> dict[str, Any]:
    return {
        "title": revision.title,
        "situation": revision.situation,
        "explanation": revision.explanation,
        "options": [{"text": o.text, "alignment": o.alignment, "feedback": o.feedback} for o in revision.options],
        "code_refs": sorted(s.ref for s in revision.sections),
    }


def _refuse_edits_of_a_started_week(session: Session, dilemma: Dilemma, now: datetime, current, wanted) -> None:
    placement = placement_of(session, dilemma.id)
    if placement is None or now < placement.week.starts_at(placement.timezone):
        return
    if not placement.closed(now):
        raise Conflict(
            "De week van dit dilemma loopt; de tekst kan pas na de week veranderen, of in een nieuwe editie.",
            cause="text-frozen",
            reason="week_open",
        )
    if [o["text"] for o in wanted["options"]] != [o["text"] for o in current["options"]]:
        raise Conflict(
            "De week van dit dilemma is begonnen; de teksten van de opties veranderen niet meer. "
            "Maak een nieuwe editie.",
            cause="text-frozen",
            reason="options_frozen",
        )


def same_content(revision: Revision, content: dict[str, Any]) -> bool:
    """Whether ``content`` would make no new revision after ``revision``."""
    return _normalised(content) == current_content(revision)


def revise(session: Session, dilemma: Dilemma, author: str, now: datetime, content: dict[str, Any]) -> Revision | None:
    """Make ``content`` the dilemma's next revision; None when it equals the
    current one. Once the dilemma's week has started its option texts never
    change, and while the week is open no text changes at all (Conflict):
    answers hold no revision (docs/anonymity.md), so nothing may split a
    week's answers into before and after an edit. The one way a dilemma's text is written, by the admin API
    and by the content loader alike; the caller commits."""
    wanted = _normalised(content)
    if dilemma.revisions:
        current = current_content(dilemma.current)
        if wanted == current:
            return None
        _refuse_edits_of_a_started_week(session, dilemma, now, current, wanted)
    organisation = session.get(Organisation, dilemma.organisation_id)
    revision = Revision(
        dilemma=dilemma,
        number=(dilemma.current.number + 1) if dilemma.revisions else 1,
        title=wanted["title"],
        situation=wanted["situation"],
        explanation=wanted["explanation"],
        author=author,
        created_at=now,
        options=_options(wanted["options"]),
        sections=_sections(session, organisation, wanted["code_refs"]),
    )
    session.add(revision)
    return revision


def new_dilemma(
    session: Session,
    organisation: Organisation,
    slug: str,
    category: str,
    audience: str,
    status: str,
    author: str,
    now: datetime,
    content: dict[str, Any],
    bank_position: int | None = None,
    previous_edition_id: int | None = None,
) -> Dilemma:
    """A dilemma with ``content`` as its first revision (a new edition of
    ``previous_edition_id``, if given); the caller commits."""
    if session.scalar(select(exists().where(Dilemma.slug == slug))):
        raise Conflict("Deze slug is al in gebruik; kies een andere.", cause="duplicate", field="slug")
    dilemma = Dilemma(
        slug=slug,
        organisation_id=organisation.id,
        category=category_by_slug(session, category),
        audience=audience,
        status=status,
        bank_position=bank_position,
        previous_edition_id=previous_edition_id,
        created_at=now,
    )
    session.add(dilemma)
    revise(session, dilemma, author, now, content)
    session.flush()
    return dilemma


def create(session: Session, actor: Actor, now: datetime, content: dict[str, Any]) -> Dilemma:
    """A new draft, owned by the organisation the actor names (default theirs)."""
    actor.require("author")
    organisation = organisation_in_scope(session, actor, content.get("organisation"))
    dilemma = new_dilemma(
        session,
        organisation,
        content.get("slug") or slug_for(content["title"]),
        content["category"],
        content.get("audience", "iedereen"),
        "draft",
        actor.name,
        now,
        content,
    )
    audit.record(session, now, actor.label, "dilemma.create", "dilemma", dilemma.id, organisation.id, revision=1)
    session.commit()
    return get(session, actor, dilemma.id)


def update(session: Session, actor: Actor, now: datetime, dilemma_id: int, changes: dict[str, Any]) -> Dilemma:
    """Change a dilemma: a change of its text is a new revision, and an
    approved one goes back to review; a scheduled one must be unscheduled
    first; option texts never change once the dilemma has answers. A change
    that changes nothing makes no revision."""
    actor.require("author")
    dilemma = get(session, actor, dilemma_id)
    if dilemma.status not in EDITABLE:
        raise Conflict(
            f"Een dilemma met status '{dilemma.status}' kan niet worden gewijzigd"
            + (" (haal het eerst uit de planning)." if dilemma.status == "scheduled" else "."),
            cause="transition-refused",
            state=dilemma.status,
        )
    changed = []
    if "category" in changes and changes["category"] != dilemma.category.slug:
        dilemma.category = category_by_slug(session, changes["category"])
        changed.append("category")
    if "audience" in changes and changes["audience"] != dilemma.audience:
        dilemma.audience = changes["audience"]
        changed.append("audience")
    wanted = {**current_content(dilemma.current), **{k: v for k, v in changes.items() if k in CONTENT_FIELDS}}
    revision = revise(session, dilemma, actor.name, now, wanted)
    if revision is not None:
        changed += [k for k in CONTENT_FIELDS if k in changes]
        dilemma.needs_review = False
        if dilemma.status == "approved":
            dilemma.status = "in_review"
    if not changed:
        return dilemma
    session.flush()
    audit.record(
        session,
        now,
        actor.label,
        "dilemma.update",
        "dilemma",
        dilemma.id,
        dilemma.organisation_id,
        revision=dilemma.current.number,
        fields=sorted(changed),
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
            cause="transition-refused",
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
        raise refusal(action, dilemma, actor)
    if own_review(action, actor, dilemma.current.author):
        raise Forbidden("Vier ogen: je kunt geen revisie beoordelen die je zelf hebt geschreven.", cause="four-eyes")
    if action == "request-changes" and not (comment or "").strip():
        raise Invalid("Zeg wat er moet veranderen.", {"comment": ["Een toelichting is verplicht."]})
    if action == "unschedule":
        placement = placement_of(session, dilemma.id)
        if placement is not None and now >= placement.week.starts_at(placement.timezone):
            raise Conflict("De week van dit dilemma is al begonnen.", cause="week-taken", state=dilemma.status)
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


def revision_history(session: Session, actor: Actor, dilemma_id: int) -> list[dict[str, Any]]:
    """Every revision with what changed against the one before it."""
    dilemma = get(session, actor, dilemma_id)
    history, previous = [], None
    for revision in dilemma.revisions:
        content = current_content(revision)
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
