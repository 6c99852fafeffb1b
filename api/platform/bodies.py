"""One strict JSON decoder in front of every API request body.

Python's ``json`` module accepts more than JSON (NaN, Infinity, duplicate
keys, lone surrogates) and fails with a RecursionError or a ValueError on
bodies an attacker can write in 2 KB (1,000 nested arrays, a 5,000-digit
number). Every body of an ``/api/`` request passes ``decode`` before any
view or schema sees it; whatever it accepts, the schemas then read with the
ordinary parser and get the same values. What it refuses is a 400
problem+json that says why; a body that is not JSON at all is a 415.
"""

from __future__ import annotations

import json
import math

from flask import Flask, request

from api.platform.errors import problem

MAX_DEPTH = 32
# No field takes a number this long; shorter ones reach the schemas, whose
# ranges (every integer field has one: tests/api/test_abuse.py checks the
# OpenAPI document) refuse them per field with 422.
MAX_NUMBER_LENGTH = 64
BODY_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


class NotJson(ValueError):
    """A body that JSON (RFC 8259) does not allow, with the reason in Dutch."""


def _constant(name: str):
    raise NotJson(f"{name} is geen getal in JSON.")


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise NotJson(f"Een getal is langer dan {MAX_NUMBER_LENGTH} tekens.")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise NotJson(f"Een getal is langer dan {MAX_NUMBER_LENGTH} tekens.")
    number = float(text)
    if not math.isfinite(number):
        raise NotJson("Een getal is te groot.")
    return number


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise NotJson(f"Het veld '{twice[:40]}' staat er meer dan eens in.")
    return result


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotJson("Tekst bevat een ongeldig Unicode-teken (een losse surrogaat).") from None


def _check(value: object) -> None:
    """Depth and valid Unicode, without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise NotJson(f"De JSON is dieper genest dan {MAX_DEPTH} niveaus.")
            if isinstance(item, dict):
                for key, inner in item.items():
                    _check_text(key)
                    pending.append((inner, depth + 1))
            else:
                pending.extend((inner, depth + 1) for inner in item)


def decode(raw: bytes) -> object:
    """The value of a JSON text (UTF-8, RFC 8259), or NotJson saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotJson("De inhoud is geen geldige UTF-8.") from None
    try:
        value = json.loads(
            text,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise NotJson(f"De JSON is dieper genest dan {MAX_DEPTH} niveaus.") from None
    except json.JSONDecodeError as error:
        raise NotJson(f"De inhoud is geen geldige JSON ({error.msg}, positie {error.pos}).") from None
    _check(value)
    return value


def is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def check_body():
    """Refuse a body that is not JSON (415) or not strict JSON (400) before
    anything reads it."""
    if request.method not in BODY_METHODS or not request.path.startswith("/api/"):
        return None
    raw = request.get_data(cache=True)
    if not raw:
        return None
    if not is_json_type(request.mimetype):
        return problem(415, "Stuur de inhoud als JSON, met 'Content-Type: application/json'.")
    try:
        decode(raw)
    except NotJson as error:
        return problem(400, str(error))
    return None


def init_app(app: Flask) -> None:
    app.before_request(check_body)
