"""The ``fcm`` transport: Firebase Cloud Messaging through firebase-admin.

The only module that imports ``firebase_admin``. firebase-admin provides the
credentials (the service-account key of GOOGLE_APPLICATION_CREDENTIALS and
its OAuth token), the message encoding (``_MessagingService.encode_message``)
and the mapping of FCM's error responses to error types
(``_MessagingService._handle_fcm_error``); topic subscriptions go through
``messaging.subscribe_to_topic``/``unsubscribe_from_topic`` as they are.

The sending itself is a fan-out client of our own, because firebase-admin's
``send_each`` starts a thread per message and goes through requests for
every one. Here a bounded pool of worker threads each keeps one keep-alive
HTTP connection and takes the next message of the batch until none is left.
It does not retry: the caller retries what is worth retrying, with backoff
and jitter and honouring ``Retry-After`` (push/delivery.py).

``FCM_ENDPOINT`` replaces ``https://fcm.googleapis.com`` (a proxy, or a test
server): firebase-admin keeps the send and topic URLs per app instance, so
they are set on this transport's own app.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import logging
import ssl
import threading
import time
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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

from push.messages import Outgoing, Result

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


class FcmTransport:
    """Sends through FCM's HTTP v1 API with firebase-admin's credentials."""

    name = "fcm"

    def __init__(self, credentials_path: str, endpoint: str | None = None, workers: int = 64, timeout: float = 30.0):
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
        self._target = urllib.parse.urlsplit(self._url)
        self._path = self._target.path
        self._timeout = timeout
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
        self._workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="kompas-fcm")
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context(cafile=requests.certs.where())

    # -- sending -------------------------------------------------------

    def send(self, messages: Sequence[Outgoing]) -> list[Result]:
        if not messages:
            return []
        bodies = self._encode(messages)
        try:
            headers = dict(self._headers)
            self._credential.before_request(self._auth_request, "POST", self._url, headers)
        except google.auth.exceptions.RefreshError as error:
            log.error("FCM credentials refused: %s", error)
            return [Result(ok=False, code="UNAUTHENTICATED", detail=str(error)) for _ in messages]
        except google.auth.exceptions.TransportError as error:
            log.warning("FCM token endpoint unreachable: %s", error)
            return [Result(ok=False, code="UNAVAILABLE", detail=str(error)) for _ in messages]
        results: list[Result | None] = [None] * len(bodies)
        indexes = itertools.count()
        index_lock = threading.Lock()

        def work() -> None:
            while True:
                with index_lock:
                    i = next(indexes)
                if i >= len(bodies):
                    return
                results[i] = self._post(bodies[i], headers)

        futures = [self._pool.submit(work) for _ in range(min(self._workers, len(bodies)))]
        for future in futures:
            future.result()
        return results  # type: ignore[return-value]

    def _encode(self, messages: Sequence[Outgoing]) -> list[bytes]:
        # firebase-admin 7.7 deprecates Message(token=...) in favour of
        # Firebase Installation IDs (fid=). The apps register FCM
        # registration tokens today and PushToken.kind records which kind we
        # hold, so FIDs are sent as fid= as soon as apps send them. Until
        # then this silences exactly that warning, for these calls only.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Message\.token is deprecated", category=DeprecationWarning)
            encoded = [messaging._MessagingService.encode_message(self.message(m)) for m in messages]
        return [json.dumps({"message": body}, separators=(",", ":")).encode() for body in encoded]

    @staticmethod
    def message(outgoing: Outgoing) -> messaging.Message:
        """The firebase-admin message for ``outgoing``: notification, data,
        collapse key and time-to-live for Android, iOS and web push."""
        target = {"registration": "token", "fid": "fid", "topic": "topic"}[outgoing.target_kind]
        return messaging.Message(
            data=outgoing.data,
            notification=messaging.Notification(title=outgoing.title, body=outgoing.body),
            android=messaging.AndroidConfig(
                collapse_key=outgoing.collapse_key, ttl=timedelta(seconds=outgoing.ttl_seconds)
            ),
            apns=messaging.APNSConfig(
                headers={
                    "apns-collapse-id": outgoing.collapse_key,
                    "apns-expiration": str(int(outgoing.expires_at.timestamp())),
                }
            ),
            webpush=messaging.WebpushConfig(headers={"TTL": str(outgoing.ttl_seconds), "Topic": outgoing.collapse_key}),
            **{target: outgoing.target},
        )

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._new_connection()
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def _new_connection(self) -> http.client.HTTPConnection:
        host, port = self._target.hostname, self._target.port
        if self._target.scheme == "http":
            return http.client.HTTPConnection(host, port, timeout=self._timeout)
        proxy = urllib.request.getproxies().get("https")
        if proxy and not urllib.request.proxy_bypass(host):
            parsed = urllib.parse.urlsplit(proxy)
            connection = http.client.HTTPSConnection(
                parsed.hostname, parsed.port or 8080, timeout=self._timeout, context=self._tls
            )
            tunnel_headers = {}
            if parsed.username:
                secret = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
                tunnel_headers["Proxy-Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
            connection.set_tunnel(host, port or 443, headers=tunnel_headers)
            return connection
        return http.client.HTTPSConnection(host, port or 443, timeout=self._timeout, context=self._tls)

    def _post(self, body: bytes, headers: dict[str, str]) -> Result:
        for attempt in range(2):
            connection = self._connection()
            reused = connection.sock is not None
            try:
                connection.request("POST", self._path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                connection.close()
                if reused and attempt == 0:
                    continue  # the server closed an idle keep-alive connection: once more, on a new one
                return self._from_exception(error)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                return self._from_exception(error)
            if response.will_close:
                connection.close()
            if 200 <= response.status < 300:
                return Result(ok=True, message_id=json.loads(payload).get("name"))
            return self._from_response(response, payload)
        raise AssertionError("unreachable")

    def _from_response(self, response: http.client.HTTPResponse, payload: bytes) -> Result:
        """firebase-admin's mapping of an FCM error response."""
        mirrored = requests.models.Response()
        mirrored.status_code = response.status
        mirrored.reason = response.reason
        mirrored.headers = requests.structures.CaseInsensitiveDict(response.getheaders())
        mirrored._content = payload
        mirrored.encoding = "utf-8"
        mirrored.url = self._url
        error = self._service._handle_fcm_error(
            requests.exceptions.HTTPError(f"{response.status} {response.reason}", response=mirrored)
        )
        code = _reason(error)
        retire = code in RETIRING_CODES or (code == exceptions.INVALID_ARGUMENT and _rejects_token(payload))
        return Result(
            ok=False,
            code=code,
            retire=retire,
            retry_after=_retry_after(response.getheader("Retry-After")),
            detail=str(error),
        )

    def _from_exception(self, error: Exception) -> Result:
        """firebase-admin's mapping of a connection failure or time-out."""
        if isinstance(error, TimeoutError):
            wrapped: requests.exceptions.RequestException = requests.exceptions.Timeout(str(error))
        else:
            wrapped = requests.exceptions.ConnectionError(str(error))
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
        self._pool.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        firebase_admin.delete_app(self.app)
