"""The weekly dilemma, the archive and visibility across organisations."""

from sqlalchemy import func, select

from dilemmas.model.audit import AuditEntry
from dilemmas.model.schedule import ScheduledWeek
from tests.conftest import set_now
from tests.factories import bank, register, schedule


def test_current_dilemma_has_four_options_and_code_links(client, session):
    dilemma = schedule(session, bank(session)[3], "2026-W50")
    phone = register(client)
    response = phone.get("/dilemmas/current")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == dilemma.id and body["week"] == "2026-W50" and body["closed"] is False
    assert [o["key"] for o in body["options"]] == ["A", "B", "C", "D"]
    assert all(o["text"] for o in body["options"])
    assert "alignment" not in body["options"][0]  # not given away before answering
    assert body["code_refs"] and all(ref["title"] for ref in body["code_refs"])
    assert body["my_answer"] is None


def test_week_changes_at_monday_midnight_local(app, client, session):
    first, second = bank(session)[:2]
    schedule(session, first, "2026-W50")
    schedule(session, second, "2026-W51")
    phone = register(client)
    set_now(app, "2026-12-13T23:59:59+01:00")
    assert phone.get("/dilemmas/current").get_json()["id"] == first.id
    set_now(app, "2026-12-14T00:00:00+01:00")
    assert phone.get("/dilemmas/current").get_json()["id"] == second.id


def test_future_dilemma_is_invisible(client, session):
    schedule(session, bank(session)[0], "2026-W50")
    future = schedule(session, bank(session)[1], "2026-W51")
    phone = register(client)
    assert phone.get(f"/dilemmas/{future.id}").status_code == 404
    assert phone.answer(future.id, "A").status_code == 404
    assert future.id not in [d["id"] for d in phone.get("/dilemmas").get_json()]


def test_child_organisation_falls_back_to_parent_and_prefers_its_own(client, session):
    rijk_dilemma = schedule(session, bank(session)[0], "2026-W50")
    customs = register(client, session, "douane")
    assert customs.get("/dilemmas/current").get_json()["id"] == rijk_dilemma.id
    own = schedule(session, bank(session, "douane")[0], "2026-W50", organisation="douane")
    assert customs.get("/dilemmas/current").get_json()["id"] == own.id
    # Rijk's people never see the child's own dilemma.
    civil_servant = register(client)
    assert civil_servant.get("/dilemmas/current").get_json()["id"] == rijk_dilemma.id
    assert civil_servant.get(f"/dilemmas/{own.id}").status_code == 404
    assert civil_servant.answer(own.id, "A").status_code == 404
    assert civil_servant.get(f"/dilemmas/{own.id}/results").status_code == 404


def test_empty_week_is_filled_from_the_bank_once_and_audited(app, client, session):
    phone = register(client)
    response = phone.get("/dilemmas/current")
    assert response.status_code == 200
    again = app.test_client()  # another "process" would use its own keeper; same outcome
    assert phone.get("/dilemmas/current").get_json()["id"] == response.get_json()["id"]
    assert again.get("/healthz").status_code == 200
    entries = session.scalars(select(ScheduledWeek).where(ScheduledWeek.week == "2026-W50")).all()
    assert len(entries) == 1 and entries[0].automatic
    audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "schedule.automatic")).all()
    assert len(audits) == 1 and audits[0].details["week"] == "2026-W50"


def test_automatic_schedule_rotates_categories(app, client, session):
    phone = register(client)
    categories = []
    for day in ("2026-12-09", "2026-12-16", "2026-12-23", "2026-12-30"):
        set_now(app, f"{day}T12:00:00+01:00")
        categories.append(phone.get("/dilemmas/current").get_json()["category"])
    assert len(set(categories)) == 4
    assert session.scalar(select(func.count()).select_from(ScheduledWeek)) == 4


def test_nothing_current_when_the_bank_is_used_up(client, session):
    for dilemma in bank(session):
        dilemma.status = "archived"
    session.commit()
    phone = register(client)
    response = phone.get("/dilemmas/current")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"


def test_archive_lists_past_weeks_newest_first_with_filters_and_pages(app, client, session):
    dilemmas = bank(session)
    weeks = ["2026-W46", "2026-W47", "2026-W48", "2026-W49", "2026-W50"]
    for dilemma, week in zip(dilemmas, weeks, strict=False):
        schedule(session, dilemma, week)
    phone = register(client)
    listed = phone.get("/dilemmas").get_json()
    assert [d["week"] for d in listed] == list(reversed(weeks))
    assert [d["closed"] for d in listed] == [False, True, True, True, True]
    phone.answer(dilemmas[1].id, "A")
    assert [d["id"] for d in phone.get("/dilemmas?answered=true").get_json()] == [dilemmas[1].id]
    assert dilemmas[1].id not in [d["id"] for d in phone.get("/dilemmas?answered=false").get_json()]
    category = dilemmas[2].category.slug
    assert all(d["category"] == category for d in phone.get(f"/dilemmas?category={category}").get_json())
    page = phone.get("/dilemmas?page=2&page_size=2")
    assert [d["week"] for d in page.get_json()] == ["2026-W48", "2026-W47"]
    assert '"total": 5' in page.headers["X-Pagination"]
    assert phone.get("/dilemmas?audience=leidinggevenden").status_code == 200
    assert phone.get("/dilemmas?audience=iedereen&answered=maybe").status_code == 422
    assert phone.get("/dilemmas?page=0").status_code == 422


def test_past_dilemma_stays_readable_and_answerable(app, client, session):
    past = schedule(session, bank(session)[0], "2026-W48")
    schedule(session, bank(session)[1], "2026-W50")
    phone = register(client)
    body = phone.get(f"/dilemmas/{past.id}").get_json()
    assert body["closed"] is True
    assert phone.answer(past.id, "C").status_code == 200
    assert phone.get(f"/dilemmas/{past.id}").get_json()["my_answer"] == "C"
