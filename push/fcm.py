"""The ``fcm`` transport: Firebase Cloud Messaging through firebase-admin.

The only module that imports ``firebase_admin``. firebase-admin provides the
credentials (the service-account key of GOOGLE_APPLICATION_CREDENTIALS and
its OAuth token), the message encoding (``_MessagingService.encode_message``)
and the mapping of FCM's error responses to error types
(``_MessagingService._handle_fcm_error``); topic subscriptions go through
``messaging.subscribe_to_topic``/``unsubscribe_from_topic`` as they are.

The sending itself goes through a fan-out client of our own
(push/fanout.py), because firebase-admin's ``send_each`` starts a thread per
message and goes through requests for every one, and its ``send_each_async``
(httpx, HTTP/2) spent five times our CPU per message and reached a third of
our rate on HTTP/2 with 30 ms of latency (bench/README.md): here one event
loop keeps up to PUSH_FANOUT_CONNECTIONS kept-alive connections busy. The
private parts of firebase-admin used below are pinned exactly and fenced by
tests/unit/test_firebase_private_api.py. Nothing below
retries (firebase-admin's own session would retry 500 and 503 by itself;
its adapters are replaced): the caller retries what is worth retrying, with
backoff and jitter and honouring ``Retry-After`` (push/delivery.py).

``FCM_ENDPOINT`` replaces ``https://fcm.googleapis.com`` (a proxy, or a test
server): firebase-admin keeps the send and topic URLs per app instance, so
they are set on this transport's own app.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import ssl
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from datetime import timedelta
from email.utils import parsedate_to_datetime

import firebase_admin
import google.auth.exceptions
import google.auth.transport.requests
import requests
import requests.adapters
import requests.certs
import requests.structures
from firebase_admin import _http_client, credentials, exceptions, messaging
from urllib3.util.retry import Retry

from push.fanout import FanoutClient, Reply
from push.messages import CHANNELS, DATA_ONLY, SILENT, Outgoing, Result

log = logging.getLogger("kompas.push.fcm")

FCM_BASE = "https://fcm.googleapis.com"
TOPIC_CHUNK = 1000  # tokens per subscription call (firebase-admin's limit)
RETIRING_CODES = ("UNREGISTERED",)
TOKEN_FIELDS = ("message.token", "message.fid")
# firebase-admin's own session (used for topic subscriptions) would retry 500
# and 503 several times by itself, ignoring Retry-After; we retry instead.
NO_HTTP_RETRIES = Retry(
    total=1,
    connect=1,
    read=0,
    status=0,
    redirect=0,
    other=0,
    status_forcelist=(),
    respect_retry_after_header=False,
    raise_on_status=False,
    allowed_methods=None,
)


def _reason(error: exceptions.FirebaseError) -> str:
    """FCM's error code for a firebase-admin error."""
    if isinstance(error, messaging.UnregisteredError):
        return "UNREGISTERED"
    if isinstance(error, messaging.QuotaExceededError):
        return "QUOTA_EXCEEDED"
    if isinstance(error, messaging.SenderIdMismatchError):
        return "SENDER_ID_MISMATCH"
    if isinstance(error, messaging.ThirdPartyAuthError):
        return "THIRD_PARTY_AUTH_ERROR"
    if error.code == exceptions.RESOURCE_EXHAUSTED:
        return "QUOTA_EXCEEDED"  # a 429 without FCM's own error detail
    return str(error.code)


def _rejects_token(payload: bytes) -> bool:
    """Whether an INVALID_ARGUMENT response says the token itself is invalid
    (and not, say, the message): only then is the token retired."""
    try:
        error = json.loads(payload).get("error") or {}
    except (ValueError, AttributeError):
        return False
    for detail in error.get("details") or []:
        for violation in detail.get("fieldViolations") or []:
            if violation.get("field") in TOKEN_FIELDS:
                return True
    return "registration token" in str(error.get("message", "")).lower()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds, or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class _Bodies:
    """Request bodies, encoded by firebase-admin once per distinct message.

    A campaign sends one message to many devices; building and encoding it
    (with firebase-admin's checks) cost about as much as sending it. The
    device's token is put into the encoded message, JSON-escaped as the
    encoder would. Topics (whose names firebase-admin rewrites) and empty
    targets (which it refuses) are encoded one by one."""

    def __init__(self, encode: Callable[[Outgoing], bytes], size: int = 64) -> None:
        self._encode = encode
        self.size = size
        self._placeholder = f"kompas-target-{uuid.uuid4().hex}"
        self._templates: dict[tuple, tuple[bytes, bytes]] = {}

    def encode(self, outgoing: Outgoing) -> bytes:
        if outgoing.target_kind == "topic" or not outgoing.target:
            return self._encode(outgoing)
        everything_but_the_target = (
            *(getattr(outgoing, f.name) for f in dataclasses.fields(outgoing) if f.name not in ("target", "data")),
            tuple(sorted(outgoing.data.items())),
        )
        template = self._templates.get(everything_but_the_target)
        if template is None:
            encoded = self._encode(dataclasses.replace(outgoing, target=self._placeholder))
            prefix, marker, suffix = encoded.partition(json.dumps(self._placeholder).encode())
            if not marker or json.dumps(self._placeholder).encode() in suffix:
                return self._encode(outgoing)
            if len(self._templates) >= self.size:
                self._templates.clear()
            template = self._templates[everything_but_the_target] = (prefix, suffix)
        return template[0] + json.dumps(outgoing.target).encode() + template[1]


class FcmTransport:
    """Sends through FCM's HTTP v1 API with firebase-admin's credentials."""

    name = "fcm"

    def __init__(
        self, credentials_path: str, endpoint: str | None = None, connections: int = 256, timeout: float = 30.0
    ):
        self.app = firebase_admin.initialize_app(
            credentials.Certificate(credentials_path),
            {"httpTimeout": timeout},
            name=f"kompas-{uuid.uuid4().hex}",
        )
        self._service = messaging._get_messaging_service(self.app)
        base = (endpoint or FCM_BASE).rstrip("/")
        project = self.app.project_id
        self._service._fcm_url = f"{base}/v1/projects/{project}/messages:send"
        self._service._fcm_topic_url = f"{base}/v1/projects/{project}/registrations"
        for prefix in ("http://", "https://", FCM_BASE):
            self._service._client.session.mount(prefix, requests.adapters.HTTPAdapter(max_retries=NO_HTTP_RETRIES))
        self._url = self._service._fcm_url
        self._credential = self._service._credential
        if endpoint:
            # google-auth looks up a service account's "regional access
            # boundary" at iamcredentials.googleapis.com, in the background,
            # after the first token. With FCM_ENDPOINT every FCM request is
            # meant to go to that endpoint (a proxy, a test server), so this
            # side channel straight to Google stays off.
            self._credential._is_regional_access_boundary_lookup_required = lambda: False
        self._auth_request = google.auth.transport.requests.Request()
        self._headers = {
            "Content-Type": "application/json; charset=UTF-8",
            **self._service._fcm_headers,
            **_http_client.METRICS_HEADERS,
        }
        # The certificate authorities requests (and so google-auth) trusts.
        cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or requests.certs.where()
        tls = ssl.create_default_context(cafile=cafile)
        self._fanout = FanoutClient(self._url, connections=connections, timeout=timeout, tls=tls)
        self._bodies = _Bodies(self._encode)

    # -- sending -------------------------------------------------------

    def send(self, messages: Sequence[Outgoing]) -> list[Result]:
        if not messages:
            return []
        try:
            headers = dict(self._headers)
            self._credential.before_request(self._auth_request, "POST", self._url, headers)
        except google.auth.exceptions.RefreshError as error:
            log.error("FCM credentials refused: %s", error)
            return [Result(ok=False, code="UNAUTHENTICATED", detail=str(error)) for _ in messages]
        except google.auth.exceptions.TransportError as error:
            log.warning("FCM token endpoint unreachable: %s", error)
            return [Result(ok=False, code="UNAVAILABLE", detail=str(error)) for _ in messages]
        # Each body is encoded just before it is sent, while other requests
        # are on the way: encoding and waiting overlap.
        bodies = [functools.partial(self._bodies.encode, message) for message in messages]
        replies = self._fanout.post_all(bodies, list(headers.items()))
        return [self._result(reply) for reply in replies]

    @staticmethod
    def _encode(outgoing: Outgoing) -> bytes:
        # firebase-admin 7.7 deprecates Message(token=...) in favour of
        # Firebase Installation IDs (fid=). The apps register FCM
        # registration tokens today and PushToken.kind records which kind we
        # hold, so FIDs are sent as fid= as soon as apps send them. Until
        # then this silences exactly that warning, for these calls only.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Message\.token is deprecated", category=DeprecationWarning)
            message = FcmTransport.message(outgoing)
        body = {"message": messaging._MessagingService.encode_message(message)}
        return json.dumps(body, separators=(",", ":")).encode()

    @staticmethod
    def message(outgoing: Outgoing) -> messaging.Message:
        """The firebase-admin message for ``outgoing``: notification (or
        data only), data, channel, sound, collapse key and time-to-live for
        Android, iOS and web push (docs/push.md)."""
        target = {"registration": "token", "fid": "fid", "topic": "topic"}[outgoing.target_kind]
        shown = outgoing.kind not in DATA_ONLY
        aps = messaging.Aps(
            sound="default" if shown and outgoing.kind not in SILENT else None,
            content_available=None if shown else True,
        )
        return messaging.Message(
            data=outgoing.data,
            notification=messaging.Notification(title=outgoing.title, body=outgoing.body) if shown else None,
            android=messaging.AndroidConfig(
                collapse_key=outgoing.collapse_key,
                ttl=timedelta(seconds=outgoing.ttl_seconds),
                notification=messaging.AndroidNotification(channel_id=CHANNELS[outgoing.kind]) if shown else None,
            ),
            apns=messaging.APNSConfig(
                headers={
                    "apns-collapse-id": outgoing.collapse_key,
                    "apns-expiration": str(int(outgoing.expires_at.timestamp())),
                    # A data-only message wakes the app in the background.
                    "apns-push-type": "alert" if shown else "background",
                    "apns-priority": "10" if shown else "5",
                },
                payload=messaging.APNSPayload(aps=aps),
            ),
            webpush=messaging.WebpushConfig(headers={"TTL": str(outgoing.ttl_seconds), "Topic": outgoing.collapse_key}),
            **{target: outgoing.target},
        )

    def _result(self, reply: Reply | Exception) -> Result:
        if isinstance(reply, Exception):
            return self._from_exception(reply)
        if 200 <= reply.status < 300:
            return Result(ok=True, message_id=json.loads(reply.body).get("name"))
        return self._from_response(reply)

    def _from_response(self, reply: Reply) -> Result:
        """firebase-admin's mapping of an FCM error response."""
        mirrored = requests.models.Response()
        mirrored.status_code = reply.status
        mirrored.reason = reply.reason
        mirrored.headers = requests.structures.CaseInsensitiveDict(reply.headers)
        mirrored._content = reply.body
        mirrored.encoding = "utf-8"
        mirrored.url = self._url
        error = self._service._handle_fcm_error(
            requests.exceptions.HTTPError(f"{reply.status} {reply.reason}", response=mirrored)
        )
        code = _reason(error)
        retire = code in RETIRING_CODES or (code == exceptions.INVALID_ARGUMENT and _rejects_token(reply.body))
        return Result(
            ok=False,
            code=code,
            retire=retire,
            retry_after=_retry_after(reply.header("Retry-After")),
            detail=str(error),
        )

    def _from_exception(self, error: Exception) -> Result:
        """firebase-admin's mapping of a connection failure or time-out."""
        if isinstance(error, TimeoutError):
            wrapped: requests.exceptions.RequestException = requests.exceptions.Timeout(str(error))
        else:
            wrapped = requests.exceptions.ConnectionError(str(error) or type(error).__name__)
        mapped = self._service._handle_fcm_error(wrapped)
        return Result(ok=False, code=str(mapped.code), detail=str(mapped))

    # -- topics --------------------------------------------------------

    def subscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        return self._manage(messaging.subscribe_to_topic, topic, tokens)

    def unsubscribe(self, topic: str, tokens: Sequence[str]) -> list[Result]:
        return self._manage(messaging.unsubscribe_from_topic, topic, tokens)

    def _manage(self, call, topic: str, tokens: Sequence[str]) -> list[Result]:
        results: list[Result] = []
        for start in range(0, len(tokens), TOPIC_CHUNK):
            chunk = list(tokens[start : start + TOPIC_CHUNK])
            try:
                response = call(chunk, topic, app=self.app)
            except exceptions.FirebaseError as error:
                results.extend(Result(ok=False, code=str(error.code), detail=str(error)) for _ in chunk)
                continue
            errors = {error.index: error.reason for error in response.errors}
            for index in range(len(chunk)):
                code = errors.get(index)
                retire = code in (*RETIRING_CODES, exceptions.INVALID_ARGUMENT)
                results.append(Result(ok=code is None, code=code, retire=retire))
        return results

    def close(self) -> None:
        self._fanout.close()
        self._auth_request.session.close()
        firebase_admin.delete_app(self.app)
