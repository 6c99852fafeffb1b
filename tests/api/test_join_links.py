"""The app's claim on join links: with the app installed, a phone opens
/join/<code> in the app (iOS universal links, Android app links); the
files exist only when the app's identity is configured."""


def test_no_claim_without_an_app(client):
    assert client.get("/.well-known/apple-app-site-association").status_code == 404
    assert client.get("/.well-known/assetlinks.json").status_code == 404


def test_the_app_claims_the_join_links(make_app):
    client = make_app(
        KOMPAS_IOS_APP_IDS="ABCDE12345.nl.rijksoverheid.kompas",
        KOMPAS_ANDROID_APPS="nl.rijksoverheid.kompas=SHA256:AB:CD:EF",
    ).test_client()
    apple = client.get("/.well-known/apple-app-site-association").get_json()
    assert apple["applinks"]["details"] == [
        {"appIDs": ["ABCDE12345.nl.rijksoverheid.kompas"], "components": [{"/": "/join/*"}]}
    ]
    android = client.get("/.well-known/assetlinks.json")
    assert android.mimetype == "application/json"
    [statement] = android.get_json()
    assert statement["target"] == {
        "namespace": "android_app",
        "package_name": "nl.rijksoverheid.kompas",
        "sha256_cert_fingerprints": ["AB:CD:EF"],
    }


def test_the_join_page_offers_the_app_and_keeps_the_code_out_of_the_path(client):
    page = client.get("/join/123456")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="123456"' in text and 'href="kompas://join/123456"' in text
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
