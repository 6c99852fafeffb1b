"""One problem type per cause, not per status: an app tells "answer first"
from "week closed" from "step refused" by ``type``; each type's URI serves
a short page in Dutch and English; titles and details follow the
installation's locale, or ``Accept-Language`` where no installation is
known; every response says its language."""

from __future__ import annotations

import pytest

from dilemmas.language import CAUSES, choose
from tests.api.test_errors import assert_problem
from tests.conftest import set_now
from tests.factories import bank, register, schedule, team


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


def test_the_409s_of_the_week_are_told_apart_by_type(app, client, session, this_week):
    phone = register(client)
    first = assert_problem(phone.get(f"/dilemmas/{this_week.id}/results"), 409)
    assert first["type"] == "/problems/answer-first"
    phone.answer(this_week.id, "A")
    set_now(app, "2026-12-14T00:00:00+01:00")
    closed = assert_problem(phone.answer(this_week.id, "B"), 409)
    assert closed["type"] == "/problems/week-closed" and closed["answer"] == "A"


def test_a_meeting_names_its_refusals(client, session, this_week):
    lead = register(client)
    member = register(client)
    created = team(lead, [member])
    opened = lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}).get_json()
    again = assert_problem(lead.post(f"/teams/{created['id']}/sessions", json={"dilemma_id": this_week.id}), 409)
    assert again["type"] == "/problems/session-open" and again["session_id"] == opened["id"]
    few = assert_problem(lead.post(f"/sessions/{opened['id']}/reveal"), 409)
    assert few["type"] == "/problems/too-few-votes" and few["needed"] > few["votes"] == 0
    step = assert_problem(lead.post(f"/sessions/{opened['id']}/revote"), 409)
    assert step["type"] == "/problems/step-refused" and step["state"] == "open" and "vote" in step["allowed"]
    member.post("/sessions/join", json={"join_code": opened["join_code"]})
    lead_only = assert_problem(member.post(f"/sessions/{opened['id']}/close"), 403)
    assert lead_only["type"] == "/problems/lead-only"


def test_401s_are_told_apart(client):
    missing = assert_problem(client.get("/api/v1/dilemmas/current"), 401)
    assert missing["type"] == "/problems/token-missing"
    unknown = assert_problem(
        client.get("/api/v1/dilemmas/current", headers={"Authorization": "Bearer no-such-token"}), 401
    )
    assert unknown["type"] == "/problems/token-unknown"
    phone = register(client)
    assert phone.delete("/installations/me").status_code == 204
    erased = assert_problem(phone.get("/installations/me"), 401)
    assert erased["type"] == "/problems/token-unknown"
    admin = assert_problem(client.get("/api/v1/admin/me", headers={"Authorization": "Bearer kpa_nope"}), 401)
    assert admin["type"] == "/problems/admin-token-invalid"


def test_every_type_uri_serves_a_page_in_both_languages(client):
    for cause, entry in CAUSES.items():
        page = client.get(f"/problems/{cause}")
        assert page.status_code == 200 and page.mimetype == "text/html", cause
        html = page.get_data(as_text=True)
        assert entry.title["nl"] in html and entry.title["en"] in html, cause
        assert page.headers["Content-Language"] == "nl, en"
    assert client.get("/problems/no-such-cause").status_code == 404


def test_every_type_sent_is_one_with_a_page(client):
    document = client.get("/openapi.json").get_json()
    declared = document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
    assert set(declared) == {f"/problems/{cause}" for cause in CAUSES}


def test_an_installation_in_english_reads_its_errors_in_english(client, session, this_week):
    phone = register(client)
    assert phone.patch("/installations/me", json={"locale": "en"}).status_code == 200
    refused = phone.get(f"/dilemmas/{this_week.id}/results")
    body = assert_problem(refused, 409)
    assert refused.headers["Content-Language"] == "en"
    assert body["title"] == "Answer first" and body["detail"] == CAUSES["answer-first"].advice["en"]
    # A Dutch Accept-Language does not outvote the installation's own choice.
    dutch = phone.get(f"/dilemmas/{this_week.id}/results", headers={"Accept-Language": "nl"})
    assert dutch.get_json()["title"] == "Answer first"
    assert phone.get("/dilemmas/current").headers["Content-Language"] == "en"


def test_without_an_installation_accept_language_decides(client):
    english = client.get("/api/v1/dilemmas/current", headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"})
    assert english.headers["Content-Language"] == "en"
    assert assert_problem(english, 401)["title"] == "Not signed in"
    dutch = client.get("/api/v1/dilemmas/current", headers={"Accept-Language": "fr, nl;q=0.4"})
    assert dutch.headers["Content-Language"] == "nl"
    assert assert_problem(dutch, 401)["title"] == "Niet aangemeld"
    registered = client.post("/api/v1/installations", json={"platform": "ios"}, headers={"Accept-Language": "en"})
    assert registered.headers["Content-Language"] == "en"


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, "nl"),
        ("", "nl"),
        ("en", "en"),
        ("EN-us", "en"),
        ("de, en;q=0.8, nl;q=0.9", "nl"),
        ("en;q=0, nl;q=0.1", "nl"),
        ("en;q=abc", "nl"),
        ("nl, en", "nl"),
        ("en, nl", "en"),
        ("*", "nl"),
    ],
)
def test_accept_language_is_read_as_rfc_9110_says(header, expected):
    assert choose(header) == expected


def test_names_follow_the_installations_language(client, session, this_week):
    phone = register(client)
    dutch = phone.get("/dilemmas/current").get_json()["category_name"]
    assert phone.patch("/installations/me", json={"locale": "en"}).status_code == 200
    current = phone.get("/dilemmas/current").get_json()
    categories = {c["slug"]: c for c in phone.get("/categories").get_json()}
    category = categories[current["category"]]
    assert category["name_en"] and current["category_name"] == category["name"] == category["name_en"] != dutch
    results = phone.answer(this_week.id, "A").get_json()
    everyone = next(s for s in results["scopes"] if s["scope"] == "all")
    assert everyone["name"] == "All colleagues"
    assert phone.patch("/installations/me", json={"locale": "nl"}).status_code == 200
    assert phone.get(f"/dilemmas/{this_week.id}/results").get_json()["scopes"][0]["name"] == "Alle collega's"
