"""Nothing the office edits is ever overwritten: edits made in the console
(a person in chromium) and through the admin API survive two restarts of a
real server, each after `kompas init` (what `make run` does every time)."""

from __future__ import annotations

import os
import subprocess

from playwright.sync_api import expect

from tests.browser.conftest import unique
from tests.servers import KOMPAS


def _approved_bundled(console, count: int) -> list[dict]:
    status, _, found = console.api("GET", "/admin/dilemmas?status=approved&page_size=50", token=console.tokens["admin"])
    assert status == 200, found
    return found[:count]


def _init_and_restart(console) -> str:
    console.server.stop()
    done = subprocess.run(
        [KOMPAS, "init"], env={**os.environ, **console.env()}, cwd=console.folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    console.start()
    return done.stdout


def test_edits_in_the_console_and_the_api_survive_kompas_init(signed_in, console):
    by_api, by_console = _approved_bundled(console, 2)
    api_title, console_title = unique("Titel van het bureau"), unique("Titel uit de console")
    token = console.tokens["author"]
    status, _, changed = console.api("PATCH", f"/admin/dilemmas/{by_api['id']}", {"title": api_title}, token)
    assert status == 200 and changed["title"] == api_title, changed
    status, _, section = console.api("GET", "/admin/code/sections/8.6", token=token)
    api_text = section["text"] + " Dit is een zin die het bureau toevoegde."
    status, _, _ = console.api("PUT", "/admin/code/sections/8.6", {"text": api_text}, token)
    assert status == 200

    author = signed_in("author")
    author.goto(f"/office/dilemmas/{by_console['id']}")
    author.get_by_role("link", name="Bewerken").click()
    author.get_by_label("Titel").fill(console_title)
    author.get_by_role("button", name="Opslaan").click()
    expect(author.get_by_role("status")).to_contain_text("Opgeslagen")
    author.goto("/office/code/2.1")
    console_text = author.get_by_label("Tekst").input_value() + " Een zin uit de console."
    author.get_by_label("Tekst").fill(console_text)
    author.get_by_role("button", name="Nieuwe versie opslaan").click()
    expect(author.get_by_label("Tekst")).to_have_value(console_text)

    for _restart in range(2):
        said = _init_and_restart(console)
        assert "revised by the office, left as they are" in said
        for dilemma, title in ((by_api, api_title), (by_console, console_title)):
            status, _, now = console.api("GET", f"/admin/dilemmas/{dilemma['id']}", token=token)
            assert now["title"] == title and now["revision"]["author"] == "Anna Auteur", now
        for ref, text in (("8.6", api_text), ("2.1", console_text)):
            status, _, now = console.api("GET", f"/admin/code/sections/{ref}", token=token)
            assert now["text"] == text, (ref, now["text"][-80:])

    # And a person sees them in the console after the restarts.
    author.goto(f"/office/dilemmas/{by_console['id']}")
    expect(author.get_by_role("heading", level=1)).to_contain_text(console_title)
