"""Read, check and load content: organisations, categories, the code of
conduct and the dilemma bank (format: content/FORMAT.md).

``check`` reports every problem with its file and field; ``load`` is
idempotent on stable slugs and refs: loading twice changes nothing, and an
edited dilemma file becomes a new revision of just that dilemma.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.methods import load_methods, method_problems, read_methods
from content.office_edits import (
    bundle_moved_on,
    dilemma_is_the_offices,
    section_bundle_moved_on,
    section_is_the_offices,
)
from dilemmas.errors import Conflict
from dilemmas.model.code import CodeChapter, CodeSection
from dilemmas.model.content import (
    ALIGNMENTS,
    AUDIENCES,
    OPTION_KEYS,
    OPTION_MAX,
    SITUATION_MAX,
    TITLE_MAX,
    Category,
    Dilemma,
)
from dilemmas.model.organisations import Organisation
from dilemmas.office import audit
from dilemmas.office.authoring import new_dilemma, revise
from dilemmas.office.codebook import record_version, revise_section
from dilemmas.reads.content import with_content

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SITUATION_MIN = 300
SECTION_MIN, SECTION_MAX = 150, 600
DILEMMA_FIELDS = {
    "slug",
    "organisation",
    "category",
    "audience",
    "title",
    "situation",
    "options",
    "explanation",
    "code_refs",
    "reviewed",
    "review_by",
    "expires",
}
OPTION_FIELDS = {"key", "text", "alignment", "feedback", "breaks"}
SECTION_FIELDS = {"ref", "title", "text", "checked", "review_by", "musts"}
MUST_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def bundled_path() -> Path:
    return Path(str(files("content")))


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class Bank:
    """Parsed content with the file each part came from."""

    root: Path
    organisations: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    codes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    dilemmas: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    methods: list[tuple[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.root))


def _read_yaml(bank: Bank, path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        bank.problems.append(Problem(bank.relative(path), "-", f"cannot be read: {error}"))
        return None


def read(root: Path | None = None) -> Bank:
    """Parse a content folder; unreadable files become problems."""
    root = Path(root) if root is not None else bundled_path()
    bank = Bank(root)
    if not root.is_dir():
        bank.problems.append(Problem(str(root), "-", "is not a folder"))
        return bank
    for name, key in (("organisations.yaml", "organisations"), ("categories.yaml", "categories")):
        data = _read_yaml(bank, root / name) if (root / name).exists() else None
        if isinstance(data, dict) and isinstance(data.get(key), list):
            setattr(bank, key, data[key])
        else:
            bank.problems.append(Problem(name, key, f"missing: the file must hold a list '{key}'"))
    for path in sorted((root / "code").glob("*.yaml")):
        data = _read_yaml(bank, path)
        if isinstance(data, dict):
            bank.codes.append((bank.relative(path), data))
        elif data is not None:
            bank.problems.append(Problem(bank.relative(path), "-", "must be a mapping"))
    for path in sorted((root / "dilemmas").glob("*/*.yaml")):
        data = _read_yaml(bank, path)
        if isinstance(data, dict):
            bank.dilemmas.append((bank.relative(path), data))
        elif data is not None:
            bank.problems.append(Problem(bank.relative(path), "-", "must be a mapping"))
    bank.methods, unreadable = read_methods(root)
    bank.problems.extend(Problem(*problem) for problem in unreadable)
    return bank


def _text(problems: list[Problem], file: str, where: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(file, where, "is required and must be text"))
    elif not low <= len(value.strip()) <= high:
        problems.append(Problem(file, where, f"has {len(value.strip())} characters; allowed {low}-{high}"))


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _must_problems(file: str, where: str, musts: Any) -> list[Problem]:
    """A section's ``musts``: a list of ``{id, text}``, the rules it states as
    a must, each short enough for an author to hold an option against."""
    if musts is None:
        return []
    if not isinstance(musts, list):
        return [Problem(file, where, "must be a list of {id, text}")]
    problems = []
    for m, must in enumerate(musts):
        if not isinstance(must, dict) or set(must) != {"id", "text"}:
            problems.append(Problem(file, f"{where}[{m}]", "must have exactly the fields id and text"))
            continue
        if not MUST_ID.match(str(must["id"])):
            problems.append(Problem(file, f"{where}[{m}].id", "must be lowercase letters, digits, dashes"))
        _text(problems, file, f"{where}[{m}].text", must["text"], 10, 160)
    return problems


def structural_problems(bank: Bank) -> list[Problem]:
    """Everything that would make loading wrong or impossible."""
    problems = list(bank.problems)
    for file, data in bank.methods:
        problems.extend(Problem(*problem) for problem in method_problems(file, data))
    org_slugs: dict[str, str | None] = {}
    for i, org in enumerate(bank.organisations):
        where = f"organisations[{i}]"
        if not isinstance(org, dict) or not SLUG.match(str(org.get("slug", ""))):
            problems.append(Problem("organisations.yaml", f"{where}.slug", "must be lowercase letters, digits, dashes"))
            continue
        org_slugs[org["slug"]] = org.get("parent")
        _text(problems, "organisations.yaml", f"{where}.name", org.get("name"), 1, 200)
        try:
            ZoneInfo(str(org.get("timezone", "Europe/Amsterdam")))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(Problem("organisations.yaml", f"{where}.timezone", "is not a known time zone"))
    for slug, parent in org_slugs.items():
        if parent is not None and parent not in org_slugs:
            problems.append(Problem("organisations.yaml", f"{slug}.parent", f"unknown organisation '{parent}'"))
    if org_slugs and sum(1 for p in org_slugs.values() if p is None) != 1:
        problems.append(Problem("organisations.yaml", "parent", "exactly one organisation must have no parent"))

    category_slugs = set()
    for i, category in enumerate(bank.categories):
        if not isinstance(category, dict) or not SLUG.match(str(category.get("slug", ""))):
            problems.append(
                Problem("categories.yaml", f"categories[{i}].slug", "must be lowercase letters, digits, dashes")
            )
            continue
        if category["slug"] in category_slugs:
            problems.append(Problem("categories.yaml", f"categories[{i}].slug", "is used twice"))
        category_slugs.add(category["slug"])
        _text(problems, "categories.yaml", f"categories[{i}].name", category.get("name"), 1, 120)

    refs_by_org: dict[str, set[str]] = {}
    for file, code in bank.codes:
        org = code.get("organisation")
        if org not in org_slugs:
            problems.append(Problem(file, "organisation", f"unknown organisation '{org}'"))
            continue
        chapters = code.get("chapters")
        if not isinstance(chapters, list) or not chapters:
            problems.append(Problem(file, "chapters", "must be a non-empty list"))
            continue
        for c, chapter in enumerate(chapters):
            where = f"chapters[{c}]"
            if not isinstance(chapter, dict):
                problems.append(Problem(file, where, "must be a mapping"))
                continue
            _text(problems, file, f"{where}.number", chapter.get("number"), 1, 8)
            _text(problems, file, f"{where}.title", chapter.get("title"), 1, 200)
            for s, section in enumerate(chapter.get("sections") or []):
                swhere = f"{where}.sections[{s}]"
                if not isinstance(section, dict):
                    problems.append(Problem(file, swhere, "must be a mapping"))
                    continue
                ref = section.get("ref")
                if not isinstance(ref, str) or not re.match(r"^[A-Z0-9]+(\.[0-9]+)*$", ref):
                    problems.append(Problem(file, f"{swhere}.ref", "must look like '4.1' or 'D.1'"))
                    continue
                if any(ref in refs for refs in refs_by_org.values()):
                    problems.append(Problem(file, f"{swhere}.ref", f"'{ref}' is used twice"))
                refs_by_org.setdefault(org, set()).add(ref)
                _text(problems, file, f"{swhere}.title", section.get("title"), 1, 200)
                _text(problems, file, f"{swhere}.text", section.get("text"), SECTION_MIN, SECTION_MAX)
                for unknown in sorted(set(section) - SECTION_FIELDS):
                    problems.append(Problem(file, f"{swhere}.{unknown}", "is not a known field"))
                for name in ("checked", "review_by"):
                    if name in section and not _is_date(section[name]):
                        problems.append(Problem(file, f"{swhere}.{name}", "must be a date (YYYY-MM-DD)"))
                problems += _must_problems(file, f"{swhere}.musts", section.get("musts"))

    def visible_refs(org: str) -> set[str]:
        refs, seen = set(), set()
        while org is not None and org not in seen:
            seen.add(org)
            refs |= refs_by_org.get(org, set())
            org = org_slugs.get(org)
        return refs

    slugs: set[str] = set()
    for file, dilemma in bank.dilemmas:
        for unknown in sorted(set(dilemma) - DILEMMA_FIELDS):
            problems.append(Problem(file, unknown, "is not a known field"))
        slug = dilemma.get("slug")
        if not isinstance(slug, str) or not SLUG.match(slug):
            problems.append(Problem(file, "slug", "must be lowercase letters, digits, dashes"))
        else:
            if Path(file).stem != slug:
                problems.append(Problem(file, "slug", f"'{slug}' must equal the file name"))
            if slug in slugs:
                problems.append(Problem(file, "slug", f"'{slug}' is used twice"))
            slugs.add(slug)
        org = dilemma.get("organisation")
        if org not in org_slugs:
            problems.append(Problem(file, "organisation", f"unknown organisation '{org}'"))
        elif Path(file).parent.name != org:
            problems.append(Problem(file, "organisation", f"'{org}' must equal the folder name"))
        if dilemma.get("category") not in category_slugs:
            problems.append(Problem(file, "category", f"unknown category '{dilemma.get('category')}'"))
        if dilemma.get("audience", "iedereen") not in AUDIENCES:
            problems.append(Problem(file, "audience", f"must be one of {', '.join(AUDIENCES)}"))
        _text(problems, file, "title", dilemma.get("title"), 1, TITLE_MAX)
        _text(problems, file, "situation", dilemma.get("situation"), SITUATION_MIN, SITUATION_MAX)
        _text(problems, file, "explanation", dilemma.get("explanation"), 1, 4000)
        for name in ("reviewed", "review_by", "expires"):
            if name in dilemma and not _is_date(dilemma[name]):
                problems.append(Problem(file, name, "must be a date (YYYY-MM-DD)"))
        options = dilemma.get("options")
        if not isinstance(options, list) or len(options) != 4:
            problems.append(Problem(file, "options", "must be exactly four options"))
        else:
            texts = set()
            for o, option in enumerate(options):
                where = f"options[{o}]"
                if not isinstance(option, dict):
                    problems.append(Problem(file, where, "must be a mapping"))
                    continue
                for unknown in sorted(set(option) - OPTION_FIELDS):
                    problems.append(Problem(file, f"{where}.{unknown}", "is not a known field"))
                if option.get("key") != OPTION_KEYS[o]:
                    problems.append(Problem(file, f"{where}.key", f"must be '{OPTION_KEYS[o]}'"))
                _text(problems, file, f"{where}.text", option.get("text"), 1, OPTION_MAX)
                normalised = " ".join(str(option.get("text", "")).lower().split())
                if normalised in texts:
                    problems.append(Problem(file, f"{where}.text", "repeats another option"))
                texts.add(normalised)
                if option.get("alignment") is not None and option["alignment"] not in ALIGNMENTS:
                    problems.append(Problem(file, f"{where}.alignment", f"must be one of {', '.join(ALIGNMENTS)}"))
                if option.get("feedback") is not None and not isinstance(option["feedback"], str):
                    problems.append(Problem(file, f"{where}.feedback", "must be text"))
                breaks = option.get("breaks", [])
                if not isinstance(breaks, list) or not all(isinstance(b, str) and MUST_ID.match(b) for b in breaks):
                    problems.append(Problem(file, f"{where}.breaks", "must be a list of must ids"))
        refs = dilemma.get("code_refs")
        if not isinstance(refs, list) or not refs:
            problems.append(Problem(file, "code_refs", "must be a non-empty list of section refs"))
        elif org in org_slugs:
            known = visible_refs(org)
            for ref in refs:
                if str(ref) not in known:
                    problems.append(Problem(file, "code_refs", f"'{ref}' is not a section of the code of '{org}'"))
    return problems


# ---------------------------------------------------------------- loading


OFFICE_REVISED = "revised by the office; the newer bundled text was not loaded (compare it in the console)"


@dataclass
class LoadReport:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    sections_changed: int = 0
    # Dilemmas and sections the office has revised: never overwritten.
    kept: int = 0
    skipped: list[Problem] = field(default_factory=list)


def load(session: Session, bank: Bank, now: datetime, actor: str = "content") -> LoadReport:
    """Load a bank that has no structural problems (ValueError otherwise)."""
    problems = structural_problems(bank)
    if problems:
        raise ValueError("content has problems:\n" + "\n".join(map(str, problems)))
    report = LoadReport()
    load_methods(session, bank.methods)

    organisations = {o.slug: o for o in session.scalars(select(Organisation))}
    pending = list(bank.organisations)
    while pending:
        org = next(o for o in pending if o.get("parent") is None or o["parent"] in organisations)
        pending.remove(org)
        row = organisations.get(org["slug"]) or Organisation(slug=org["slug"])
        row.name = org["name"]
        row.parent = organisations.get(org.get("parent")) if org.get("parent") else None
        row.timezone = org.get("timezone", "Europe/Amsterdam")
        row.contacts = org.get("contacts") or {}
        row.links = org.get("links") or []
        session.add(row)
        organisations[row.slug] = row
    session.flush()

    categories = {c.slug: c for c in session.scalars(select(Category))}
    for position, category in enumerate(bank.categories):
        row = categories.get(category["slug"]) or Category(slug=category["slug"])
        row.name, row.name_en, row.position = category["name"], category.get("name_en"), position
        session.add(row)
        categories[row.slug] = row

    sections = {s.ref: s for s in session.scalars(select(CodeSection))}
    chapters = {(c.organisation_id, c.number): c for c in session.scalars(select(CodeChapter))}
    for file, code in bank.codes:
        organisation = organisations[code["organisation"]]
        for c_position, chapter in enumerate(code["chapters"]):
            number = str(chapter["number"])
            chapter_row = chapters.get((organisation.id, number)) or CodeChapter(
                organisation_id=organisation.id, number=number
            )
            chapter_row.title, chapter_row.position = chapter["title"], c_position
            session.add(chapter_row)
            session.flush()
            chapters[(organisation.id, number)] = chapter_row
            for s_position, section in enumerate(chapter.get("sections") or []):
                row = sections.get(section["ref"])
                if row is None:
                    row = CodeSection(
                        ref=section["ref"],
                        title=section["title"].strip(),
                        text=section["text"].strip(),
                        version=1,
                        updated_at=now,
                        versions=[],
                    )
                    record_version(row, actor, now)
                    sections[row.ref] = row
                elif section_is_the_offices(row, actor):
                    report.kept += 1
                    if section_bundle_moved_on(row, actor, section["title"], section["text"]):
                        report.skipped.append(Problem(file, section["ref"], OFFICE_REVISED))
                elif revise_section(session, row, actor, now, section["title"], section["text"]) is not None:
                    report.sections_changed += 1
                row.chapter_id, row.organisation_id, row.position = chapter_row.id, organisation.id, s_position
                session.add(row)
    session.flush()

    existing = {d.slug: d for d in session.scalars(select(Dilemma))}
    loaded = with_content(session, [d.id for d in existing.values()])
    positions: dict[str, int] = {}
    for file, data in bank.dilemmas:
        organisation = organisations[data["organisation"]]
        position = positions.get(organisation.slug, 0)
        positions[organisation.slug] = position + 1
        dilemma = loaded.get(existing[data["slug"]].id) if data["slug"] in existing else None
        audience = data.get("audience", "iedereen")
        if dilemma is None:
            dilemma = new_dilemma(
                session, organisation, data["slug"], data["category"], audience, "approved", actor, now, data, position
            )
            report.created += 1
            action = "content.create"
        elif dilemma_is_the_offices(session, dilemma, actor):
            report.kept += 1
            if bundle_moved_on(dilemma, actor, data):
                report.skipped.append(Problem(file, "-", OFFICE_REVISED))
            continue
        else:
            try:
                with session.begin_nested():
                    revision = revise(session, dilemma, actor, now, data)
            except Conflict:
                report.skipped.append(
                    Problem(file, "options", "the dilemma has answers; its options can no longer change")
                )
                continue
            dilemma.category = categories[data["category"]]
            dilemma.audience, dilemma.bank_position = audience, position
            if revision is None:
                report.unchanged += 1
                continue
            session.flush()
            report.revised += 1
            action = "content.revise"
        audit.record(
            session,
            now,
            actor,
            action,
            "dilemma",
            dilemma.id,
            organisation.id,
            slug=dilemma.slug,
            revision=dilemma.current.number,
        )
    session.commit()
    return report
