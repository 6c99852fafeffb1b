"""The messages per field of a problem (``errors``) are in the response's
language: the installation's locale, else Accept-Language. The schemas'
messages are marshmallow's English and the domain's are Dutch; one table
(dilemmas.language.FIELD_MESSAGES) gives each in both, and every message
the code can produce is in it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import marshmallow as ma
import pytest
from marshmallow import fields, validate

from dilemmas.language import FIELD_MESSAGES, LOCALES, field_message
from tests.api.test_errors import assert_problem
from tests.factories import bank, register, schedule

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def this_week(session):
    return schedule(session, bank(session)[0], "2026-W50")


def in_english(phone):
    assert phone.patch("/installations/me", json={"locale": "en"}).status_code == 200
    return phone


def test_a_dutch_installation_reads_its_field_messages_in_dutch(client, this_week):
    phone = register(client)
    refused = phone.put(f"/dilemmas/{this_week.id}/answer", json={"option": "Z", "extra": 1})
    body = assert_problem(refused, 422)
    assert refused.headers["Content-Language"] == "nl"
    assert body["errors"] == {"option": ["Kies een van: A, B, C, D."], "extra": ["Onbekend veld."]}
    missing = assert_problem(phone.put(f"/dilemmas/{this_week.id}/answer", json={"mode": "alone"}), 422)
    assert missing["errors"] == {"option": ["Dit veld is verplicht."]}
    code = assert_problem(phone.post("/sessions/join", json={"join_code": "12"}), 422)
    assert code["errors"] == {"join_code": ["Zes cijfers."]}
    long = assert_problem(phone.put(f"/dilemmas/{this_week.id}/answer", json={"option": "A", "difficulty": 9}), 422)
    assert long["errors"] == {"difficulty": ["Moet minstens 1 en hoogstens 5 zijn."]}


def test_an_english_installation_reads_them_in_english(client, this_week):
    phone = in_english(register(client))
    refused = phone.put(f"/dilemmas/{this_week.id}/answer", json={"option": "Z", "extra": 1})
    body = assert_problem(refused, 422)
    assert refused.headers["Content-Language"] == "en"
    assert body["errors"] == {"option": ["Must be one of: A, B, C, D."], "extra": ["Unknown field."]}
    # The domain's and the schemas' own Dutch messages too.
    code = assert_problem(phone.post("/sessions/join", json={"join_code": "12"}), 422)
    assert code["errors"] == {"join_code": ["Six digits."]}
    named = assert_problem(phone.post("/teams", json={"name": "Team\u0007Noord"}), 422)
    assert named["errors"] == {"name": ["No control characters."]}
    # A Dutch Accept-Language does not outvote the installation's choice.
    dutch = phone.client.put(
        f"/api/v1/dilemmas/{this_week.id}/answer",
        json={"option": "Z"},
        headers={**phone.headers, "Accept-Language": "nl"},
    )
    assert dutch.get_json()["errors"] == {"option": ["Must be one of: A, B, C, D."]}


def test_without_an_installation_accept_language_decides(client):
    body = {"platform": "fax", "enrolment_code": "ZZZZ-ZZZZ-ZZZZ"}
    english = client.post("/api/v1/installations", json=body, headers={"Accept-Language": "en-GB, nl;q=0.5"})
    assert assert_problem(english, 422)["errors"] == {"platform": ["Must be one of: ios, android, web."]}
    dutch = client.post("/api/v1/installations", json=body, headers={"Accept-Language": "nl"})
    assert assert_problem(dutch, 422)["errors"] == {"platform": ["Kies een van: ios, android, web."]}
    unknown = {"platform": "ios", "enrolment_code": "ZZZZ-ZZZZ-ZZZZ"}
    english = client.post("/api/v1/installations", json=unknown, headers={"Accept-Language": "en"})
    assert assert_problem(english, 409)["errors"] == {"enrolment_code": ["Unknown or expired enrolment code."]}
    dutch = client.post("/api/v1/installations", json=unknown)
    assert assert_problem(dutch, 409)["errors"] == {"enrolment_code": ["Onbekende of verlopen aanmeldcode."]}


def marshmallow_messages() -> set[str]:
    """Every message the installed marshmallow can put in ``errors``, with
    its placeholders as ``{name}``."""
    found = set(ma.Schema._default_error_messages.values())
    for _, cls in inspect.getmembers(fields, inspect.isclass):
        if issubclass(cls, fields.Field):
            for klass in cls.__mro__:
                found |= set(getattr(klass, "default_error_messages", {}).values())
    for _, cls in inspect.getmembers(validate, inspect.isclass):
        for name in dir(cls):
            value = getattr(cls, name)
            if isinstance(value, str) and (name.startswith("message_") or name == "default_message"):
                found.add(value)
    found.discard("")
    ranges = {m for m in found if "{min_op}" in m or "{max_op}" in m}
    for template in ranges:
        for low in (validate.Range.message_gte, validate.Range.message_gt):
            for high in (validate.Range.message_lte, validate.Range.message_lt):
                found.add(template.format(min_op=low, max_op=high))
    found -= ranges
    return {m.replace("{input!r}", "{input}").replace("{{", "{").replace("}}", "}") for m in found} - {
        # Range's operator words, not messages by themselves.
        validate.Range.message_gte, validate.Range.message_gt, validate.Range.message_lte, validate.Range.message_lt,
    }  # fmt: skip


def sample(template: str) -> str:
    """A message as a schema or the domain would write it: values filled in."""
    return template.format_map({name: "7" for name in _names(template)})


def _names(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_marshmallow_message_has_a_dutch_form():
    untranslated = sorted(m for m in marshmallow_messages() if field_message(sample(m), "nl") == sample(m))
    assert not untranslated
    assert len(marshmallow_messages()) >= 40


VALIDATORS = {
    name for name, cls in inspect.getmembers(validate, inspect.isclass) if issubclass(cls, validate.Validator)
}


def dutch_field_messages() -> set[str]:
    """Every literal field message of the domain and the API's schemas
    (``Invalid(detail, {field: [...]})``, ``errors[field] = [...]``,
    ``ValidationError(...)``, a validator's ``error=``), f-strings with their
    values as ``{x}``. The console words its own and is left out."""
    found = set()

    def text(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
        return None

    def messages(node) -> None:
        for element in getattr(node, "elts", []):
            if text(element) is not None:
                found.add(text(element))
        if isinstance(node, ast.ListComp) and text(node.elt) is not None:
            found.add(text(node.elt))

    files = [*(ROOT / "dilemmas").rglob("*.py"), *(ROOT / "push").rglob("*.py")]
    files += [p for p in (ROOT / "api").rglob("*.py") if "console" not in p.parts]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                errors = node.args[1] if name in ("Invalid", "UnknownReference") and len(node.args) > 1 else None
                if isinstance(errors, ast.Dict):
                    for value in errors.values:
                        messages(value)
                if name == "ValidationError" and node.args and text(node.args[0]) is not None:
                    found.add(text(node.args[0]))
                for keyword in node.keywords if name in VALIDATORS else ():
                    if keyword.arg == "error" and text(keyword.value) is not None:
                        found.add(text(keyword.value))
            target = node.targets[0] if isinstance(node, ast.Assign) else None
            if isinstance(target, ast.Subscript) and getattr(target.value, "id", "") == "errors":
                messages(node.value)
    return found


def test_every_dutch_field_message_in_the_code_has_an_english_form():
    found = dutch_field_messages()
    assert {"Zes cijfers.", "Geen stuurtekens.", "Hoogstens {x} tekens.", "Geef een titel van 1 tot {x} tekens."} <= (
        found
    )
    untranslated = sorted(m for m in found if field_message(sample(m), "en") == sample(m))
    assert not untranslated


@pytest.mark.parametrize("entry", FIELD_MESSAGES, ids=lambda entry: entry["en"][:40])
def test_each_message_goes_both_ways_with_its_values(entry):
    assert _names(entry["nl"]) == _names(entry["en"])
    for source in LOCALES:
        for target in LOCALES:
            assert field_message(sample(entry[source]), target) == sample(entry[target])


def test_an_unknown_message_stays_as_it_is():
    assert field_message("Iets wat niemand schreef.", "en") == "Iets wat niemand schreef."
