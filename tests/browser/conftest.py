"""One console server and one browser per test module: Debian's chromium
(never a downloaded browser) driven by Playwright, a real `kompas serve`
on a fresh database with the bundled content, tokens for every role, and
the small OpenID provider the console signs in with.

Without /usr/bin/chromium these tests fail; they never skip."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from api.platform.settings import parse_now
from dilemmas.office import admin_tokens
from dilemmas.reads.organisations import by_slug
from tests.conftest import DEFAULT_NOW, SECRET, watching
from tests.oidcprovider import OpenIdProvider
from tests.servers import ClockFile, Server, call

CHROMIUM = "/usr/bin/chromium"
ROLES = ("author", "reviewer", "publisher", "analyst", "admin")
NAMES = {
    "author": "Anna Auteur",
    "reviewer": "Rob Beoordelaar",
    "publisher": "Petra Publicist",
    "analyst": "Ali Analist",
    "admin": "Bea Beheer",
}
OIDC_ROLES = "integriteit-auteurs=author@rijk,integriteit-analisten=analyst@douane"
WIDE, NARROW = 1280, 390


class Console:
    """The server under test, the tokens of its people, and its frozen
    clock, which moves while the server runs (KOMPAS_NOW_FILE)."""

    def __init__(self, url: str, folder: Path, provider: OpenIdProvider) -> None:
        self.url, self.folder, self.provider = url, folder, provider
        self.clock = ClockFile(folder / "now", DEFAULT_NOW)
        self.tokens: dict[str, str] = {}
        self.server: Server | None = None

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.url,
            "KOMPAS_ENV": "test",
            "KOMPAS_SECRET_KEY": SECRET,
            **self.clock.env,
            "RATELIMIT_ENABLED": "false",
            "KOMPAS_OIDC_ISSUER": self.provider.issuer,
            "KOMPAS_OIDC_CLIENT_ID": self.provider.client_id,
            "KOMPAS_OIDC_CLIENT_SECRET": self.provider.client_secret,
            "KOMPAS_OIDC_ROLES": OIDC_ROLES,
        }

    def start(self) -> None:
        # A restart keeps the port: the browser's pages keep their address.
        port = self.server.port if self.server is not None else None
        self.server = Server(self.env(), self.folder, workers=1, port=port).start()

    def move_clock(self, now: str) -> None:
        self.clock.set(now)

    @property
    def base(self) -> str:
        return self.server.base

    def api(self, method: str, path: str, body=None, token: str | None = None):
        return call(self.base, method, f"/api/v1{path}", body, token)


def mint_tokens(url: str) -> dict[str, str]:
    tokens = {}
    with watching(url) as session:
        rijk = by_slug(session, "rijk")
        for role in ROLES:
            _token, plain = admin_tokens.mint(
                session, SECRET.encode(), parse_now("2026-12-01T09:00:00+01:00"), NAMES[role], role, rijk
            )
            tokens[role] = plain
    return tokens


def seed_answers(console: Console) -> None:
    """Enough answers on this week's dilemma that its spread may be shown
    while the week is open, and a few from Customs that must stay hidden."""
    status, _, code = console.api(
        "POST", "/admin/enrolment-codes", {"organisation": "douane"}, token=console.tokens["admin"]
    )
    assert status == 201, code
    douane = code["code"]
    for index in range(29):
        body = {"platform": "android"}
        if index >= 26:
            body["enrolment_code"] = douane
        status, _, installation = console.api("POST", "/installations", body)
        assert status == 201, installation
        token = installation["token"]
        status, _, current = console.api("GET", "/dilemmas/current", token=token)
        assert status == 200
        answer = {
            "option": "ABCD"[index % 3],
            "mode": "alone" if index % 4 else "colleague",
            "difficulty": 2 + index % 3,
        }
        status, _, _ = console.api("PUT", f"/dilemmas/{current['id']}/answer", answer, token)
        assert status == 200


@pytest.fixture(scope="module")
def console(templates, tmp_path_factory):
    folder = tmp_path_factory.mktemp("console")
    url = templates.fresh("bundled", folder)
    with OpenIdProvider() as provider:
        made = Console(url, folder, provider)
        made.tokens = mint_tokens(url)
        made.start()
        try:
            seed_answers(made)
            yield made
        finally:
            made.server.close()
            templates.drop(url)


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, console):
    """A fresh browser window (own cookies) at a width; closed after the test."""
    contexts = []

    def open_page(width: int = WIDE):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=console.base, accept_downloads=True, locale="nl-NL"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(new_page, console):
    """A page signed in with the token of a role."""

    def sign_in(role: str, width: int = WIDE):
        from playwright.sync_api import expect

        page = new_page(width)
        page.goto("/office/sign-in")
        page.get_by_label("Persoonlijk toegangstoken").fill(console.tokens[role])
        page.get_by_role("button", name="Aanmelden", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Deze week")
        return page

    return sign_in


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"
