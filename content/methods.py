"""Deliberation methods (content/methods/*.yaml): steps with a title, a
prompt for the lead and minutes per step. Checked with the rest of the
content and loaded idempotently on their slug."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dilemmas.model.deliberation import Method

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
STEP_FIELDS = {"title", "prompt", "minutes"}
MAX_STEPS = 12
MAX_MINUTES = 120


def read_methods(root: Path) -> tuple[list[tuple[str, Any]], list[tuple[str, str, str]]]:
    """The parsed method files and the files that cannot be read, as
    (file, field, message)."""
    methods, problems = [], []
    for path in sorted((root / "methods").glob("*.yaml")):
        file = str(path.relative_to(root))
        try:
            methods.append((file, yaml.safe_load(path.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append((file, "-", f"cannot be read: {error}"))
    return methods, problems


def method_problems(file: str, data: Any) -> list[tuple[str, str, str]]:
    """What is wrong with one method file, as (file, field, message)."""
    if not isinstance(data, dict):
        return [(file, "-", "must be a mapping")]
    problems = []
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug) or Path(file).stem != slug:
        problems.append((file, "slug", "must be lowercase letters, digits, dashes, and the file's name"))
    name = data.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 120:
        problems.append((file, "name", "is required: text of 1-120 characters"))
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        return [*problems, (file, "steps", f"must be a list of 1-{MAX_STEPS} steps")]
    for i, step in enumerate(steps):
        where = f"steps[{i}]"
        if not isinstance(step, dict) or set(step) != STEP_FIELDS:
            problems.append((file, where, f"must have exactly {', '.join(sorted(STEP_FIELDS))}"))
            continue
        if not isinstance(step["title"], str) or not 1 <= len(step["title"].strip()) <= 80:
            problems.append((file, f"{where}.title", "is required: text of 1-80 characters"))
        if not isinstance(step["prompt"], str) or not 20 <= len(step["prompt"].strip()) <= 600:
            problems.append((file, f"{where}.prompt", "is required: text of 20-600 characters"))
        minutes = step["minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            problems.append((file, f"{where}.minutes", f"must be a whole number of 1-{MAX_MINUTES}"))
    return problems


def load_methods(session: Session, methods: list[tuple[str, Any]]) -> int:
    """Write the methods (already checked); returns how many changed. Does
    not commit: the content load commits once."""
    changed = 0
    for _, data in methods:
        steps = [
            {"title": s["title"].strip(), "prompt": " ".join(s["prompt"].split()), "minutes": s["minutes"]}
            for s in data["steps"]
        ]
        row = session.get(Method, data["slug"])
        if row is None:
            session.add(Method(slug=data["slug"], name=data["name"].strip(), steps=steps))
            changed += 1
        elif row.name != data["name"].strip() or row.steps != steps:
            row.name, row.steps = data["name"].strip(), steps
            changed += 1
    return changed
