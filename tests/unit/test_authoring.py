"""Writing dilemmas in the integrity office (``dilemmas.office.authoring``
and ``calendar.schedule``) without HTTP: the four-eyes workflow, the week
schedule, the locks, and one audit entry per step in the step's own
transaction."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from dilemmas.errors import Conflict, Forbidden, Invalid
from dilemmas.model.answers import Answer
from dilemmas.model.audit import AuditEntry
from dilemmas.model.content import Dilemma, Revision
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office import authoring, calendar
from dilemmas.weeks import Week
from tests.factories import actor, bank, new_dilemma_body, schedule
from tests.unit.conftest import NEXT_WEEK, NOW

W51 = Week.parse("2026-W51")


@pytest.fixture
def office(db):
    """Separate people for each role, as the four-eyes rule wants them."""
    return {
        "author": actor(db, "author", name="Anna Auteur"),
        "reviewer": actor(db, "reviewer", name="Rob Reviewer"),
        "publisher": actor(db, "publisher", name="Petra Publisher"),
    }


def draft(db, office, **overrides):
    return authoring.create(db, office["author"], NOW, new_dilemma_body(**overrides))


def approved(db, office, **overrides):
    dilemma = draft(db, office, **overrides)
    authoring.transition(db, office["author"], NOW, dilemma.id, "submit")
    return authoring.transition(db, office["reviewer"], NOW, dilemma.id, "approve")


def trail(db, dilemma_id):
    """The dilemma's audit entries, oldest first: (action, actor, details)."""
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "dilemma", AuditEntry.object_id == dilemma_id)
        .order_by(AuditEntry.id)
    )
    return [(e.action, e.actor, e.details) for e in entries]


def stored(db, dilemma_id):
    """What the database holds about a dilemma: status, number of revisions, week."""
    return (
        db.scalar(select(Dilemma.status).where(Dilemma.id == dilemma_id)),
        db.scalar(select(func.count()).select_from(Revision).where(Revision.dilemma_id == dilemma_id)),
        db.scalar(select(ScheduledWeek.week).where(ScheduledWeek.dilemma_id == dilemma_id)),
    )


class CommitFailed(Exception):
    pass


@contextmanager
def commits(db, fail=False):
    """The commits the session makes inside the block; with ``fail`` every
    commit raises before anything is written for good."""
    made = []

    def before_commit(session):
        made.append(session)
        if fail:
            raise CommitFailed

    event.listen(db, "before_commit", before_commit)
    try:
        yield made
    finally:
        event.remove(db, "before_commit", before_commit)


def one_step(db, use_case, state):
    """Run a use case whose commit fails, then for real. Rolled back it must
    leave neither its change (``state()``) nor an audit entry; for real it
    commits once, with exactly one audit entry. Returns the result and the entry."""
    last_entry = db.scalar(select(func.max(AuditEntry.id)))
    before = state()
    with commits(db, fail=True), pytest.raises(CommitFailed):
        use_case()
    db.rollback()
    assert state() == before
    assert db.scalar(select(func.max(AuditEntry.id))) == last_entry
    with commits(db) as made:
        result = use_case()
    assert len(made) == 1
    assert state() != before
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.id > last_entry)).all()
    return result, entry


def test_an_author_creates_a_draft_and_no_other_role_can(db, office):
    dilemma = draft(db, office)

    assert dilemma.status == "draft" and dilemma.organisation_id == office["author"].organisation.id
    revision = dilemma.current
    assert (revision.number, revision.author, revision.title) == (1, "Anna Auteur", "Een fles wijn van de aannemer")
    assert [o.key for o in revision.options] == ["A", "B", "C", "D"]
    assert revision.options[2].alignment == "conflicts"
    assert sorted(s.ref for s in revision.sections) == ["3.1", "4.1"]
    assert trail(db, dilemma.id) == [("dilemma.create", "Anna Auteur (author)", {"revision": 1})]
    assert authoring.workflow_actions(dilemma.status) == ["submit", "archive"]

    drafts = db.scalar(select(func.count()).select_from(Dilemma).where(Dilemma.status == "draft"))
    with pytest.raises(Forbidden):
        authoring.create(db, office["reviewer"], NOW, new_dilemma_body(title="Van een reviewer"))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Dilemma).where(Dilemma.status == "draft")) == drafts


def test_four_eyes_from_draft_to_scheduled(db, office):
    author, reviewer, publisher = office["author"], office["reviewer"], office["publisher"]
    dilemma = draft(db, office)
    did = dilemma.id

    with pytest.raises(Conflict) as early:
        authoring.transition(db, reviewer, NOW, did, "approve")
    db.rollback()
    assert early.value.extra == {"state": "draft", "allowed": []}  # nothing a reviewer may do to a draft
    with pytest.raises(Forbidden):
        authoring.transition(db, reviewer, NOW, did, "submit")  # an author's step
    db.rollback()

    assert authoring.transition(db, author, NOW, did, "submit").status == "in_review"
    # The author cannot approve their own revision, not even with an admin token.
    own_admin = actor(db, "admin", name="Anna Auteur")
    with pytest.raises(Forbidden):
        authoring.transition(db, own_admin, NOW, did, "approve")
    db.rollback()
    with pytest.raises(Invalid) as silent:
        authoring.transition(db, reviewer, NOW, did, "request-changes", comment="   ")
    db.rollback()
    assert list(silent.value.errors) == ["comment"]
    assert stored(db, did) == ("in_review", 1, None)

    sent_back = authoring.transition(db, reviewer, NOW, did, "request-changes", comment="Optie D is te vaag.")
    assert sent_back.status == "changes_requested"
    options = [*new_dilemma_body()["options"][:3], {"text": "Je belt de aannemer.", "alignment": "grey"}]
    revised = authoring.update(db, author, NOW, did, {"options": options})
    assert (revised.status, revised.current.number, revised.current.options[3].text) == (
        "changes_requested",
        2,
        "Je belt de aannemer.",
    )
    authoring.transition(db, author, NOW, did, "submit")
    assert authoring.transition(db, reviewer, NOW, did, "approve").status == "approved"
    with pytest.raises(Forbidden):
        calendar.schedule(db, author, NOW, did, W51)  # a publisher's step
    db.rollback()
    scheduled = calendar.schedule(db, publisher, NOW, did, W51)

    assert scheduled.status == "scheduled"
    assert stored(db, did) == ("scheduled", 2, "2026-W51")
    assert [(action, by) for action, by, _ in trail(db, did)] == [
        ("dilemma.create", "Anna Auteur (author)"),
        ("dilemma.submit", "Anna Auteur (author)"),
        ("dilemma.request-changes", "Rob Reviewer (reviewer)"),
        ("dilemma.update", "Anna Auteur (author)"),
        ("dilemma.submit", "Anna Auteur (author)"),
        ("dilemma.approve", "Rob Reviewer (reviewer)"),
        ("dilemma.schedule", "Petra Publisher (publisher)"),
    ]
    details = [d for _, _, d in trail(db, did)]
    assert details[2] == {
        "before": "in_review",
        "after": "changes_requested",
        "revision": 1,
        "comment": "Optie D is te vaag.",
    }
    assert details[3] == {"revision": 2, "fields": ["options"]}
    assert details[6] == {"before": "approved", "after": "scheduled", "week": "2026-W51"}


def test_one_dilemma_per_organisation_per_week(db, office):
    first, second = approved(db, office), approved(db, office, title="Een ander dilemma")
    calendar.schedule(db, office["publisher"], NOW, first.id, W51)

    with pytest.raises(Conflict) as taken:
        calendar.schedule(db, office["publisher"], NOW, second.id, W51)
    db.rollback()
    assert taken.value.extra == {"week": "2026-W51", "taken_by": first.id}
    with pytest.raises(Conflict) as started:
        calendar.schedule(db, office["publisher"], NOW, second.id, Week.parse("2026-W50"))
    db.rollback()
    assert started.value.extra == {"week": "2026-W50"}
    assert stored(db, second.id) == ("approved", 1, None)
    assert [action for action, _, _ in trail(db, second.id)][-1] == "dilemma.approve"

    # Another organisation has its own week 51.
    customs = {
        "author": actor(db, "author", "douane", name="Dirk Douane"),
        "reviewer": actor(db, "reviewer", "douane", name="Rina Douane"),
    }
    theirs = approved(db, customs, title="Een fles jenever van een expediteur")
    calendar.schedule(db, actor(db, "publisher", "douane"), NOW, theirs.id, W51)
    assert stored(db, theirs.id) == ("scheduled", 1, "2026-W51")
    assert calendar.schedule(db, office["publisher"], NOW, second.id, Week.parse("2026-W52")).status == "scheduled"


def test_unscheduling_is_possible_until_the_week_starts(db, office):
    publisher = office["publisher"]
    dilemma = approved(db, office)
    calendar.schedule(db, publisher, NOW, dilemma.id, W51)

    assert authoring.transition(db, publisher, NOW, dilemma.id, "unschedule").status == "approved"
    assert stored(db, dilemma.id) == ("approved", 1, None)

    calendar.schedule(db, publisher, NOW, dilemma.id, W51)
    with pytest.raises(Conflict) as begun:
        authoring.transition(db, publisher, NEXT_WEEK, dilemma.id, "unschedule")
    db.rollback()
    assert begun.value.extra == {"state": "scheduled"}
    assert stored(db, dilemma.id) == ("scheduled", 1, "2026-W51")


def test_changing_an_approved_dilemma_sends_it_back_to_review(db, office):
    dilemma = approved(db, office)

    changed = authoring.update(db, office["author"], NOW, dilemma.id, {"title": "Een fles whisky van de aannemer"})

    assert (changed.status, changed.current.number, changed.current.title) == (
        "in_review",
        2,
        "Een fles whisky van de aannemer",
    )
    assert [o.text for o in changed.current.options] == [o["text"] for o in new_dilemma_body()["options"]]
    # The new revision needs four eyes again: its author may not approve it.
    with pytest.raises(Forbidden):
        authoring.transition(db, actor(db, "reviewer", name="Anna Auteur"), NOW, dilemma.id, "approve")
    db.rollback()
    assert authoring.transition(db, office["reviewer"], NOW, dilemma.id, "approve").status == "approved"


def test_texts_are_frozen_while_the_week_is_open_and_options_for_good(db, office):
    """Answers hold no revision (docs/anonymity.md): no edit may split a
    week's answers into before and after it, whether anyone answered or not."""
    dilemma = schedule(db, bank(db)[0], "2026-W50")
    calendar.begin_week(db, NOW)  # publishes this week's dilemma
    db.expire_all()  # begin_week updates in bulk; a request would start with a fresh session
    texts = [o.text for o in dilemma.current.options]
    author = office["author"]

    new_options = [{"text": f"Iets anders, optie {key}."} for key in "ABCD"]
    for changes in ({"options": new_options}, {"explanation": "Nu met een betere uitleg."}):
        with pytest.raises(Conflict) as locked:
            authoring.update(db, author, NOW, dilemma.id, changes)
        db.rollback()
        assert locked.value.extra == {"reason": "week_open"}
    assert stored(db, dilemma.id) == ("published", 1, "2026-W50")

    # After the close other texts may change; the options stay (a new edition changes them).
    changed = authoring.update(db, author, NEXT_WEEK, dilemma.id, {"explanation": "Nu met een betere uitleg."})
    assert (changed.status, changed.current.number, changed.current.explanation) == (
        "published",
        2,
        "Nu met een betere uitleg.",
    )
    assert [o.text for o in changed.current.options] == texts
    with pytest.raises(Conflict) as frozen:
        authoring.update(db, author, NEXT_WEEK, dilemma.id, {"options": new_options})
    db.rollback()
    assert frozen.value.extra == {"reason": "options_frozen"}


def test_only_a_draft_without_answers_can_be_removed(db, office):
    author = office["author"]
    gone = draft(db, office)
    authoring.remove(db, author, NOW, gone.id)
    assert db.get(Dilemma, gone.id) is None
    assert trail(db, gone.id)[-1] == ("dilemma.delete", "Anna Auteur (author)", {})

    in_review = draft(db, office, title="Al ingediend")
    authoring.transition(db, author, NOW, in_review.id, "submit")
    with pytest.raises(Conflict) as refused:
        authoring.remove(db, author, NOW, in_review.id)
    db.rollback()
    assert refused.value.extra == {"state": "in_review"}

    # A draft with an answer (no workflow leads there; the rule holds anyway).
    answered = draft(db, office, title="Toch beantwoord")
    db.add(Answer(dilemma_id=answered.id, respondent_key="0" * 64, sealed=b"\0" * 44))
    db.commit()
    with pytest.raises(Conflict):
        authoring.remove(db, author, NOW, answered.id)
    db.rollback()
    assert stored(db, in_review.id) == ("in_review", 1, None)
    assert stored(db, answered.id) == ("draft", 1, None)


def test_every_step_commits_once_with_exactly_one_audit_entry(db, office):
    author, reviewer, publisher = office["author"], office["reviewer"], office["publisher"]

    def drafts():
        return db.scalar(select(func.count()).select_from(Dilemma).where(Dilemma.status == "draft"))

    created, entry = one_step(db, lambda: authoring.create(db, author, NOW, new_dilemma_body()), drafts)
    assert (entry.action, entry.object_id) == ("dilemma.create", created.id)
    did = created.id

    def state():
        return stored(db, did)

    steps = [
        ("dilemma.submit", lambda: authoring.transition(db, author, NOW, did, "submit")),
        ("dilemma.request-changes", lambda: authoring.transition(db, reviewer, NOW, did, "request-changes", "Korter.")),
        ("dilemma.update", lambda: authoring.update(db, author, NOW, did, {"title": "Een fles wijn"})),
        ("dilemma.submit", lambda: authoring.transition(db, author, NOW, did, "submit")),
        ("dilemma.approve", lambda: authoring.transition(db, reviewer, NOW, did, "approve")),
        ("dilemma.schedule", lambda: calendar.schedule(db, publisher, NOW, did, W51)),
        ("dilemma.unschedule", lambda: authoring.transition(db, publisher, NOW, did, "unschedule")),
        ("dilemma.archive", lambda: authoring.transition(db, publisher, NOW, did, "archive")),
    ]
    for action, use_case in steps:
        _, entry = one_step(db, use_case, state)
        assert (entry.action, entry.object_id, entry.organisation_id) == (action, did, author.organisation.id)
        assert entry.at == NOW
    assert stored(db, did) == ("archived", 2, None)

    doomed = draft(db, office, title="Weg ermee").id
    _, entry = one_step(db, lambda: authoring.remove(db, author, NOW, doomed), lambda: stored(db, doomed))
    assert (entry.action, entry.object_id) == ("dilemma.delete", doomed)
    assert stored(db, doomed) == (None, 0, None)
