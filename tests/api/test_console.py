"""The office console through the Flask test client: its session (cookie,
CSRF, idle time-out, revoked tokens), its headers, and that its forms write
through the admin API's services with the API's rules. The browser tests
(tests/browser) use it as a person does."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from api.platform.settings import ConfigError, Settings, oidc_roles
from dilemmas.model.admins import AdminToken, ConsoleSignIn
from dilemmas.model.audit import AuditEntry
from dilemmas.office import console
from dilemmas.reads.organisations import by_slug
from tests.conftest import SECRET, parse_now, set_now
from tests.factories import new_dilemma_body, office

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client, token: str):
    page = client.get("/office/sign-in")
    csrf = CSRF.search(page.get_data(as_text=True)).group(1)
    response = client.post("/office/sign-in", data={"csrf_token": csrf, "token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return CSRF.search(client.get("/office/").get_data(as_text=True)).group(1)


def test_pages_ask_for_a_sign_in_and_carry_a_strict_policy(client):
    response = client.get("/office/dilemmas")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/office/sign-in?next=/office/dilemmas")
    page = client.get("/office/sign-in")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "form-action 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert client.post("/office/dilemmas/1/approve").status_code == 401


def test_the_session_cookie_holds_no_token_and_is_strict(client, session):
    author = office(client, session, "author")
    sign_in(client, author.token)
    cookie = client.get_cookie("kompas_office", path="/office/")
    assert cookie.http_only and cookie.same_site == "Strict" and not cookie.value.startswith("kpa_")
    assert session.scalar(select(ConsoleSignIn.token_id)) is not None


def test_sign_in_needs_the_forms_own_token(client, session):
    author = office(client, session, "author")
    response = client.post("/office/sign-in", data={"csrf_token": "made-up", "token": author.token})
    assert response.status_code == 400
    assert client.get_cookie("kompas_office", path="/office/") is None


def test_a_session_ends_after_idling_and_when_its_token_is_revoked(app, client, session):
    author = office(client, session, "author")
    sign_in(client, author.token)
    set_now(app, "2026-12-09T12:29:00+01:00")
    assert client.get("/office/").status_code == 200
    set_now(app, "2026-12-09T13:00:00+01:00")  # 31 minutes after the last request
    response = client.get("/office/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert session.scalar(select(ConsoleSignIn)) is None

    sign_in(client, author.token)
    admin = office(client, session, "admin")
    token_id = session.scalar(select(AdminToken.id).where(AdminToken.name == author.name))
    assert admin.delete(f"/tokens/{token_id}").status_code == 204
    assert client.get("/office/").status_code == 302


def test_a_draft_from_the_console_is_the_apis_draft(client, session):
    author = office(client, session, "author", name="Anna Auteur")
    csrf = sign_in(client, author.token)
    body = new_dilemma_body(title="x" * 81)
    form = {
        "csrf_token": csrf,
        "title": body["title"],
        "situation": body["situation"],
        "category": body["category"],
        "audience": "iedereen",
        "code_refs": body["code_refs"],
        **{f"option_{key}_text": o["text"] for key, o in zip("ABCD", body["options"], strict=True)},
        **{f"option_{key}_alignment": o["alignment"] for key, o in zip("ABCD", body["options"], strict=True)},
    }
    refused = client.post("/office/dilemmas/new", data=form)
    assert refused.status_code == 422
    assert "Gebruik hoogstens 80 tekens." in refused.get_data(as_text=True)
    assert author.post("/dilemmas", json=body).status_code == 422  # the same rule, the same place

    created = client.post("/office/dilemmas/new", data={**form, "title": "Een fles wijn"})
    assert created.status_code == 303
    dilemma_id = int(created.headers["Location"].split("/")[3].split("?")[0])
    got = author.get(f"/dilemmas/{dilemma_id}").get_json()
    assert got["status"] == "draft" and got["revision"]["author"] == "Anna Auteur"
    assert got["code_refs"] == ["3.1", "4.1"] and got["options"][2]["alignment"] == "conflicts"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == dilemma_id)).all()
    assert actions == ["dilemma.create"]

    # Twice the same option text: the domain's rule, shown beside the options.
    again = client.post(
        "/office/dilemmas/new", data={**form, "title": "Nog een", "option_B_text": form["option_A_text"]}
    )
    assert again.status_code == 409 and "Twee opties zijn gelijk" in again.get_data(as_text=True)


def test_four_eyes_shows_instead_of_the_approve_button(client, session):
    admin = office(client, session, "admin", name="Bea Beheer")
    created = admin.post("/dilemmas", json=new_dilemma_body()).get_json()
    admin.post(f"/dilemmas/{created['id']}/submit")
    sign_in(client, admin.token)
    page = client.get(f"/office/dilemmas/{created['id']}").get_data(as_text=True)
    assert "je schreef deze revisie zelf; iemand anders moet goedkeuren" in page.lower()
    assert 'data-action="approve"' not in page


def test_the_language_follows_the_session(client, session):
    csrf = sign_in(client, office(client, session, "analyst").token)
    client.post("/office/language", data={"csrf_token": csrf, "locale": "en", "next": "/office/"})
    page = client.get("/office/").get_data(as_text=True)
    assert '<html lang="en">' in page and "This week" in page


def test_a_federated_sign_out_revokes_the_token_it_was_given(session):
    now = parse_now("2026-12-09T12:00:00+01:00")
    opened = console.sign_in_federated(session, SECRET.encode(), now, "Olga Oidc", "analyst", "douane")
    resumed = console.resume(
        session, SECRET.encode(), now, opened.cookie, idle=parse_now("2026-12-09T12:30:00+01:00") - now
    )
    assert resumed.actor.role == "analyst" and resumed.actor.organisation.id == by_slug(session, "douane").id
    console.sign_out(session, SECRET.encode(), now, opened.cookie)
    token = session.scalar(select(AdminToken).where(AdminToken.name == "Olga Oidc"))
    assert token.revoked_at is not None and token.created_by == "oidc"


def test_oidc_settings_are_checked_at_start():
    assert oidc_roles("a=author@rijk, b=analyst@douane") == (("a", "author", "rijk"), ("b", "analyst", "douane"))
    with pytest.raises(ConfigError, match="KOMPAS_OIDC_ROLES"):
        oidc_roles("a=chief@rijk")
    with pytest.raises(ConfigError, match="KOMPAS_OIDC_CLIENT_ID"):
        Settings.load({"KOMPAS_OIDC_ISSUER": "https://sso.example.nl"}, {"KOMPAS_SECRET_KEY": SECRET})


def test_an_adhoc_push_is_previewed_then_sent_through_the_apis_service(client, session):
    publisher = office(client, session, "publisher")
    csrf = sign_in(client, publisher.token)
    form = {
        "csrf_token": csrf,
        "title": "Nieuwe gedragscode",
        "body": "Lees wat er verandert.",
        "organisation": "douane",
    }
    preview = client.post("/office/push", data={**form, "step": "preview"})
    assert preview.status_code == 200 and "Nu versturen" in preview.get_data(as_text=True)
    assert publisher.get("/push/campaigns").get_json() == []  # a preview sends nothing
    sent = client.post("/office/push", data={**form, "step": "send"})
    assert sent.status_code == 303
    campaigns = publisher.get("/push/campaigns").get_json()
    assert [(c["kind"], c["organisation"]) for c in campaigns] == [("adhoc", "douane")]
    empty = client.post("/office/push", data={**form, "title": "", "step": "send"})
    assert empty.status_code == 422 and "Vul een titel in." in empty.get_data(as_text=True)


def test_editing_a_code_section_lists_and_flags_the_dilemmas_that_refer_to_it(client, session):
    author = office(client, session, "author")
    created = author.post("/dilemmas", json=new_dilemma_body(code_refs=["4.1"])).get_json()
    csrf = sign_in(client, author.token)
    page = client.get("/office/code/4.1").get_data(as_text=True)
    assert created["title"] in page
    response = client.post("/office/code/4.1", data={"csrf_token": csrf, "title": "Geschenken", "text": "Nieuw."})
    assert response.status_code == 303
    assert author.get(f"/dilemmas/{created['id']}").get_json()["needs_review"] is True


def test_english_chosen_before_sign_in_stays_after_it(client, session):
    page = client.get("/office/sign-in?lang=en").get_data(as_text=True)
    assert "Sign in to the integrity office" in page and 'name="lang" value="en"' in page
    csrf = CSRF.search(page).group(1)
    token = office(client, session, "author").token
    client.post("/office/sign-in", data={"csrf_token": csrf, "token": token, "lang": "en"})
    assert "This week" in client.get("/office/").get_data(as_text=True)
