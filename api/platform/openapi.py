"""The OpenAPI document as clients need it, completed in one place.

flask-smorest and apispec write the document from the blueprints and the
marshmallow schemas (each operation's id, summary and errors come from its
``operation`` decorator, api.platform.blueprint); what they cannot know is
added here, once, after every blueprint is registered: the servers, contact
and licence, which response fields are always present (``required``: without it
every field of a generated client is optional), responses open to fields
added later (a strict decoder must not break on them), and the headers
that the platform's guards put on responses: rate limits, Retry-After,
ETag, Idempotent-Replayed, Content-Language, X-Request-Id."""

from __future__ import annotations

from collections.abc import Iterator

from apispec import APISpec
from flask_smorest import Api

from api.platform.blueprint import EXTRA_PARAMETERS
from dilemmas.language import LOCALES
from push.messages import COLLAPSE_KEYS

CONTACT = {"name": "The Kompas maintainers"}
LICENSE = {"name": "EUPL-1.2", "url": "https://spdx.org/licenses/EUPL-1.2.html"}
# Relative: the document describes the server that serves it.
SERVERS = [{"url": "/", "description": "The server that serves this document"}]
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

# Response fields that a response may leave out (everything else is always
# there, null where the schema says nullable). Problem members depend on the
# problem; a contact lists what the organisation gave.
OPTIONAL = {
    "Problem": None,  # None: every member
    "Contact": None,
}


# The document depends on the code alone (blueprints, schemas, and the
# fixed options of app.register_config), so a process writes it once, with
# its first app; every later app (the tests build hundreds) serves that one.
_written: APISpec | None = None


def written() -> APISpec | None:
    """This process's document, once its first app has written it."""
    return _written


def complete(api: Api) -> None:
    """Add to ``api``'s document what the blueprints cannot say; once the
    process has written it, give ``api`` that document."""
    global _written
    if _written is not None:
        api.spec = _written
        return
    _complete(api)
    _written = api.spec


def _complete(api: Api) -> None:
    spec = api.spec
    info = spec.options.setdefault("info", {})
    info.setdefault("contact", CONTACT)
    info.setdefault("license", LICENSE)
    spec.options.setdefault("servers", SERVERS)
    schemas = spec.components.schemas
    paginated(spec)
    for name in response_schemas(spec):
        schema = schemas[name]
        # Marshmallow's unknown=RAISE is about what the server reads; what
        # it writes may grow within v1 (docs/clients.md, versioning).
        schema.pop("additionalProperties", None)
        optional = OPTIONAL.get(name, set())
        if optional is None or "properties" not in schema:
            continue
        schema["required"] = [field for field in schema["properties"] if field not in optional]
    headers = spec.components.headers
    for name, header in HEADERS.items():
        headers[name] = header
    push_contract(spec)
    for operation in operations(spec):
        operation.setdefault("parameters", []).extend(operation.pop(EXTRA_PARAMETERS, []))
        if not operation["parameters"]:
            del operation["parameters"]
        declare_headers(operation)
    for response in spec.components.responses.values():
        response.setdefault("headers", {}).update({name: ref(component) for name, component in EVERYWHERE.items()})


def paginated(spec) -> None:
    """X-Pagination is described as the string it is on the wire
    (api/errors.py); its members move into its description, and the schema
    no header refers to any more goes."""
    metadata = spec.components.schemas.pop("PaginationMetadata", None)
    if metadata is None:
        return
    members = ", ".join(metadata.get("properties", {}))
    for header in spec.components.headers.values():
        if header.get("description", "").endswith("PaginationMetadata object"):
            header["description"] = f"JSON text of an object with the members {members}"


def operations(spec) -> Iterator[dict]:
    """Every operation of the document, as apispec writes it out."""
    for item in spec.to_dict().get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                yield operation


def references(node) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def response_schemas(spec) -> set[str]:
    """The component schemas a response can contain, nested ones included."""
    schemas = spec.components.schemas
    found: set[str] = set()
    pending = [
        name
        for operation in operations(spec)
        for status, response in operation.get("responses", {}).items()
        if status[0] in "123"
        for name in references(response)
    ]
    while pending:
        name = pending.pop()
        if name in found or name not in schemas:
            continue
        found.add(name)
        pending.extend(references(schemas[name]))
    return found


def header(description: str, schema: dict) -> dict:
    return {"description": description, "schema": schema}


INTEGER = {"type": "integer", "minimum": 0}
HEADERS = {
    "RetryAfter": header("Seconds to wait before trying again", INTEGER),
    "RateLimitLimit": header("Requests allowed in the current window of the limit closest to running out", INTEGER),
    "RateLimitRemaining": header("Requests left in that window", INTEGER),
    "RateLimitReset": header("When that window ends, in seconds since the Unix epoch", INTEGER),
    "RateLimitPolicyField": header(
        'The IETF RateLimit-Policy field: the limit closest to running out, e.g. `"limit";q=60;w=60` '
        "(q requests per w seconds)",
        {"type": "string"},
    ),
    "RateLimitField": header(
        'The IETF RateLimit field: `"limit";r=59;t=42` (r requests left, the window ends in t seconds)',
        {"type": "string"},
    ),
    "ETag": header("Send it back in If-None-Match to get 304 while nothing changed", {"type": "string"}),
    "CacheControl": header("How long, and by whom, the response may be kept", {"type": "string"}),
    "IdempotentReplayed": header(
        "`true` when the response is the stored one of an earlier request with the same Idempotency-Key",
        {"type": "string", "enum": ["true"]},
    ),
    "MinAppVersion": header(
        "The oldest app version still supported per platform (`ios=1.4.0, android=1.4.0`), when the operator "
        "set one: an older app asks its user to update",
        {"type": "string"},
    ),
    "Location": header("Where the created resource can be read", {"type": "string"}),
    "XRequestId": header("The request's id: quote it when reporting a problem", {"type": "string"}),
    "ContentLanguage": header(
        "The language of the response's texts: the installation's locale, else the best of Accept-Language",
        {"type": "string", "enum": list(LOCALES)},
    ),
}
# Operations whose 201 names where the created resource can be read.
LOCATED = {"registerInstallation", "createTeam", "openSession"}
# What every response carries, shared responses included.
EVERYWHERE = {
    "X-Request-Id": "XRequestId",
    "Content-Language": "ContentLanguage",
    "Kompas-Min-App-Version": "MinAppVersion",
}
RATE_LIMITED = {
    "X-RateLimit-Limit": "RateLimitLimit",
    "X-RateLimit-Remaining": "RateLimitRemaining",
    "X-RateLimit-Reset": "RateLimitReset",
    "RateLimit-Policy": "RateLimitPolicyField",
    "RateLimit": "RateLimitField",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def declare_headers(operation: dict) -> None:
    """The response headers of one operation, from what it declares: a 429
    means a rate limit (whose counters every response of it carries), a
    304 an ETag, an Idempotency-Key parameter a possible replay."""
    responses = operation.get("responses", {})
    limited = "429" in responses
    conditional = "304" in responses
    idempotent = any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", []))
    for status, response in responses.items():
        if "$ref" in response or status == "default":
            # A shared response: its headers are the ones every operation has.
            continue
        declared = response.setdefault("headers", {})
        declared.update({name: ref(component) for name, component in EVERYWHERE.items()})
        if status in ("429", "503") or (status == "409" and idempotent):
            declared["Retry-After"] = ref("RetryAfter")
        if limited and (status[0] == "2" or status == "429"):
            declared.update({name: ref(component) for name, component in RATE_LIMITED.items()})
        if conditional and status in ("200", "304"):
            declared["ETag"] = ref("ETag")
            declared["Cache-Control"] = ref("CacheControl")
        if status == "201" and operation.get("operationId") in LOCATED:
            declared["Location"] = ref("Location")
        if idempotent and status[0] == "2":
            declared["Idempotent-Replayed"] = ref("IdempotentReplayed")


ID = {"type": "string", "pattern": "^[1-9][0-9]*$"}
# What each kind of push carries beside ``type`` and ``week`` (docs/push.md).
PUSH_IDS = {
    "weekly": ("dilemma_id",),
    "reminder": ("dilemma_id",),
    "adhoc": (),
    "lookback": ("meeting_id",),
    "test": (),
}
PUSH_SHOWN = {
    "weekly": "a notification the system shows",
    "reminder": "data only: the app shows it when the dilemma is not answered yet",
    "adhoc": "a notification the system shows (the office's text); dilemma_id when the office named one",
    "lookback": "data only: the app fetches the meeting's outcome and shows it in its own words",
    "test": "a notification the system shows",
}


def push_contract(spec) -> None:
    """The push messages' data payloads (docs/push.md) as schemas, and each
    kind as an OpenAPI 3.1 webhook: a message Kompas sends, through FCM,
    rather than a request it answers."""
    kinds = list(COLLAPSE_KEYS)
    spec.components.schemas["PushData"] = {
        "type": "object",
        "description": "The data of every push message: FCM data values are strings; unknown keys may be added",
        "required": ["type", "week"],
        "properties": {
            "type": {"type": "string", "enum": kinds, "description": "The kind of message"},
            "week": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$", "description": "ISO week, e.g. 2026-W50"},
            "dilemma_id": {**ID, "description": "The dilemma to open (weekly, reminder; adhoc when named)"},
            "meeting_id": {
                **ID,
                "description": "The meeting looked back on (lookback): GET /api/v1/sessions/{meeting_id}/outcome",
            },
            "results_of": {
                **ID,
                "description": "Last week's dilemma, whose figures are in: the app opens on it first (weekly)",
            },
        },
    }
    webhooks = {}
    for kind in kinds:
        name = "Push" + kind.capitalize()
        spec.components.schemas[name] = {
            "allOf": [{"$ref": "#/components/schemas/PushData"}],
            "type": "object",
            "required": ["type", "week", *PUSH_IDS[kind]],
            "properties": {"type": {"type": "string", "const": kind}},
            "description": f"A {kind} push: {PUSH_SHOWN[kind]}; collapse id {COLLAPSE_KEYS[kind]}",
        }
        webhooks[f"push-{kind}"] = {
            "post": {
                "operationId": f"push{kind.capitalize()}",
                "summary": f"The {kind} push message",
                "description": f"Sent through FCM, {PUSH_SHOWN[kind]} (docs/push.md).",
                "tags": ["push"],
                "security": [],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                },
                "responses": {"200": {"description": "The device received it"}},
            }
        }
    spec.options["webhooks"] = webhooks
    tags = spec.options.setdefault("tags", [])
    if not any(tag.get("name") == "push" for tag in tags):
        tags.append({"name": "push", "description": "Messages Kompas pushes to phones (docs/push.md)"})
