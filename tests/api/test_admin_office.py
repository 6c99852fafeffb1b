"""The rest of the integrity office: schedule view, code authoring,
suggestions, enrolment codes, the audit log and the command line."""

from click.testing import CliRunner
from sqlalchemy import select

from api.cli import main
from dilemmas.model.code import CodeSection
from dilemmas.model.content import Dilemma, Revision, revision_sections
from tests.conftest import SECRET
from tests.factories import bank, enrolment_code, new_dilemma_body, office, register, schedule


def test_schedule_view_shows_own_inherited_automatic_and_gaps(client, session):
    schedule(session, bank(session, "douane")[0], "2026-W51", organisation="douane")
    schedule(session, bank(session)[1], "2026-W52")
    phone = register(client)
    phone.get("/dilemmas/current")  # this week gets its automatic dilemma
    rows = office(client, session, "publisher").get("/schedule?from=2026-W50&to=2026-W53").get_json()
    by_key = {(r["week"], r["organisation"]): r for r in rows}
    assert len(rows) == 8
    assert by_key[("2026-W50", "rijk")]["source"] == "automatic"
    assert by_key[("2026-W50", "douane")]["source"] == "inherited"
    assert by_key[("2026-W50", "douane")]["inherited_from"] == "rijk"
    assert by_key[("2026-W51", "douane")]["source"] == "own"
    assert by_key[("2026-W51", "rijk")]["source"] == "gap"
    assert by_key[("2026-W53", "rijk")]["source"] == "gap" and by_key[("2026-W53", "rijk")]["dilemma_id"] is None
    customs_rows = office(client, session, "publisher", "douane").get("/schedule?from=2026-W50&to=2026-W53").get_json()
    assert {r["organisation"] for r in customs_rows} == {"douane"}
    assert office(client, session, "publisher").get("/schedule?from=2026-W53&to=2026-W50").get_json() == []
    assert office(client, session, "publisher").get("/schedule?from=2027-W53").status_code == 409
    assert office(client, session, "publisher").get("/schedule?from=yesterday").status_code == 422


def referring_to(session, ref):
    section = session.scalar(select(CodeSection).where(CodeSection.ref == ref))
    return set(
        session.scalars(
            select(Revision.dilemma_id)
            .join(revision_sections, revision_sections.c.revision_id == Revision.id)
            .where(revision_sections.c.section_id == section.id)
        )
    )


def test_code_edit_makes_a_version_and_flags_dilemmas(client, session):
    author = office(client, session, "author")
    before = author.get("/code/sections/4.1").get_json()
    assert [v["version"] for v in before["versions"]] == [1]
    changed = author.put("/code/sections/4.1", {"text": before["text"] + " Twijfel je? Vraag het na."})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    assert [v["version"] for v in changed.get_json()["versions"]] == [1, 2]
    flagged = {d["id"] for d in author.get("/dilemmas?needs_review=true&page_size=100").get_json()}
    assert flagged and flagged <= referring_to(session, "4.1")
    # The app reads the new text at once.
    assert register(client).get("/code/sections/4.1").get_json()["version"] == 2
    # A new revision of a flagged dilemma clears the flag.
    some = sorted(flagged)[0]
    author.patch(f"/dilemmas/{some}", {"explanation": "Bijgewerkt na de nieuwe tekst van 4.1."})
    assert author.get(f"/dilemmas/{some}").get_json()["needs_review"] is False
    # Customs authors may not edit the root code; reviewers may not edit at all.
    assert office(client, session, "author", "douane").put("/code/sections/4.1", {"text": "x" * 200}).status_code == 404
    assert office(client, session, "reviewer").put("/code/sections/4.1", {"text": "x" * 200}).status_code == 403
    assert author.put("/code/sections/4.1", {"text": ""}).status_code == 422


def test_suggestions_from_the_app_reach_the_office_anonymously(client, session):
    phone = register(client, session, "douane")
    text = "Een collega vraagt of ik een pakketje voor zijn broer wil laten doorgaan zonder controle."
    sent = phone.client.post(
        "/api/v1/suggestions", json={"text": text, "category": "ondermijning"}, headers=phone.headers
    )
    assert sent.status_code == 201 and sent.get_json()["status"] == "new"
    assert phone.client.post("/api/v1/suggestions", json={"text": "kort"}, headers=phone.headers).status_code == 422
    customs = office(client, session, "author", "douane")
    inbox = customs.get("/suggestions").get_json()
    assert [s["text"] for s in inbox] == [text] and inbox[0]["category"] == "ondermijning"
    assert set(inbox[0]) == {"id", "text", "category", "status", "received_on", "dilemma_id"}
    assert office(client, session, "author").get("/suggestions?status=new").get_json()[0]["text"] == text
    assert office(client, session, "analyst").get("/suggestions").status_code == 403
    suggestion = inbox[0]["id"]
    draft = customs.post(f"/suggestions/{suggestion}/draft")
    assert draft.status_code == 201
    assert draft.get_json()["status"] == "draft" and draft.get_json()["organisation"] == "douane"
    assert customs.get("/suggestions").get_json()[0]["status"] == "in_progress"
    assert customs.patch(f"/suggestions/{suggestion}", {"status": "used"}).get_json()["status"] == "used"
    assert customs.patch(f"/suggestions/{suggestion}", {"status": "gone"}).status_code == 422
    assert (
        office(client, session, "author", "douane").patch("/suggestions/999999", {"status": "used"}).status_code == 404
    )


def test_rotating_an_enrolment_code_stops_only_new_enrolments(client, session):
    old = enrolment_code(session, "douane")
    enrolled = client.post("/api/v1/installations", json={"platform": "ios", "enrolment_code": old}).get_json()
    admin = office(client, session, "admin", "douane")
    assert admin.get("/enrolment-codes").get_json()[0]["organisation"] == "douane"
    rotated = admin.post("/enrolment-codes", {})
    assert rotated.status_code == 201 and rotated.get_json()["code"].replace("-", "") != old
    refused = client.post("/api/v1/installations", json={"platform": "ios", "enrolment_code": old})
    assert refused.status_code == 409 and "enrolment_code" in refused.get_json()["errors"]
    fresh = client.post("/api/v1/installations", json={"platform": "ios", "enrolment_code": rotated.get_json()["code"]})
    assert fresh.get_json()["organisation"]["slug"] == "douane"
    me = client.get("/api/v1/installations/me", headers={"Authorization": f"Bearer {enrolled['token']}"})
    assert me.get_json()["organisation"]["slug"] == "douane"
    assert admin.post("/enrolment-codes", {"organisation": "rijk"}).status_code == 404
    assert office(client, session, "publisher", "douane").post("/enrolment-codes", {}).status_code == 403


def test_audit_log_records_admin_actions_and_is_read_only(client, session):
    admin = office(client, session, "admin", name="Ada Admin")
    author = office(client, session, "author", name="Anna Auteur")
    dilemma = author.post("/dilemmas", new_dilemma_body()).get_json()
    author.post(f"/dilemmas/{dilemma['id']}/submit")
    admin.post("/enrolment-codes", {"organisation": "douane"})
    entries = admin.get(f"/audit?object_type=dilemma&object_id={dilemma['id']}").get_json()
    assert [e["action"] for e in entries] == ["dilemma.submit", "dilemma.create"]
    assert entries[0]["actor"] == "Anna Auteur (author)"
    assert admin.get("/audit?action=enrolment_code.rotate").get_json()[0]["actor"] == "Ada Admin (admin)"
    assert admin.get("/audit?actor=Anna").get_json()[0]["action"] == "dilemma.submit"
    assert admin.get("/audit?since=2026-12-01T00:00:00").status_code == 422  # an instant needs an offset
    assert author.get("/audit").status_code == 403
    assert admin.delete("/audit").status_code == 405
    assert admin.patch("/audit", {}).status_code == 405
    customs_admin = office(client, session, "admin", "douane")
    assert all(e["action"] != "dilemma.create" for e in customs_admin.get("/audit").get_json())


def test_cli_create_token_prints_a_working_token_last(database_url, monkeypatch, tmp_path, client):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KOMPAS_SECRET_KEY", SECRET)
    monkeypatch.setenv("KOMPAS_NOW", "2026-12-09T12:00:00+01:00")
    result = CliRunner().invoke(
        main, ["admin", "create-token", "--name", "Carla", "--role", "reviewer", "--org", "douane", "--days", "3"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = client.get("/api/v1/admin/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me == {
        "name": "Carla",
        "role": "reviewer",
        "organisation": "douane",
        "scope": ["douane"],
        "expires_at": "2026-12-12T11:00:00Z",
    }
    bad = CliRunner().invoke(main, ["admin", "create-token", "--name", "X", "--role", "king", "--org", "rijk"])
    assert bad.exit_code == 2
    unknown = CliRunner().invoke(main, ["admin", "create-token", "--name", "X", "--role", "admin", "--org", "nope"])
    assert unknown.exit_code == 1 and "nope" in unknown.output


def test_bank_dilemmas_are_listed_with_filters(client, session):
    publisher = office(client, session, "publisher")
    listed = publisher.get("/dilemmas?status=approved&category=geschenken&page_size=100")
    assert listed.status_code == 200
    assert listed.get_json() and all(d["category"] == "geschenken" for d in listed.get_json())
    total = session.scalar(select(Dilemma).where(Dilemma.status == "approved").limit(1))
    assert total is not None
    customs = publisher.get("/dilemmas?organisation=douane&page_size=100").get_json()
    assert customs and {d["organisation"] for d in customs} == {"douane"}
    schedule(session, bank(session)[0], "2026-W52")
    weeks = publisher.get("/dilemmas?from=2026-W52&to=2026-W52").get_json()
    assert [d["week"] for d in weeks] == ["2026-W52"]
    assert publisher.get("/dilemmas?status=lost").status_code == 422
