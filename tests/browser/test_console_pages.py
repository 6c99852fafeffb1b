"""Every console page, as an admin sees it: axe-core finds no serious or
critical accessibility violation (WCAG 2.1 AA rules), and with
KOMPAS_SCREENSHOTS=folder (`make screenshots`) each page is also saved at
1280 and 390 pixels wide, to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import NARROW, WIDE

pytestmark = pytest.mark.sqlite_only

SERIOUS = ("serious", "critical")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def _dilemma_id(console) -> int:
    status, _, rows = console.api("GET", "/admin/schedule", token=console.tokens["admin"])
    assert status == 200
    return next(r["dilemma_id"] for r in rows if r["dilemma_id"])


def _fill_push(page):
    page.get_by_label("Titel").fill("Nieuwe gedragscode")
    page.get_by_label("Tekst").fill("Lees wat er verandert in de gedragscode.")
    page.get_by_role("button", name="Voorbeeld bekijken").click()


def _submit_empty(page):
    page.get_by_role("button", name="Opslaan").click()


# name, path (with {id}), what to do on the page first
PAGES = [
    ("sign-in", "/office/sign-in", None),
    ("this-week", "/office/", None),
    ("this-week-en", "/office/", "english"),
    ("dilemmas", "/office/dilemmas?status=published", None),
    ("editor-new", "/office/dilemmas/new", None),
    ("editor-errors", "/office/dilemmas/new", _submit_empty),
    ("dilemma", "/office/dilemmas/{id}", None),
    ("editor-edit", "/office/dilemmas/{id}/edit", None),
    ("calendar", "/office/calendar", None),
    ("plan-week", "/office/calendar/plan?week=2026-W52&organisation=rijk", None),
    ("code-book", "/office/code", None),
    ("code-section", "/office/code/{ref}", None),
    ("suggestions", "/office/suggestions", None),
    ("statistics-weeks", "/office/statistics", None),
    ("statistics-awareness", "/office/statistics/awareness", None),
    ("statistics-grey-zones", "/office/statistics/grey-zones", None),
    ("statistics-misperception", "/office/statistics/misperception", None),
    ("statistics-meetings", "/office/statistics/meetings", None),
    ("statistics-dilemma", "/office/statistics/dilemmas/{id}", None),
    ("push", "/office/push", _fill_push),
    ("tokens", "/office/tokens", None),
    ("audit", "/office/audit", None),
    ("refused", "/office/dilemmas/999999", None),
]


# Elements that stick out to the right, outside the tables that scroll in their own box.
OUTSIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
    .slice(0, 5).map(e => `${e.tagName}.${e.className}#${e.id}`)"""


@pytest.fixture(scope="module")
def admin_pages(browser, console):
    """An admin signed in once per width, for every page of the module."""
    _status, _, installation = console.api("POST", "/installations", {"platform": "web"})
    for text in ("Mag ik een cadeaubon van een burger aannemen?", "Een collega werkt zwart bij: wat nu?"):
        assert console.api("POST", "/suggestions", {"text": text}, installation["token"])[0] == 201
    pages = {}
    for width in (WIDE, NARROW):
        context = browser.new_context(viewport={"width": width, "height": 900}, base_url=console.base)
        page = context.new_page()
        page.goto("/office/sign-in")
        page.get_by_label("Persoonlijk toegangstoken").fill(console.tokens["admin"])
        page.get_by_role("button", name="Aanmelden", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Deze week")
        pages[width] = page
    _status, _, code = console.api("GET", "/admin/code", token=console.tokens["admin"])
    pages["ids"] = {"id": _dilemma_id(console), "ref": code[0]["sections"][0]["ref"]}
    yield pages
    for width in (WIDE, NARROW):
        pages[width].context.close()


@pytest.fixture(scope="module")
def axe():
    return Axe()


def _show(page, browser, console, name, path, action):
    if name == "sign-in":
        context = browser.new_context(viewport=page.viewport_size, base_url=console.base)
        page = context.new_page()
    page.goto(path)
    if action == "english":
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("This week")
    elif action is not None:
        action(page)
    return page


@pytest.mark.parametrize(("name", "path", "action"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible(name, path, action, admin_pages, browser, console, axe):
    path = path.format(**admin_pages["ids"])
    folder = os.environ.get("KOMPAS_SCREENSHOTS")
    for width in (WIDE, NARROW):
        page = _show(admin_pages[width], browser, console, name, path, action)
        try:
            results = axe.run(page, options=WCAG_AA)
            serious = [
                f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]
                if v["impact"] in SERIOUS
            ]
            assert not serious, f"{name} at {width} px: " + "; ".join(serious)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
            elif width == NARROW:
                # Nothing sideways at phone width but the tables that scroll in their own box.
                wider = page.evaluate(OUTSIDE)
                assert not wider, f"{name} scrolls sideways at {NARROW} px: {wider}"
        finally:
            if page is not admin_pages[width]:
                page.context.close()
            elif action == "english":
                page.get_by_role("button", name="Nederlands").click()
