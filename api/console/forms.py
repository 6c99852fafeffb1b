"""Forms of the console, read with the admin API's own schemas so that a
field the API refuses is refused here with the same message, and domain
errors turned into messages beside their fields."""

from __future__ import annotations

import re
from collections.abc import Mapping

import marshmallow as ma
from flask import request

from api.office.schemas import DilemmaIn, DilemmaPatch, ScheduleIn
from dilemmas.errors import DomainError
from dilemmas.model.content import OPTION_KEYS

OPTION_FIELDS = ("text", "alignment", "feedback")


class FormInvalid(Exception):
    """The form's fields with their messages, keyed by the form's field names."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid form")
        self.errors = errors


def _field_name(path: str) -> str:
    """``options.2.text`` (the API's name) -> ``option_C_text`` (the form's)."""
    parts = path.split(".")
    if parts[0] == "options" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < 4:
        return f"option_{OPTION_KEYS[int(parts[1])]}_{parts[2]}"
    if parts[0] == "code_refs":
        return "code_refs"
    return parts[0]


# Plain Dutch for the schema's messages, by the form field they are about.
EMPTY = {
    "title": "Vul een titel in.",
    "situation": "Beschrijf de situatie.",
    "category": "Kies een categorie.",
    "name": "Vul een naam in.",
    "role": "Kies een rol.",
    "text": "Vul de tekst in.",
    "body": "Vul de tekst van het bericht in.",
    "comment": "Zeg wat er moet veranderen.",
    "week": "Kies een week.",
}
LENGTH = re.compile(
    r"^(Length must be between (\d+) and (\d+)|Shorter than minimum length (\d+)|Longer than maximum length (\d+))\.$"
)


def plain(field: str, message: str) -> str:
    """The API's English validation message in plain Dutch, for a person."""
    if (
        message in ("Missing data for required field.", "Field may not be null.")
        or (message.startswith("Length must be between 1 ") and not (request.form.get(field) or "").strip())
        or message.startswith("Shorter than minimum length")
    ):
        if field.startswith("option_") and field.endswith("_text"):
            return f"Vul de tekst van optie {field[7]} in."
        return EMPTY.get(field, "Vul dit veld in.")
    match = LENGTH.match(message)
    if match:
        most = match.group(3) or match.group(5)
        return f"Gebruik hoogstens {most} tekens."
    if message.startswith("Must be one of") or message.startswith("Must be equal to"):
        return "Kies een van de mogelijkheden."
    if message.startswith("Must be greater than or equal to") or message.startswith("Not a valid integer"):
        return "Vul een geldig getal in."
    if message == "Unknown field.":
        return "Dit veld kennen we niet."
    return message


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, inner in messages.items():
            for name, texts in _flatten(inner, f"{prefix}.{key}" if prefix else str(key)).items():
                flat.setdefault(name, []).extend(texts)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        name = _field_name(prefix or "_form")
        flat[name] = [plain(name, m) for m in messages]
    else:
        flat[_field_name(prefix or "_form")] = [str(messages)]
    return flat


WHOLE = re.compile(r"^\s*[0-9]{1,12}\s*$")


def whole_number(value: str) -> int | str:
    """A form's digits as the number the API's schemas expect (they refuse
    the string "90" as a JSON body would); anything else stays text, so the
    schema refuses it with its own message."""
    return int(value) if WHOLE.match(value or "") else value


def load(schema: ma.Schema, body: dict) -> dict:
    try:
        return schema.load(body)
    except ma.ValidationError as error:
        raise FormInvalid(_flatten(error.messages)) from None


def domain_errors(error: DomainError) -> dict[str, list[str]]:
    """A domain error's messages by form field; the rest under ``_form``."""
    errors = getattr(error, "errors", None)
    if errors:
        return _flatten(errors)
    field = error.extra.get("field")
    return {_field_name(field) if field else "_form": [error.detail]}


def dilemma_body(form: Mapping[str, str]) -> dict:
    """The editor's fields as the admin API's JSON body."""
    body = {
        "title": form.get("title", ""),
        "situation": form.get("situation", ""),
        "explanation": form.get("explanation", ""),
        "category": form.get("category", ""),
        "audience": form.get("audience", "iedereen"),
        "options": [
            {
                "text": form.get(f"option_{key}_text", ""),
                "alignment": form.get(f"option_{key}_alignment") or None,
                "feedback": form.get(f"option_{key}_feedback") or None,
            }
            for key in OPTION_KEYS
        ],
        "code_refs": request.form.getlist("code_refs"),
    }
    if form.get("organisation"):
        body["organisation"] = form["organisation"]
    return body


def new_dilemma(form: Mapping[str, str]) -> dict:
    return load(DilemmaIn(), dilemma_body(form))


def changed_dilemma(form: Mapping[str, str]) -> dict:
    body = dilemma_body(form)
    body.pop("organisation", None)
    return load(DilemmaPatch(), body)


def week(value: str):
    return load(ScheduleIn(), {"week": value})["week"]


def as_form(dilemma) -> dict[str, object]:
    """A dilemma's current revision as the editor's field values."""
    revision = dilemma.current
    values: dict[str, object] = {
        "title": revision.title,
        "situation": revision.situation,
        "explanation": revision.explanation,
        "category": dilemma.category.slug,
        "audience": dilemma.audience,
        "code_refs": [s.ref for s in revision.sections],
    }
    for option in revision.options:
        values[f"option_{option.key}_text"] = option.text
        values[f"option_{option.key}_alignment"] = option.alignment or ""
        values[f"option_{option.key}_feedback"] = option.feedback or ""
    return values


def posted_values(form: Mapping[str, str]) -> dict[str, object]:
    """What was typed, to show again beside the errors."""
    values: dict[str, object] = dict(form)
    values["code_refs"] = request.form.getlist("code_refs")
    return values
