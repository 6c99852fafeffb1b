"""GET /dilemmas/current is cacheable (ETag, Cache-Control, 304), and the
per-process memo of the content tables behind it never serves stale
content: a new week, an edit, a code section's new text, an archived
dilemma, a schedule or an organisation change show at once, also when
another process made the change (the content generation moves with every
change to those tables, and with nothing the app's requests do)."""

from datetime import UTC, datetime

from sqlalchemy import select, text

from dilemmas.model.code import CodeSection
from dilemmas.model.content import Dilemma, Option, Revision
from dilemmas.model.generation import ContentGeneration
from dilemmas.model.organisations import Organisation
from tests.conftest import set_now
from tests.factories import bank, office, register, schedule, team


def current(phone, tag=None):
    headers = {**phone.headers, **({"If-None-Match": tag} if tag else {})}
    return phone.client.get("/api/v1/dilemmas/current", headers=headers)


def test_current_has_an_etag_and_answers_304_while_nothing_changed(client, session):
    schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    first = current(phone)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    again = current(phone, tag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag and again.headers["Cache-Control"] == "private, no-cache"
    # Another phone of the same organisation sees the same representation.
    assert current(register(client), tag).status_code == 304
    # A tag the app does not have, or a list holding the current one.
    assert current(phone, '"something-else"').status_code == 200
    assert current(phone, f'"older", {tag}').status_code == 304


def test_own_answer_changes_the_etag(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    tag = current(phone).headers["ETag"]
    assert phone.answer(dilemma.id, "C").status_code == 200
    changed = current(phone, tag)
    assert changed.status_code == 200 and changed.get_json()["my_answer"] == "C"
    assert changed.headers["ETag"] != tag
    # Colleagues who did not answer keep their copy.
    assert current(register(client), tag).status_code == 304


def test_a_new_week_is_never_served_from_the_cache(app, client, session):
    first, second = bank(session)[:2]
    schedule(session, first, "2026-W50")
    schedule(session, second, "2026-W51")
    phone = register(client)
    before = current(phone)
    assert before.get_json()["id"] == first.id
    set_now(app, "2026-12-14T00:00:01+01:00")  # Monday of 2026-W51
    after = current(phone, before.headers["ETag"])
    assert after.status_code == 200
    assert after.get_json()["id"] == second.id and after.get_json()["week"] == "2026-W51"


def test_a_revision_made_by_another_process_shows_at_once(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    before = current(phone)
    assert before.status_code == 200
    # What another server's edit (or a content reload) leaves in the database.
    old = session.scalars(select(Revision).where(Revision.dilemma_id == dilemma.id).order_by(Revision.number)).all()[-1]
    session.add(
        Revision(
            dilemma_id=dilemma.id,
            number=old.number + 1,
            title="Een nieuwe titel",
            situation=old.situation,
            explanation="Een nieuwe uitleg.",
            author="elders",
            created_at=datetime.now(UTC),
            options=[Option(key=o.key, text=o.text, alignment=o.alignment, feedback=o.feedback) for o in old.options],
            sections=list(old.sections),
        )
    )
    session.commit()
    after = current(phone, before.headers["ETag"])
    assert after.status_code == 200 and after.get_json()["title"] == "Een nieuwe titel"
    # The answer and the results use the new revision too.
    results = phone.answer(dilemma.id, "A").get_json()
    assert results["explanation"] == "Een nieuwe uitleg."


def test_a_code_section_edit_shows_at_once(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    before = current(phone)
    ref = before.get_json()["code_refs"][0]["ref"]
    author = office(client, session, "author")
    section = author.get(f"/code/sections/{ref}").get_json()
    edited = author.put(f"/code/sections/{ref}", {"title": "Een andere titel", "text": section["text"]})
    assert edited.status_code == 200
    after = current(phone, before.headers["ETag"])
    assert after.status_code == 200
    assert {"ref": ref, "title": "Een andere titel"} in after.get_json()["code_refs"]
    # Also an edit in place by another process (the section's version goes up).
    row = session.scalar(select(CodeSection).where(CodeSection.ref == ref))
    row.title, row.version = "Nog een titel", row.version + 1
    session.commit()
    assert {"ref": ref, "title": "Nog een titel"} in current(phone).get_json()["code_refs"]
    results = phone.answer(dilemma.id, "B").get_json()
    assert any(c["ref"] == ref and c["title"] == "Nog een titel" for c in results["code"])


def test_an_archived_dilemma_is_gone_at_once(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    assert current(phone).status_code == 200
    row = session.get(Dilemma, dilemma.id)
    row.status = "archived"
    session.commit()
    assert current(phone).status_code == 404


def test_a_schedule_or_organisation_change_by_another_process_shows_at_once(client, session):
    rijk_dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client, session, organisation="douane")
    assert current(phone).get_json()["id"] == rijk_dilemma.id  # the parent's week
    # Another process schedules Douane's own dilemma for this week.
    own = schedule(session, bank(session, "douane")[0], "2026-W50", organisation="douane")
    assert current(phone).get_json()["id"] == own.id
    # ... and then moves Douane to a time zone where this week is over.
    douane = session.scalar(select(Organisation).where(Organisation.slug == "douane"))
    douane.timezone = "Pacific/Kiritimati"  # UTC+14
    session.commit()
    set_now(client.application, "2026-12-13T12:00:00+01:00")  # Sunday noon here, Monday 01:00 there
    assert current(phone).get_json()["id"] == rijk_dilemma.id


def generation(session) -> int:
    session.commit()  # a new snapshot
    return session.scalar(select(ContentGeneration.value))


WATCHED = {
    "organisations": "name",
    "categories": "name",
    "dilemmas": "needs_review",
    "revisions": "title",
    "options": "text",
    "revision_sections": "section_id",
    "code_sections": "title",
    "schedule": "automatic",
}


def test_every_change_to_remembered_tables_moves_the_generation(session):
    schedule(session, bank(session)[0], "2026-W50")
    for table, column in WATCHED.items():
        before = generation(session)
        session.execute(text(f"UPDATE {table} SET {column} = {column}"))  # every row, changed or not
        assert generation(session) > before, table
    before = generation(session)
    dilemma = schedule(session, bank(session)[1], "2026-W51")  # an insert
    assert generation(session) > before
    before = generation(session)
    session.execute(text("DELETE FROM schedule WHERE dilemma_id = :id"), {"id": dilemma.id})
    assert generation(session) > before


def test_answering_and_reading_leave_the_generation_alone(client, session):
    dilemma = schedule(session, bank(session)[0], "2026-W50")
    phone = register(client)
    current(phone)  # the first request of the week begins it (and may publish)
    before = generation(session)
    lead = register(client)
    team(lead, [phone])
    for option in ("A", "B"):
        assert current(phone).status_code == 200
        assert phone.answer(dilemma.id, option).status_code == 200
        assert phone.get(f"/dilemmas/{dilemma.id}/results").status_code == 200
        assert phone.get("/dilemmas").status_code == 200
    assert generation(session) == before
