"""Health, readiness, the OpenAPI document and the docs without a CDN."""

from sqlalchemy import text

from dilemmas.storage.database import make_engine


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_checks_the_migration(client, database_url):
    assert client.get("/readyz").status_code == 200
    engine = make_engine(database_url, immediate=False, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    engine.dispose()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["migration"] == "old"


def test_readyz_says_unavailable_without_a_database(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/../../nothing.db")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503


def test_openapi_documents_every_app_path(client):
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    for path in (
        "/api/v1/installations",
        "/api/v1/installations/me",
        "/api/v1/installations/me/push-token",
        "/api/v1/dilemmas/current",
        "/api/v1/dilemmas",
        "/api/v1/dilemmas/{dilemma_id}",
        "/api/v1/dilemmas/{dilemma_id}/answer",
        "/api/v1/dilemmas/{dilemma_id}/results",
        "/api/v1/code",
        "/api/v1/code/sections/{ref}",
        "/api/v1/code/search",
        "/api/v1/organisation",
        "/api/v1/categories",
    ):
        assert path in paths
    answer = paths["/api/v1/dilemmas/{dilemma_id}/answer"]["put"]
    assert {"200", "401", "404", "409", "422"} <= set(answer["responses"])
    assert spec["components"]["securitySchemes"]["installation"]["scheme"] == "bearer"
    assert client.get("/api/v1/openapi.json").status_code == 308


def test_docs_are_served_from_the_package(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page and "http" not in page.split("<script>")[0].replace("https://", "")
    assert "cdn" not in page.lower()
    with client.get("/docs/static/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200 and len(bundle.data) > 100_000
