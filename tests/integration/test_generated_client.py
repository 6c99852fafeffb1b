"""The contract as a client developer meets it: openapi-python-client
generates a Python client from our OpenAPI document (into the test's
temporary folder, never the repository), and the employee's week, a team
meeting and the integrity office's authoring run through that client only,
against a real `kompas serve`. The generated models refuse a response that
lacks a required field or has the wrong type, and every response is also
validated against its operation's schema in the document (JSON Schema
2020-12: types, enums, formats, required fields; additional properties
allowed, as the versioning policy in docs/clients.md promises), its
contract headers against the operation's declared ones; so the document
must say what the server does."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import httpx
import pytest
from jsonschema import Draft202012Validator, FormatChecker

from api.app import create_app
from tests.conftest import DEFAULT_NOW, SECRET
from tests.servers import KOMPAS, Server

GENERATOR = str(Path(sys.executable).parent / "openapi-python-client")
PACKAGE = "kompas_client"


@pytest.fixture(scope="module")
def kompas_client(tmp_path_factory):
    """The generated package, imported."""
    folder = tmp_path_factory.mktemp("generated")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'unused.db'}",
            "KOMPAS_SECRET_KEY": SECRET,
            "KOMPAS_ENV": "test",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    document = folder / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/openapi.json").get_json()))
    app.extensions["kompas.engine"].dispose()
    config = folder / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: nothing here reads the code
    result = subprocess.run(
        [GENERATOR, "generate", "--path", str(document), "--output-path", str(folder / PACKAGE), "--meta", "none",
         "--config", str(config)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The generator carries on past parts of a document it cannot read and
    # says so: any warning is a part a client would miss.
    assert "Warning" not in output and "Unable" not in output, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


# Headers whose meaning a client relies on: each must be declared where it is sent.
CONTRACT_HEADERS = (
    "etag", "retry-after", "idempotent-replayed", "x-ratelimit-limit", "x-ratelimit-remaining",
    "x-ratelimit-reset", "content-language", "link", "location",
)  # fmt: skip


class Contract:
    """Checks each response a generated client receives against the
    document: its status is declared, its body matches the declared schema,
    and its contract headers are declared."""

    def __init__(self, document: dict):
        self.document = document
        self.routes = [
            (method.upper(), re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if isinstance(operation, dict) and "responses" in operation
        ]
        self.checked = 0

    def response_of(self, operation: dict, status: int) -> dict:
        responses = operation["responses"]
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses["default"]
        while "$ref" in declared:
            declared = self.document["components"]["responses"][declared["$ref"].rsplit("/", 1)[1]]
        return declared

    def check(self, response: httpx.Response) -> None:
        request = response.request
        path = request.url.path
        operation = next(
            (op for method, pattern, op in self.routes if method == request.method and pattern.match(path)), None
        )
        assert operation is not None, f"{request.method} {path} is not in the document"
        assert str(response.status_code) in operation["responses"], (
            f"{operation['operationId']}: status {response.status_code} is not declared"
        )
        declared = self.response_of(operation, response.status_code)
        sent = {name.lower() for name in response.headers}
        headers = {name.lower() for name in declared.get("headers", {})}
        undeclared = sorted(name for name in CONTRACT_HEADERS if name in sent and name not in headers)
        assert not undeclared, f"{operation['operationId']} {response.status_code}: undeclared {undeclared}"
        response.read()
        media = response.headers.get("content-type", "").split(";")[0]
        content = declared.get("content", {})
        if not response.content:
            assert response.status_code in (204, 304) or not content, operation["operationId"]
            self.checked += 1
            return
        assert media in content, f"{operation['operationId']} {response.status_code}: {media} not declared"
        schema = {"allOf": [content[media]["schema"]], "components": self.document["components"]}
        body = response.json() if media.endswith("json") else response.text
        errors = sorted(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body), key=str)
        assert not errors, f"{operation['operationId']} {response.status_code}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
        )
        self.checked += 1


@pytest.fixture
def server(database_url, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": DEFAULT_NOW,
        "RATELIMIT_ENABLED": "false",
    }
    running = Server(env, tmp_path, workers=2).start()
    running.env = {**os.environ, **env}
    running.contract = Contract(httpx.get(f"{running.base}/openapi.json").json())
    yield running
    running.close()
    # Every flow is checked response by response, or it proves nothing.
    assert running.contract.checked >= 10


def checked(server) -> dict:
    """The generated client's httpx arguments: every response checked."""
    return {"event_hooks": {"response": [server.contract.check]}}


def anonymous_client(kompas_client, server):
    return kompas_client.Client(base_url=server.base, httpx_args=checked(server))


def authenticated_client(kompas_client, server, token: str):
    return kompas_client.AuthenticatedClient(base_url=server.base, token=token, httpx_args=checked(server))


def admin_token(server, name: str = "Ada Admin") -> str:
    """The first token comes from the command line, as the README says."""
    result = subprocess.run(
        [KOMPAS, "admin", "create-token", "--name", name, "--role", "admin", "--org", "rijk"],
        env=server.env, cwd=server.cwd, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def ok(response, status: HTTPStatus = HTTPStatus.OK):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.parsed


def modules(kompas_client, *names):
    return [importlib.import_module(f"{PACKAGE}.api.{name}") for name in names]


def phone(kompas_client, server, platform: str = "android"):
    from kompas_client.api.installations import register_installation
    from kompas_client.models import RegistrationIn, RegistrationInPlatform

    anonymous = anonymous_client(kompas_client, server)
    registered = ok(
        register_installation.sync_detailed(
            client=anonymous, body=RegistrationIn(platform=RegistrationInPlatform(platform))
        ),
        HTTPStatus.CREATED,
    )
    assert registered.organisation.slug == "rijk"
    return authenticated_client(kompas_client, server, registered.token)


def test_an_employees_week(kompas_client, server):
    from kompas_client.api.code import get_code, get_code_section, search_code
    from kompas_client.api.dilemmas import answer_dilemma, get_current_dilemma, get_dilemma, get_results, list_dilemmas
    from kompas_client.api.installations import (
        erase_my_installation,
        get_my_installation,
        remove_push_token,
        set_push_token,
        update_my_installation,
    )
    from kompas_client.api.organisation import get_organisation, list_categories
    from kompas_client.api.suggestions import suggest_dilemma
    from kompas_client.models import (
        AnswerIn,
        AnswerInMode,
        AnswerInOption,
        InstallationPatch,
        Notifications,
        Prediction,
        PushTokenIn,
        PushTokenInPlatform,
        SuggestionIn,
    )

    me = phone(kompas_client, server)
    settings = ok(get_my_installation.sync_detailed(client=me))
    assert settings.push_token is False and settings.notifications.weekly is True
    changed = ok(
        update_my_installation.sync_detailed(
            client=me, body=InstallationPatch(notifications=Notifications(weekly=True, reminders=True))
        )
    )
    assert changed.notifications.reminders is True
    ok(
        set_push_token.sync_detailed(
            client=me, body=PushTokenIn(token="device-token-of-this-phone", platform=PushTokenInPlatform.ANDROID)
        ),
        HTTPStatus.NO_CONTENT,
    )
    assert ok(get_my_installation.sync_detailed(client=me)).push_token is True

    current = ok(get_current_dilemma.sync_detailed(client=me))
    assert current.week == "2026-W50" and [o.key for o in current.options] == ["A", "B", "C", "D"]
    assert current.my_answer is None
    results = ok(
        answer_dilemma.sync_detailed(
            current.id,
            client=me,
            body=AnswerIn(
                option=AnswerInOption.B,
                mode=AnswerInMode.ALONE,
                difficulty=3,
                prediction=Prediction(a=30, b=40, c=20, d=10),
            ),
        )
    )
    assert results.my_answer == "B" and results.difficulty == 3
    assert results.prediction.additional_properties == {"A": 30, "B": 40, "C": 20, "D": 10}
    everyone = results.scopes[0]
    # Mid-week, the live figure of the days before: nobody had answered, too few to show.
    assert everyone.scope == "all" and everyone.suppressed is True and everyone.reason == "too_few_answers"
    assert everyone.options is None and everyone.total is None
    again = ok(get_results.sync_detailed(current.id, client=me))
    assert again.my_answer == "B" and [c.ref for c in again.code] == [c.ref for c in results.code]
    assert ok(get_dilemma.sync_detailed(current.id, client=me)).my_answer == "B"
    archive = ok(list_dilemmas.sync_detailed(client=me))
    assert archive[0].id == current.id and archive[0].answered is True

    code = ok(get_code.sync_detailed(client=me))
    first = code.chapters[0].sections[0]
    assert ok(get_code_section.sync_detailed(first.ref, client=me)).text == first.text
    hits = ok(search_code.sync_detailed(client=me, q="geschenk"))
    assert hits and all(hit.score > 0 for hit in hits)
    organisation = ok(get_organisation.sync_detailed(client=me))
    assert organisation.slug == "rijk" and organisation.parent is None
    categories = ok(list_categories.sync_detailed(client=me))
    assert current.category in {c.slug for c in categories}
    receipt = ok(
        suggest_dilemma.sync_detailed(
            client=me, body=SuggestionIn(text="Een leverancier biedt het hele team kaartjes voor de finale aan.")
        ),
        HTTPStatus.CREATED,
    )
    assert receipt.status == "new"

    ok(remove_push_token.sync_detailed(client=me), HTTPStatus.NO_CONTENT)
    ok(erase_my_installation.sync_detailed(client=me), HTTPStatus.NO_CONTENT)
    assert get_my_installation.sync_detailed(client=me).status_code == HTTPStatus.UNAUTHORIZED


def test_a_team_meeting(kompas_client, server):
    from kompas_client.api.dilemmas import get_current_dilemma
    from kompas_client.api.meeting import get_outcome, record_outcome
    from kompas_client.api.sessions import (
        close_session,
        get_session,
        join_session,
        open_session,
        record_consensus,
        reveal_session,
        revote_session,
        vote_in_session,
    )
    from kompas_client.api.teams import create_team, get_team, join_team, list_team_members, list_teams
    from kompas_client.models import (
        ConsensusIn,
        ConsensusInOption,
        OutcomeIn,
        Problem,
        SessionIn,
        SessionJoinIn,
        TeamIn,
        TeamJoinIn,
        VoteIn,
        VoteInOption,
    )

    lead = phone(kompas_client, server)
    colleagues = [phone(kompas_client, server, platform) for platform in ("ios", "android", "web")]
    team = ok(create_team.sync_detailed(client=lead, body=TeamIn(name="Team Noord")), HTTPStatus.CREATED)
    assert team.role == "lead" and team.invite_code
    for colleague in colleagues:
        joined = ok(join_team.sync_detailed(client=colleague, body=TeamJoinIn(invite_code=team.invite_code)))
        assert joined.role == "member" and joined.invite_code is None
    assert ok(get_team.sync_detailed(team.id, client=lead)).member_count == 4
    assert [t.id for t in ok(list_teams.sync_detailed(client=colleagues[0]))] == [team.id]
    assert len(ok(list_team_members.sync_detailed(team.id, client=lead))) == 4

    dilemma = ok(get_current_dilemma.sync_detailed(client=lead))
    opened = ok(open_session.sync_detailed(team.id, client=lead, body=SessionIn(dilemma_id=dilemma.id)), 201)
    assert opened.state == "open" and opened.consensus is None and opened.spread is None
    for colleague in colleagues:
        ok(join_session.sync_detailed(client=colleague, body=SessionJoinIn(join_code=opened.join_code)))

    ok(vote_in_session.sync_detailed(opened.id, client=lead, body=VoteIn(option=VoteInOption.A)))
    early = reveal_session.sync_detailed(opened.id, client=lead)
    assert early.status_code == HTTPStatus.CONFLICT and isinstance(early.parsed, Problem)
    assert early.parsed.allowed == ["vote", "close"] and early.parsed.state == "open"
    assert ok(get_session.sync_detailed(opened.id, client=lead)).allowed == ["vote", "close"]

    for colleague, option in zip(colleagues, "ABC", strict=True):
        ok(vote_in_session.sync_detailed(opened.id, client=colleague, body=VoteIn(option=VoteInOption(option))))
    revealed = ok(reveal_session.sync_detailed(opened.id, client=lead))
    assert revealed.state == "revealed" and [s.count for s in revealed.spread] == [2, 1, 1, 0]
    assert sum(s.percent for s in revealed.spread) == 100
    assert ok(get_session.sync_detailed(opened.id, client=colleagues[0])).allowed == []

    ok(revote_session.sync_detailed(opened.id, client=lead))
    for voter in (lead, *colleagues):
        ok(vote_in_session.sync_detailed(opened.id, client=voter, body=VoteIn(option=VoteInOption.A)))
    second = ok(reveal_session.sync_detailed(opened.id, client=lead))
    assert second.round_ == 2 and second.shift == 2 and [s.count for s in second.spread] == [4, 0, 0, 0]
    recorded = ok(
        record_consensus.sync_detailed(
            opened.id, client=lead, body=ConsensusIn(option=ConsensusInOption.A, note="We melden elk aanbod.")
        )
    )
    assert recorded.consensus.option == "A" and recorded.consensus.note == "We melden elk aanbod."
    ok(
        record_outcome.sync_detailed(
            opened.id, client=lead, body=OutcomeIn(agreements=["We melden elk aanbod."], look_back_on=None)
        )
    )
    # What a colleague's app reads after the look-back push names the meeting.
    outcome = ok(get_outcome.sync_detailed(opened.id, client=colleagues[0]))
    assert outcome.session_id == opened.id and outcome.consensus.option == "A"
    assert outcome.agreements == ["We melden elk aanbod."] and outcome.look_back_on is None
    closed = ok(close_session.sync_detailed(opened.id, client=lead))
    assert closed.state == "closed" and closed.join_code is None and closed.allowed == []


def test_the_office_writes_reviews_and_schedules_a_dilemma(kompas_client, server):
    from kompas_client.api.admin import create_admin_token, get_admin_me, list_audit
    from kompas_client.api.admin_content import get_admin_code
    from kompas_client.api.admin_dilemmas import (
        approve_dilemma,
        create_dilemma,
        get_admin_dilemma,
        get_schedule,
        list_revisions,
        schedule_dilemma,
        submit_dilemma,
    )
    from kompas_client.api.admin_push import list_campaigns
    from kompas_client.api.admin_stats import get_awareness, get_dilemma_statistics, get_grey_zones, get_week_statistics
    from kompas_client.api.dilemmas import get_current_dilemma
    from kompas_client.api.organisation import list_categories
    from kompas_client.models import AdminOptionIn, DilemmaIn, ScheduleIn, TokenIn, TokenInRole

    admin = authenticated_client(kompas_client, server, admin_token(server))
    assert ok(get_admin_me.sync_detailed(client=admin)).role == "admin"

    def colleague(name: str, role: str):
        minted = ok(
            create_admin_token.sync_detailed(client=admin, body=TokenIn(name=name, role=TokenInRole(role), days=7)),
            HTTPStatus.CREATED,
        )
        assert minted.role == role and minted.revoked_at is None
        return authenticated_client(kompas_client, server, minted.token)

    author = colleague("Anna Auteur", "author")
    reviewer = colleague("Rob Reviewer", "reviewer")
    publisher = colleague("Pia Publisher", "publisher")

    employee = phone(kompas_client, server)
    category = ok(list_categories.sync_detailed(client=employee))[0].slug
    section = ok(get_admin_code.sync_detailed(client=author))[0].sections[0].ref
    draft = ok(
        create_dilemma.sync_detailed(
            client=author,
            body=DilemmaIn(
                category=category,
                title="De kerstborrel van de leverancier",
                situation="Een leverancier nodigt je afdeling uit voor zijn kerstborrel, vlak voor een aanbesteding.",
                options=[
                    AdminOptionIn(text="Je gaat, het is gezellig."),
                    AdminOptionIn(text="Je gaat niet en zegt waarom."),
                    AdminOptionIn(text="Je vraagt je leidinggevende."),
                    AdminOptionIn(text="Je gaat, maar drinkt niets."),
                ],
                code_refs=[section],
            ),
        ),
        HTTPStatus.CREATED,
    )
    assert draft.status == "draft" and draft.allowed_actions == ["submit"] and draft.revision.author == "Anna Auteur"
    in_review = ok(submit_dilemma.sync_detailed(draft.id, client=author))
    assert in_review.status == "in_review" and "approve" not in in_review.allowed_actions
    assert ok(get_admin_dilemma.sync_detailed(draft.id, client=reviewer)).allowed_actions == [
        "approve",
        "request-changes",
    ]
    approved = ok(approve_dilemma.sync_detailed(draft.id, client=reviewer))
    assert approved.status == "approved" and approved.allowed_actions == []
    scheduled = ok(schedule_dilemma.sync_detailed(draft.id, client=publisher, body=ScheduleIn(week="2026-W52")))
    assert scheduled.status == "scheduled" and scheduled.week == "2026-W52"
    weeks = ok(get_schedule.sync_detailed(client=publisher))
    assert any(w.week == "2026-W52" and w.dilemma_id == draft.id and w.source == "own" for w in weeks)
    assert len(ok(list_revisions.sync_detailed(draft.id, client=reviewer))) == 1
    actions = {entry.action for entry in ok(list_audit.sync_detailed(client=admin))}
    assert {"dilemma.submit", "dilemma.approve"} <= actions

    # The statistics and campaigns parse into their typed models too.
    current = ok(get_current_dilemma.sync_detailed(client=employee))
    stats = ok(get_dilemma_statistics.sync_detailed(current.id, client=admin))
    assert stats.dilemma_id == current.id and stats.spreads[0].suppressed is True
    assert any(w.week == "2026-W50" for w in ok(get_week_statistics.sync_detailed(client=admin)))
    assert ok(get_awareness.sync_detailed(client=admin)).chapters is not None
    assert ok(get_grey_zones.sync_detailed(client=admin)).easy_dilemmas == []
    assert ok(list_campaigns.sync_detailed(client=admin)) == []
