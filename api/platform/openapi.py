"""The OpenAPI document as clients need it, completed in one place.

flask-smorest and apispec write the document from the blueprints and the
marshmallow schemas (each operation's id, summary and errors come from its
``operation`` decorator, api.platform.blueprint); what they cannot know is
added here, once, after every blueprint is registered: the servers, contact
and licence, which response fields are always present (``required``: without it
every field of a generated client is optional), and nullable nested objects
written so that clients read them as "that object or null" rather than as
"any object"."""

from __future__ import annotations

from collections.abc import Iterator

from flask_smorest import Api

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


def complete(api: Api) -> None:
    """Add to ``api``'s document what the blueprints cannot say."""
    spec = api.spec
    info = spec.options.setdefault("info", {})
    info.setdefault("contact", CONTACT)
    info.setdefault("license", LICENSE)
    spec.options.setdefault("servers", SERVERS)
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
