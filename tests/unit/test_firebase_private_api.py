"""The fence around the private parts of firebase-admin (and google-auth and
requests) that push/fcm.py relies on.

Kompas's fan-out client sends FCM's requests itself (bench/README.md says
why: firebase-admin's own send_each_async spent five times the CPU per
message and was slower on HTTP/2 with latency), so it borrows from
firebase-admin what is not public: the messaging service and its URLs,
headers, session, credential, message encoder and error mapping. Those may
change in any release, so the versions are pinned exactly (setup.cfg and
constraints.txt) and this test fails as soon as an upgrade moves one of
them: upgrade, run it, and adapt push/fcm.py before lifting the pin."""

import inspect
import json
from pathlib import Path

import firebase_admin
import google.auth
import google.auth.credentials
import pytest
import requests
from firebase_admin import _http_client, credentials, exceptions, messaging

from tests.fakefcm import new_service_account

PINNED = {"firebase_admin": "7.7.0", "google.auth": "2.62.2"}


@pytest.fixture
def service(tmp_path):
    info, _ = new_service_account("http://127.0.0.1:9/token")
    key = tmp_path / "service-account.json"
    key.write_text(json.dumps(info))
    app = firebase_admin.initialize_app(credentials.Certificate(str(key)), name="fence")
    try:
        yield messaging._get_messaging_service(app)
    finally:
        firebase_admin.delete_app(app)


def test_the_versions_are_the_ones_this_fence_was_checked_against():
    assert firebase_admin.__version__ == PINNED["firebase_admin"]
    assert google.auth.__version__ == PINNED["google.auth"]
    setup = (Path(__file__).resolve().parents[2] / "setup.cfg").read_text()
    assert f"firebase-admin=={PINNED['firebase_admin']}" in setup
    assert f"google-auth=={PINNED['google.auth']}" in setup


def test_the_messaging_service_keeps_its_urls_headers_session_and_credential(service):
    assert list(inspect.signature(messaging._get_messaging_service).parameters) == ["app"]
    project = service._fcm_url.split("/projects/")[1].split("/")[0]
    assert service._fcm_url == f"https://fcm.googleapis.com/v1/projects/{project}/messages:send"
    assert service._fcm_topic_url == f"https://fcm.googleapis.com/v1/projects/{project}/registrations"
    assert isinstance(service._fcm_headers, dict) and "X-GOOG-API-FORMAT-VERSION" in service._fcm_headers
    assert isinstance(_http_client.METRICS_HEADERS, dict) and _http_client.METRICS_HEADERS
    assert isinstance(service._client.session, requests.Session)
    assert isinstance(service._credential, google.auth.credentials.Credentials)
    assert callable(service._credential.before_request)
    # google-auth's switch for the background lookup that FCM_ENDPOINT turns
    # off: it must exist and still be what decides.
    assert callable(service._credential._is_regional_access_boundary_lookup_required)
    assert "if not self._is_regional_access_boundary_lookup_required():" in inspect.getsource(
        google.auth.credentials.CredentialsWithRegionalAccessBoundary
    )


def test_the_encoder_and_the_error_mapping_still_take_what_we_give(service):
    encoded = messaging._MessagingService.encode_message(messaging.Message(topic="kompas-rijk-nl", data={"a": "b"}))
    assert encoded == {"topic": "kompas-rijk-nl", "data": {"a": "b"}}
    assert list(inspect.signature(service._handle_fcm_error).parameters) == ["error"]
    response = requests.models.Response()
    response.status_code = 404
    response._content = json.dumps(
        {
            "error": {
                "status": "NOT_FOUND",
                "message": "gone",
                "details": [
                    {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}
                ],
            }
        }
    ).encode()
    mapped = service._handle_fcm_error(requests.exceptions.HTTPError("404", response=response))
    assert isinstance(mapped, messaging.UnregisteredError)
    unreachable = service._handle_fcm_error(requests.exceptions.ConnectionError("refused"))
    assert isinstance(unreachable, exceptions.UnavailableError)
