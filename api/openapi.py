"""The OpenAPI document as clients need it, completed in one place.

flask-smorest and apispec write the document from the blueprints and the
marshmallow schemas; what they cannot know is added here, once, after every
blueprint is registered: a human name for each operation (a generated
client's method names), a description for each, the servers, contact and
licence, which response fields are always present (``required``: without it
every field of a generated client is optional), and nullable nested objects
written so that clients read them as "that object or null" rather than as
"any object"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from apispec import APISpec
from flask_smorest import Api

CONTACT = {"name": "The Kompas maintainers"}
LICENSE = {"name": "EUPL-1.2", "url": "https://spdx.org/licenses/EUPL-1.2.html"}
# Relative: the document describes the server that serves it.
SERVERS = [{"url": "/", "description": "The server that serves this document"}]
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

OPERATION_IDS = {
    ("post", "/api/v1/installations"): "registerInstallation",
    ("get", "/api/v1/installations/me"): "getMyInstallation",
    ("patch", "/api/v1/installations/me"): "updateMyInstallation",
    ("delete", "/api/v1/installations/me"): "eraseMyInstallation",
    ("put", "/api/v1/installations/me/push-token"): "setPushToken",
    ("delete", "/api/v1/installations/me/push-token"): "removePushToken",
    ("get", "/api/v1/dilemmas/current"): "getCurrentDilemma",
    ("get", "/api/v1/dilemmas"): "listDilemmas",
    ("get", "/api/v1/dilemmas/{dilemma_id}"): "getDilemma",
    ("put", "/api/v1/dilemmas/{dilemma_id}/answer"): "answerDilemma",
    ("get", "/api/v1/dilemmas/{dilemma_id}/results"): "getResults",
    ("get", "/api/v1/code"): "getCode",
    ("get", "/api/v1/code/sections/{ref}"): "getCodeSection",
    ("get", "/api/v1/code/search"): "searchCode",
    ("get", "/api/v1/organisation"): "getOrganisation",
    ("get", "/api/v1/categories"): "listCategories",
    ("post", "/api/v1/suggestions"): "suggestDilemma",
    ("get", "/api/v1/teams"): "listTeams",
    ("post", "/api/v1/teams"): "createTeam",
    ("post", "/api/v1/teams/join"): "joinTeam",
    ("get", "/api/v1/teams/{team_id}"): "getTeam",
    ("delete", "/api/v1/teams/{team_id}/membership"): "leaveTeam",
    ("post", "/api/v1/teams/{team_id}/invite-code"): "replaceInviteCode",
    ("get", "/api/v1/teams/{team_id}/members"): "listTeamMembers",
    ("put", "/api/v1/teams/{team_id}/lead"): "handOverLead",
    ("post", "/api/v1/teams/{team_id}/sessions"): "openSession",
    ("post", "/api/v1/sessions/join"): "joinSession",
    ("get", "/api/v1/sessions/{session_id}"): "getSession",
    ("put", "/api/v1/sessions/{session_id}/vote"): "voteInSession",
    ("post", "/api/v1/sessions/{session_id}/reveal"): "revealSession",
    ("post", "/api/v1/sessions/{session_id}/revote"): "revoteSession",
    ("put", "/api/v1/sessions/{session_id}/consensus"): "recordConsensus",
    ("get", "/api/v1/methods"): "listMethods",
    ("put", "/api/v1/sessions/{session_id}/deliberation"): "followMethod",
    ("post", "/api/v1/sessions/{session_id}/deliberation/move"): "moveStep",
    ("post", "/api/v1/sessions/{session_id}/screen"): "openPresenterScreen",
    ("put", "/api/v1/sessions/{session_id}/outcome"): "recordOutcome",
    ("get", "/api/v1/admin/stats/meetings"): "getMeetingStatistics",
    ("post", "/api/v1/sessions/{session_id}/close"): "closeSession",
    ("get", "/api/v1/admin/me"): "getAdminMe",
    ("get", "/api/v1/admin/tokens"): "listAdminTokens",
    ("post", "/api/v1/admin/tokens"): "createAdminToken",
    ("delete", "/api/v1/admin/tokens/{token_id}"): "revokeAdminToken",
    ("get", "/api/v1/admin/enrolment-codes"): "listEnrolmentCodes",
    ("post", "/api/v1/admin/enrolment-codes"): "rotateEnrolmentCode",
    ("get", "/api/v1/admin/audit"): "listAudit",
    ("get", "/api/v1/admin/dilemmas"): "listAdminDilemmas",
    ("post", "/api/v1/admin/dilemmas"): "createDilemma",
    ("get", "/api/v1/admin/dilemmas/{dilemma_id}"): "getAdminDilemma",
    ("patch", "/api/v1/admin/dilemmas/{dilemma_id}"): "updateDilemma",
    ("delete", "/api/v1/admin/dilemmas/{dilemma_id}"): "deleteDilemma",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/submit"): "submitDilemma",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/approve"): "approveDilemma",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/request-changes"): "requestChanges",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/unschedule"): "unscheduleDilemma",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/archive"): "archiveDilemma",
    ("post", "/api/v1/admin/dilemmas/{dilemma_id}/schedule"): "scheduleDilemma",
    ("get", "/api/v1/admin/dilemmas/{dilemma_id}/revisions"): "listRevisions",
    ("get", "/api/v1/admin/schedule"): "getSchedule",
    ("get", "/api/v1/admin/code"): "getAdminCode",
    ("get", "/api/v1/admin/code/sections/{ref}"): "getAdminCodeSection",
    ("put", "/api/v1/admin/code/sections/{ref}"): "updateCodeSection",
    ("get", "/api/v1/admin/suggestions"): "listSuggestions",
    ("patch", "/api/v1/admin/suggestions/{suggestion_id}"): "updateSuggestion",
    ("post", "/api/v1/admin/suggestions/{suggestion_id}/draft"): "draftFromSuggestion",
    ("get", "/api/v1/admin/stats/weeks"): "getWeekStatistics",
    ("get", "/api/v1/admin/stats/dilemmas/{dilemma_id}"): "getDilemmaStatistics",
    ("get", "/api/v1/admin/stats/awareness"): "getAwareness",
    ("get", "/api/v1/admin/stats/grey-zones"): "getGreyZones",
    ("get", "/api/v1/admin/push/campaigns"): "listCampaigns",
    ("post", "/api/v1/admin/push/campaigns"): "createCampaign",
}

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
    """Add to ``api``'s document what the blueprints cannot say."""
    global _written
    if _written is not None:
        api.spec = _written
        return
    spec = api.spec
    info = spec.options.setdefault("info", {})
    info.setdefault("contact", CONTACT)
    info.setdefault("license", LICENSE)
    spec.options.setdefault("servers", SERVERS)
    for path, method, operation in operations(spec):
        operation.setdefault("operationId", OPERATION_IDS.get((method, path)) or fallback_id(method, path))
        describe(operation)
    schemas = spec.components.schemas
    paginated(spec)
    for name in response_schemas(spec):
        schema = schemas[name]
        optional = OPTIONAL.get(name, set())
        if optional is None or "properties" not in schema:
            continue
        schema["required"] = [field for field in schema["properties"] if field not in optional]
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            nullable_reference(prop)
            nullable_reference(prop.get("items", {}))
    _written = spec


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


def operations(spec) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec._paths.items():
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                yield path, method, operation


def fallback_id(method: str, path: str) -> str:
    """A name for an operation missing from OPERATION_IDS (a test insists
    that none is): the method and the path's words in camelCase."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path.removeprefix("/api/v1")) if w]
    return method + "".join(w[:1].upper() + w[1:] for w in words)


def describe(operation: dict) -> None:
    """The docstring's first sentence as the summary, all of it as the
    description (flask-smorest puts a docstring without a blank line wholly
    into the summary)."""
    summary = " ".join(operation.get("summary", "").split())
    if not summary:
        return
    if "description" not in operation:
        operation["description"] = summary
    first = re.split(r"(?<=[.;:])\s", summary, maxsplit=1)[0].rstrip(".;:")
    operation["summary"] = first


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
        for _, _, operation in operations(spec)
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


def nullable_reference(prop: dict) -> None:
    """apispec writes a nullable nested schema as ``anyOf: [{type: object,
    nullable: true}, {$ref}]``, which clients read as "any object or that
    one"; OpenAPI 3.0 says "that one or null" as ``allOf: [{$ref}],
    nullable: true``."""
    any_of = prop.get("anyOf")
    if not any_of or len(any_of) != 2:
        return
    null = {"type": "object", "nullable": True}
    ref = any_of[1] if any_of[0] == null else any_of[0]
    if null in any_of and set(ref) == {"$ref"}:
        del prop["anyOf"]
        prop["allOf"] = [ref]
        prop["nullable"] = True
