"""Lists and caching as a phone meets them: RFC 8288 ``Link`` headers on
every paginated list, also past the end; ETag and 304 on the code of
conduct, its sections and the archive; gzip for JSON over 1 kB, measured
on the employee's week."""

from __future__ import annotations

import gzip
import re

import pytest

from tests.factories import bank, register, schedule

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def archive(session):
    for number, dilemma in enumerate(bank(session)[:5]):
        schedule(session, dilemma, f"2026-W{46 + number}")


def links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))}


def test_paginated_lists_link_their_pages(client, archive):
    phone = register(client)
    first = phone.get("/dilemmas?page_size=2&audience=iedereen")
    assert first.status_code == 200 and len(first.get_json()) == 2
    pages = links(first)
    assert set(pages) == {"first", "next", "last"}
    assert "audience=iedereen" in pages["next"] and "page=2" in pages["next"]
    seen = [item["id"] for item in first.get_json()]
    url = pages["next"]
    while url:
        response = client.get(url, headers=phone.headers)
        seen += [item["id"] for item in response.get_json()]
        url = links(response).get("next")
    assert len(seen) == len(set(seen)) == 5
    beyond = phone.get("/dilemmas?page=9&page_size=2")
    assert beyond.get_json() == [] and set(links(beyond)) == {"first", "prev", "last"}
    assert "page=3" in links(beyond)["prev"]


@pytest.mark.parametrize("path", ["/code", "/code/sections/{ref}", "/dilemmas"])
def test_the_code_its_sections_and_the_archive_answer_if_none_match(client, archive, path):
    phone = register(client)
    if "{ref}" in path:
        path = path.format(ref=phone.get("/code").get_json()["chapters"][0]["sections"][0]["ref"])
    first = phone.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    again = phone.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Compressed, the ETag is weak and still matches either way.
    packed = phone.get(path, headers={**GZIP, "If-None-Match": etag})
    assert packed.status_code == 304
    assert phone.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_an_answer_changes_the_archives_etag(client, archive):
    phone = register(client)
    before = phone.get("/dilemmas").headers["ETag"]
    newest = phone.get("/dilemmas").get_json()[0]["id"]
    assert phone.answer(newest, "A").status_code == 200
    assert phone.get("/dilemmas", headers={"If-None-Match": before}).status_code == 200


def test_json_over_a_kilobyte_is_gzipped_for_clients_that_accept_it(client, archive):
    phone = register(client)
    plain = phone.get("/code")
    packed = phone.get("/code", headers=GZIP)
    assert "Content-Encoding" not in plain.headers and len(plain.get_data()) > 1024
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    small = phone.get("/installations/me", headers=GZIP)
    assert "Content-Encoding" not in small.headers
    refused = phone.get("/code", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def week(phone, dilemma_id, headers):
    """The requests of the employee's week, as the app makes them."""
    return [
        phone.get("/installations/me", headers=headers),
        phone.get("/dilemmas/current", headers=headers),
        phone.get(f"/dilemmas/{dilemma_id}", headers=headers),
        phone.client.put(f"/api/v1/dilemmas/{dilemma_id}/answer", json={"option": "B"}, headers=headers),
        phone.get(f"/dilemmas/{dilemma_id}/results", headers=headers),
        phone.get("/dilemmas", headers=headers),
        phone.get("/code", headers=headers),
        phone.get("/categories", headers=headers),
        phone.get("/organisation", headers=headers),
    ]


def test_gzip_saves_most_of_the_weeks_bytes(client, archive):
    phone = register(client)
    this_week = phone.get("/dilemmas/current").get_json()["id"]
    headers = phone.headers
    plain = sum(len(r.get_data()) for r in week(phone, this_week, headers))
    packed = sum(len(r.get_data()) for r in week(phone, this_week, {**headers, **GZIP}))
    saved = 1 - packed / plain
    print(f"the week's flow: {plain} bytes of bodies plain, {packed} with gzip, {saved:.0%} saved")
    assert saved > 0.5


def test_created_resources_say_where_they_are(client, session, archive):
    registered = client.post("/api/v1/installations", json={"platform": "ios"})
    token = {"Authorization": f"Bearer {registered.get_json()['token']}"}
    assert client.get(registered.headers["Location"], headers=token).get_json()["id"] == registered.get_json()["id"]
    phone = register(client)
    team = phone.post("/teams", json={"name": "Team Zuid"})
    assert client.get(team.headers["Location"], headers=phone.headers).get_json() == team.get_json()
    current = phone.get("/dilemmas/current").get_json()["id"]
    opened = phone.post(f"/teams/{team.get_json()['id']}/sessions", json={"dilemma_id": current})
    assert client.get(opened.headers["Location"], headers=phone.headers).get_json()["id"] == opened.get_json()["id"]


def test_the_minimum_app_version_is_signalled_when_set(make_app, client):
    assert "Kompas-Min-App-Version" not in client.get("/api/v1/dilemmas/current").headers
    signalling = make_app(KOMPAS_MIN_APP_VERSIONS="ios=1.4.0, android=1.3").test_client()
    response = signalling.get("/api/v1/dilemmas/current")
    assert response.status_code == 401  # a signal, never a refusal
    assert response.headers["Kompas-Min-App-Version"] == "ios=1.4.0, android=1.3"
    from api.platform.settings import ConfigError

    with pytest.raises(ConfigError):
        make_app(KOMPAS_MIN_APP_VERSIONS="windows=1.0")
