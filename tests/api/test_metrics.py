"""GET /metrics through the test client: who may read it, and that its
labels are routes and statuses, never anything that names an installation.
The sums across gunicorn workers: tests/integration/test_metrics_server.py."""

import re

from tests.factories import register


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus's text format (0 when absent)."""
    for line in text.splitlines():
        found = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if found and found.group(1) == name:
            pairs = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', found.group(2) or ""))
            if pairs == {key: str(value) for key, value in labels.items()}:
                return float(found.group(3))
    return 0.0


def scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_loopback_reads_the_metrics_and_other_addresses_do_not(client):
    scrape(client)
    refused = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_a_token_opens_them_from_anywhere_and_a_wrong_one_is_401(make_app):
    client = make_app(KOMPAS_METRICS_TOKEN="scrape-me-0123456789", KOMPAS_METRICS_ALLOW="").test_client()
    outside = {"REMOTE_ADDR": "192.0.2.10"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    wrong = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer scrape-me-0123456789"})
    assert right.status_code == 200


def test_an_address_list_of_networks(make_app):
    client = make_app(KOMPAS_METRICS_ALLOW="10.0.0.0/8, 192.0.2.7").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403


def test_requests_are_counted_per_route_and_answers_not_at_all(client):
    before = scrape(client)
    route = "/api/v1/dilemmas/<int:dilemma_id>/answer"
    phones = [register(client) for _ in range(3)]
    current = phones[0].get("/dilemmas/current").get_json()
    for phone, option in zip(phones, "ABC", strict=True):
        assert phone.answer(current["id"], option).status_code == 200
    assert phones[0].get(f"/dilemmas/{current['id'] + 100000}").status_code == 404
    client.get("/no/such/path/12345")
    after = scrape(client)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    # Answers are counted nowhere: a scrape around one colleague's answer would date it.
    assert f'route="{route}"' not in after and "kompas_answers" not in after
    assert grew("kompas_http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert (
        grew("kompas_content_memo_lookups_total", result="hit")
        + grew("kompas_content_memo_lookups_total", result="miss")
        > 0
    )
    # Nothing that names an installation, a token, an id or an option.
    for phone in phones:
        assert phone.token not in after and phone.id not in after
    assert str(current["id"]) not in re.findall(r'route="([^"]*)"', after)
    assert not re.search(r'option="', after)
    assert sample(after, "kompas_db_connections_open") >= 1 and "kompas_push_messages_total" in after
