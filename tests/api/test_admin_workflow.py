"""A dilemma through every state with separate author, reviewer and
publisher tokens, and each refusal on the way."""

import pytest
from sqlalchemy import select

from dilemmas.model.audit import AuditEntry
from tests.conftest import set_now
from tests.factories import new_dilemma_body, office, register


@pytest.fixture
def team(client, session):
    return {
        "author": office(client, session, "author", name="Anna Auteur"),
        "reviewer": office(client, session, "reviewer", name="Rob Reviewer"),
        "publisher": office(client, session, "publisher", name="Petra Publisher"),
        "analyst": office(client, session, "analyst", name="Ali Analist"),
        "customs_author": office(client, session, "author", "douane", name="Dirk Douane"),
    }


def status_of(response):
    assert response.status_code < 300, response.get_json()
    return response.get_json()["status"]


def test_walk_through_every_state_with_every_refusal(app, client, session, team):
    author, reviewer, publisher = team["author"], team["reviewer"], team["publisher"]

    created = author.post("/dilemmas", new_dilemma_body())
    assert created.status_code == 201
    dilemma = created.get_json()
    assert dilemma["status"] == "draft" and dilemma["revision"]["number"] == 1
    assert dilemma["revision"]["author"] == "Anna Auteur"
    assert dilemma["allowed_actions"] == ["submit"]  # archiving is the publisher's
    path = f"/dilemmas/{dilemma['id']}"

    # A wrong role and an invalid transition.
    assert reviewer.post(f"{path}/submit").status_code == 403
    refused = reviewer.post(f"{path}/approve")
    assert refused.status_code == 409
    # What the reviewer may do with a draft: nothing (the allowed list is the caller's).
    assert refused.get_json()["allowed"] == [] and refused.get_json()["state"] == "draft"
    assert author.get(path).get_json()["allowed_actions"] == ["submit"]
    assert publisher.get(path).get_json()["allowed_actions"] == ["archive"]

    assert status_of(author.post(f"{path}/submit")) == "in_review"
    # Four eyes: the author cannot approve their own revision, even holding an admin token.
    own_admin = office(client, session, "admin", name="Anna Auteur")
    assert own_admin.post(f"{path}/approve").status_code == 403
    # ... and is never offered what four-eyes refuses; another reviewer is.
    assert own_admin.get(path).get_json()["allowed_actions"] == []
    assert reviewer.get(path).get_json()["allowed_actions"] == ["approve", "request-changes"]
    # Changes requested need a comment.
    assert reviewer.post(f"{path}/request-changes").status_code == 422
    assert (
        status_of(reviewer.post(f"{path}/request-changes", {"comment": "Optie D is te vaag."})) == "changes_requested"
    )

    changed = author.patch(path, {"options": [*new_dilemma_body()["options"][:3], {"text": "Je belt de aannemer."}]})
    assert changed.get_json()["revision"]["number"] == 2
    assert status_of(author.post(f"{path}/submit")) == "in_review"
    assert status_of(reviewer.post(f"{path}/approve")) == "approved"

    # The publisher schedules; a week that started, or one already taken, is refused.
    assert publisher.post(f"{path}/schedule", {"week": "2026-W50"}).status_code == 409  # started
    assert publisher.post(f"{path}/schedule", {"week": "2026-W99"}).status_code == 422
    assert publisher.post(f"{path}/schedule", {"week": "2027-W53"}).status_code == 409
    assert author.post(f"{path}/schedule", {"week": "2026-W51"}).status_code == 403
    scheduled = publisher.post(f"{path}/schedule", {"week": "2026-W51"})
    assert status_of(scheduled) == "scheduled" and scheduled.get_json()["week"] == "2026-W51"
    other = author.post("/dilemmas", new_dilemma_body(title="Een ander dilemma")).get_json()
    author.post(f"/dilemmas/{other['id']}/submit")
    reviewer.post(f"/dilemmas/{other['id']}/approve")
    double = publisher.post(f"/dilemmas/{other['id']}/schedule", {"week": "2026-W51"})
    assert double.status_code == 409 and double.get_json()["taken_by"] == dilemma["id"]
    assert author.patch(path, {"title": "Nieuwe titel"}).status_code == 409  # unschedule first

    # Not visible before its week; current once the week starts, and publishes itself.
    phone = register(client)
    assert phone.get(f"/dilemmas/{dilemma['id']}").status_code == 404
    set_now(app, "2026-12-14T00:00:00+01:00")
    current = phone.get("/dilemmas/current").get_json()
    assert current["id"] == dilemma["id"] and current["options"][3]["text"] == "Je belt de aannemer."
    assert status_of(author.get(path)) == "published"
    assert publisher.post(f"{path}/unschedule").status_code == 409  # published, not scheduled

    # While the week is open no text changes (answers hold no revision that could tell
    # before from after an edit); after the close other text may, the options never.
    phone.answer(dilemma["id"], "B")
    frozen = author.patch(path, {"options": new_dilemma_body()["options"]})
    assert frozen.status_code == 409 and frozen.get_json()["reason"] == "week_open"
    assert author.patch(path, {"title": "Een fles wijn (bijgewerkt)"}).get_json()["reason"] == "week_open"
    set_now(app, "2026-12-21T00:00:00+01:00")
    assert (
        author.patch(path, {"title": "Een fles wijn van de aannemer (bijgewerkt)"}).get_json()["revision"]["number"]
        == 3
    )
    assert author.patch(path, {"options": new_dilemma_body()["options"]}).get_json()["reason"] == "options_frozen"
    assert phone.get(f"/dilemmas/{dilemma['id']}").get_json()["title"].endswith("(bijgewerkt)")

    assert status_of(publisher.post(f"{path}/archive")) == "archived"
    assert publisher.post(f"{path}/archive").status_code == 409
    assert phone.get(f"/dilemmas/{dilemma['id']}").status_code == 404

    actions = [
        e.action
        for e in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_id == dilemma["id"], AuditEntry.object_type == "dilemma")
            .order_by(AuditEntry.id)
        )
    ]
    assert actions == [
        "dilemma.create",
        "dilemma.submit",
        "dilemma.request-changes",
        "dilemma.update",
        "dilemma.submit",
        "dilemma.approve",
        "dilemma.schedule",
        "dilemma.update",
        "dilemma.archive",
    ]


def test_revisions_show_the_history_and_differences(team):
    author = team["author"]
    dilemma = author.post("/dilemmas", new_dilemma_body()).get_json()
    author.patch(f"/dilemmas/{dilemma['id']}", {"title": "Een fles whisky van de aannemer"})
    history = author.get(f"/dilemmas/{dilemma['id']}/revisions").get_json()
    assert [h["number"] for h in history] == [1, 2]
    assert history[0]["changes"] == {}
    assert history[1]["changes"] == {
        "title": {"from": "Een fles wijn van de aannemer", "to": "Een fles whisky van de aannemer"}
    }
    assert history[1]["author"] == "Anna Auteur"


def test_other_organisation_sees_nothing_and_root_sees_both(client, session, team):
    customs = team["customs_author"]
    theirs = customs.post("/dilemmas", new_dilemma_body(code_refs=["D.1"])).get_json()
    assert theirs["organisation"] == "douane"
    ours = team["author"].post("/dilemmas", new_dilemma_body()).get_json()
    assert customs.get(f"/dilemmas/{ours['id']}").status_code == 404
    assert customs.patch(f"/dilemmas/{ours['id']}", {"title": "x"}).status_code == 404
    assert customs.post(f"/dilemmas/{ours['id']}/submit").status_code == 404
    assert customs.post("/dilemmas", new_dilemma_body(organisation="rijk")).status_code == 404
    assert all(d["organisation"] == "douane" for d in customs.get("/dilemmas?per_page=100").get_json())
    # Rijk sees both, and authors in the organisation it names.
    assert team["author"].get(f"/dilemmas/{theirs['id']}").status_code == 200
    named = team["author"].post("/dilemmas", new_dilemma_body(organisation="douane", code_refs=["D.3"]))
    assert named.status_code == 201 and named.get_json()["organisation"] == "douane"
    # A rijk dilemma may not refer to the Customs supplement.
    wrong = team["author"].post("/dilemmas", new_dilemma_body(code_refs=["D.3"]))
    assert wrong.status_code == 409 and "code_refs" in wrong.get_json()["errors"]


def test_expired_revoked_and_app_tokens_are_401(app, client, session, team):
    admin = office(client, session, "admin")
    author = team["author"]
    assert author.get("/me").get_json()["role"] == "author"
    phone = register(client)
    assert client.get("/api/v1/admin/me", headers=phone.headers).status_code == 401
    token_id = next(t for t in admin.get("/tokens").get_json() if t["name"] == "Anna Auteur")["id"]
    assert admin.delete(f"/tokens/{token_id}").status_code == 204
    assert author.get("/me").status_code == 401
    set_now(app, "2027-01-01T00:00:00+01:00")  # the tokens were minted for 30 days on 1 December
    assert team["reviewer"].get("/me").status_code == 401


def test_tokens_are_minted_by_admins_within_their_reach(client, session):
    root_admin = office(client, session, "admin")
    customs_admin = office(client, session, "admin", "douane")
    minted = root_admin.post(
        "/tokens", {"name": "Nieuwe Collega", "role": "reviewer", "organisation": "douane", "days": 7}
    )
    assert minted.status_code == 201
    body = minted.get_json()
    assert body["token"].startswith("kpa_") and body["organisation"] == "douane"
    assert client.get("/api/v1/admin/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()["scope"] == [
        "douane"
    ]
    assert customs_admin.post("/tokens", {"name": "X", "role": "admin", "organisation": "rijk"}).status_code == 404
    assert office(client, session, "author").post("/tokens", {"name": "X", "role": "admin"}).status_code == 403
    assert root_admin.post("/tokens", {"name": "X", "role": "king"}).status_code == 422
    assert root_admin.post("/tokens", {"name": "X", "role": "author", "scope": "all"}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": new_dilemma_body()["options"][:3]}, "options"),
        ({"options": [{"text": ""}, {"text": "B"}, {"text": "C"}, {"text": "D"}]}, "options.0.text"),
        ({"title": "x" * 81}, "title"),
        ({"audience": "iedereen-behalve-jij"}, "audience"),
        ({"colour": "blue"}, "colour"),
        (
            {"options": [{"text": "A", "alignment": "maybe"}, {"text": "B"}, {"text": "C"}, {"text": "D"}]},
            "options.0.alignment",
        ),
    ],
)
def test_invalid_dilemmas_are_422_per_field_and_store_nothing(team, body, field):
    author = team["author"]
    response = author.post("/dilemmas", new_dilemma_body(**body))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert author.get("/dilemmas?status=draft").get_json() == []


def test_unknown_references_and_equal_options_are_409(team):
    author = team["author"]
    unknown = author.post("/dilemmas", new_dilemma_body(category="onbekend"))
    assert unknown.status_code == 409 and "category" in unknown.get_json()["errors"]
    refs = author.post("/dilemmas", new_dilemma_body(code_refs=["9.9"]))
    assert refs.status_code == 409 and "code_refs" in refs.get_json()["errors"]
    same = author.post(
        "/dilemmas", new_dilemma_body(options=[{"text": "Zelfde"}, {"text": "zelfde "}, {"text": "C"}, {"text": "D"}])
    )
    assert same.status_code == 409 and same.get_json()["field"] == "options"
    assert author.get("/dilemmas?status=draft").get_json() == []


def test_deleting_only_unanswered_drafts(team):
    author, reviewer = team["author"], team["reviewer"]
    draft = author.post("/dilemmas", new_dilemma_body()).get_json()
    submitted = author.post("/dilemmas", new_dilemma_body(title="Tweede")).get_json()
    author.post(f"/dilemmas/{submitted['id']}/submit")
    assert author.delete(f"/dilemmas/{submitted['id']}").status_code == 409
    assert reviewer.delete(f"/dilemmas/{draft['id']}").status_code == 403
    assert author.delete(f"/dilemmas/{draft['id']}").status_code == 204
    assert author.get(f"/dilemmas/{draft['id']}").status_code == 404


def test_unschedule_before_the_week(team):
    author, reviewer, publisher = team["author"], team["reviewer"], team["publisher"]
    dilemma = author.post("/dilemmas", new_dilemma_body()).get_json()
    path = f"/dilemmas/{dilemma['id']}"
    author.post(f"{path}/submit")
    reviewer.post(f"{path}/approve")
    publisher.post(f"{path}/schedule", {"week": "2027-W02"})
    assert status_of(publisher.post(f"{path}/unschedule")) == "approved"
    assert publisher.get(path).get_json()["week"] is None
    assert status_of(publisher.post(f"{path}/schedule", {"week": "2027-W02"})) == "scheduled"
