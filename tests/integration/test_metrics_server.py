"""/metrics from a real `kompas serve` with three workers: each worker counts
in files of its own (prometheus_client's multiprocess mode), and a scrape,
whichever worker answers it, reports the sums over all of them."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.test_metrics import sample
from tests.conftest import DEFAULT_NOW, SECRET
from tests.servers import Server, call

pytestmark = pytest.mark.slow

ROUTE = "/api/v1/dilemmas/current"


def scrape(base: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base}/metrics", timeout=15) as response:
        assert response.status == 200
        return response.read().decode()


def test_a_scrape_sums_the_counts_of_all_workers(database_url, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"stale")  # from an earlier run: must go
    env = {
        "DATABASE_URL": database_url,
        "KOMPAS_SECRET_KEY": SECRET,
        "KOMPAS_NOW": DEFAULT_NOW,
        "RATELIMIT_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    server = Server(env, tmp_path, workers=3).start()
    try:
        assert not (folder / "counter_999999.db").exists()
        tokens = []
        for _ in range(6):
            status, _, body = call(server.base, "POST", "/api/v1/installations", {"platform": "android"})
            assert status == 201
            tokens.append(body["token"])
        dilemma = call(server.base, "GET", ROUTE, token=tokens[0])[2]["id"]

        def read_current(n: int) -> int:
            return call(server.base, "GET", ROUTE, token=tokens[n % len(tokens)])[0]

        # Many at once, so that every worker takes some.
        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(read_current, range(240)))
        assert statuses == [200] * 240
        for token, option in zip(tokens, "ABCDAB", strict=True):
            assert call(server.base, "PUT", f"/api/v1/dilemmas/{dilemma}/answer", {"option": option}, token)[0] == 200

        # The master (the `kompas serve` process) made its files too, empty.
        workers = {path.stem.rsplit("_", 1)[1] for path in Path(folder).glob("counter_*.db")}
        workers.discard(str(server.process.pid))
        assert len(workers) >= 2, f"the load reached only {workers}"
        # Each scrape goes to some worker; every one of them must report the sums.
        for _ in range(6):
            text = scrape(server.base)
            assert sample(text, "kompas_http_requests_total", method="GET", route=ROUTE, status="200") == 241
            assert (
                sample(text, "kompas_http_request_duration_seconds_count", method="GET", route=ROUTE, status="200")
                == 241
            )
            assert "kompas_answers" not in text and "/answer" not in text
            assert (
                sample(text, "kompas_http_requests_total", method="POST", route="/api/v1/installations", status="201")
                == 6
            )
    finally:
        server.close()
