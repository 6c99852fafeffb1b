"""Small factories for arranging tests through the real API and services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dilemmas.employee import installations
from dilemmas.model.content import Dilemma
from dilemmas.model.organisations import Organisation
from dilemmas.model.schedule import ScheduledWeek
from dilemmas.office.admin_tokens import actor_for, mint
from dilemmas.office.organisations import current_enrolment_code
from dilemmas.typed_codes import format_code
from tests.conftest import SECRET, parse_now, watching


@dataclass
class Phone:
    """One installation, talking to the API like the app does."""

    client: object
    id: str
    token: str
    organisation: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, headers=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **(headers or {})}, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.client.put(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(f"/api/v1{path}", headers=self.headers, **kwargs)

    def answer(self, dilemma_id: int, option: str, mode: str = "alone", **extra):
        return self.put(f"/dilemmas/{dilemma_id}/answer", json={"option": option, "mode": mode, **extra})


def enrolment_code(session, slug: str) -> str:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    return current_enrolment_code(session, organisation, parse_now("2026-11-02T08:00:00+01:00"))


def register(client, session=None, organisation: str = "rijk", platform: str = "android") -> Phone:
    body = {"platform": platform}
    if organisation != "rijk":
        body["enrolment_code"] = enrolment_code(session, organisation)
    response = client.post("/api/v1/installations", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["organisation"]["slug"] == organisation
    return Phone(client, data["id"], data["token"], organisation)


def bank(session, organisation: str = "rijk") -> list[Dilemma]:
    """The organisation's approved bank dilemmas, in bank order."""
    return list(
        session.scalars(
            select(Dilemma)
            .join(Organisation, Organisation.id == Dilemma.organisation_id)
            .where(Organisation.slug == organisation, Dilemma.status == "approved")
            .order_by(Dilemma.bank_position)
        )
    )


def schedule(session, dilemma: Dilemma, week: str, organisation: str = "rijk") -> Dilemma:
    """Schedule a dilemma as a publisher would."""
    org = session.scalar(select(Organisation).where(Organisation.slug == organisation))
    session.add(
        ScheduledWeek(
            organisation_id=org.id, week=week, dilemma_id=dilemma.id, created_at=parse_now("2026-11-02T08:00:00+01:00")
        )
    )
    dilemma.status = "scheduled"
    session.commit()
    return dilemma


@dataclass
class Office:
    """An integrity-office person with one token, talking to the admin API."""

    client: object
    token: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, headers=None, **kwargs):
        return self.client.get(f"/api/v1/admin{path}", headers={**self.headers, **(headers or {})}, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(
            f"/api/v1/admin{path}", json=json if json is not None else {}, headers=self.headers, **kwargs
        )

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(f"/api/v1/admin{path}", json=json, headers=self.headers, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.client.put(f"/api/v1/admin{path}", json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(f"/api/v1/admin{path}", headers=self.headers, **kwargs)


def office(client, session, role: str, organisation: str = "rijk", name: str | None = None, days: int = 30) -> Office:
    """Mint a token the way `kompas admin create-token` does."""
    from dilemmas.office.admin_tokens import mint
    from tests.conftest import SECRET

    org = session.scalar(select(Organisation).where(Organisation.slug == organisation))
    name = name or f"{role.title()} {organisation}"
    _, plain = mint(session, SECRET.encode(), parse_now("2026-12-01T09:00:00+01:00"), name, role, org, days)
    return Office(client, plain, name)


def new_dilemma_body(**overrides) -> dict:
    body = {
        "category": "geschenken",
        "audience": "iedereen",
        "title": "Een fles wijn van de aannemer",
        "situation": "Na de oplevering van een project staat er een fles wijn op je bureau met een kaartje van de "
        "aannemer die jouw afdeling net heeft gecontroleerd. Wat doe je?",
        "explanation": "Geschenken van partijen die je controleert passen niet bij onafhankelijkheid.",
        "options": [
            {"text": "Je geeft de fles terug met een vriendelijke brief.", "alignment": "aligned", "feedback": "Goed."},
            {"text": "Je meldt het en zet de fles in de kantine.", "alignment": "aligned"},
            {"text": "Je neemt hem mee naar huis; het is maar een fles.", "alignment": "conflicts"},
            {"text": "Je vraagt een collega wat die zou doen.", "alignment": "grey"},
        ],
        "code_refs": ["4.1", "3.1"],
    }
    body.update(overrides)
    return body


def team(lead: Phone, members: list[Phone] = (), name: str = "Team Noord") -> dict:
    """A team led by ``lead`` that ``members`` joined with its invite code."""
    created = lead.post("/teams", json={"name": name})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    for member in members:
        joined = member.post("/teams/join", json={"invite_code": body["invite_code"]})
        assert joined.status_code == 200, joined.get_json()
    return body


# Factories for the tests of the domain without HTTP: they arrange through
# the same services, on a session the test holds.


def installation(session, organisation: str = "rijk", now=None):
    """A registered installation of the organisation, as the app registers one."""
    code = enrolment_code(session, organisation) if organisation != "rijk" else None
    now = now or parse_now("2026-12-01T09:00:00+01:00")
    return installations.register(session, SECRET.encode(), now, "android", enrolment_code=code).installation


def admin_token(url: str, role: str, organisation: str = "rijk", name: str | None = None, now=None) -> str:
    """A token minted in the database at ``url`` the way `kompas admin
    create-token` does, without a process of its own: for tests of a running
    server that are not about the command line."""
    with watching(url) as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == organisation))
        name = name or f"{role.title()} {organisation}"
        _, plain = mint(session, SECRET.encode(), now or parse_now("2026-12-01T09:00:00+01:00"), name, role, org)
    return plain


def server_enrolment_code(url: str, organisation: str, now=None) -> str:
    """The organisation's enrolment code in the database at ``url``, as
    `kompas org enrolment-code` prints it, without a process of its own."""
    with watching(url) as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == organisation))
        return format_code(current_enrolment_code(session, org, now or parse_now("2026-11-02T08:00:00+01:00")))


def actor(session, role: str, organisation: str = "rijk", name: str | None = None):
    """An integrity-office actor holding a fresh token with ``role``."""
    org = session.scalar(select(Organisation).where(Organisation.slug == organisation))
    name = name or f"{role.title()} {organisation}"
    token, _ = mint(session, SECRET.encode(), parse_now("2026-12-01T09:00:00+01:00"), name, role, org)
    return actor_for(session, token)
