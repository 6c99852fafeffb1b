"""Forms of the console, read with the admin API's own schemas so that a
field the API refuses is refused here with the same message, and domain
errors turned into messages beside their fields."""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from flask import request

from api.admin_dilemmas import DilemmaIn, DilemmaPatch, ScheduleIn
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


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, inner in messages.items():
            for name, texts in _flatten(inner, f"{prefix}.{key}" if prefix else str(key)).items():
                flat.setdefault(name, []).extend(texts)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[_field_name(prefix or "_form")] = list(messages)
    else:
        flat[_field_name(prefix or "_form")] = [str(messages)]
    return flat


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
