"""What a good bank is: the numbers ``kompas content check`` enforces on
top of the format, the coverage table it prints, and the originality check
against the source documents (never copy a sentence from them)."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from content.loader import Bank, Problem

MINIMUM_DILEMMAS = {"rijk": 52, "douane": 12}
CHAPTERS_COVERED = ("3", "4", "5", "6", "7", "8")
MINIMUM_PER_CHAPTER = 4
MINIMUM_MANAGERS = 6
MINIMUM_TOPICAL = 4
MINIMUM_SUPPLEMENT_SECTIONS = {"douane": 6}
SHINGLE = 8  # words in a row that may not be shared with a source


@dataclass
class Coverage:
    per_organisation: Counter = field(default_factory=Counter)
    per_chapter: Counter = field(default_factory=Counter)
    per_audience: Counter = field(default_factory=Counter)
    per_category: Counter = field(default_factory=Counter)
    one_aligned: int = 0
    several_open: int = 0  # two or more options grey or aligned
    none_aligned: int = 0
    total: int = 0

    def table(self) -> str:
        """The coverage as a plain-text table."""
        rows = [("dilemmas", "", str(self.total))]
        rows += [("organisation", k, str(v)) for k, v in sorted(self.per_organisation.items())]
        rows += [("chapter", k, str(v)) for k, v in sorted(self.per_chapter.items())]
        rows += [("audience", k, str(v)) for k, v in sorted(self.per_audience.items())]
        rows += [("category", k, str(v)) for k, v in sorted(self.per_category.items())]
        rows += [
            ("alignment", "exactly one aligned", f"{self.one_aligned} (at most {self.total // 2})"),
            ("alignment", "two or more grey/aligned", f"{self.several_open} (at least {-(-self.total // 4)})"),
            ("alignment", "no aligned option", str(self.none_aligned)),
        ]
        width = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(f"{a:<{width[0]}}  {b:<{width[1]}}  {c}" for a, b, c in rows)


def coverage(bank: Bank) -> Coverage:
    result = Coverage()
    for _, dilemma in bank.dilemmas:
        result.total += 1
        result.per_organisation[str(dilemma.get("organisation"))] += 1
        result.per_audience[str(dilemma.get("audience", "iedereen"))] += 1
        result.per_category[str(dilemma.get("category"))] += 1
        for chapter in {str(ref).split(".")[0] for ref in dilemma.get("code_refs") or []}:
            result.per_chapter[chapter] += 1
        marks = Counter(o.get("alignment") for o in dilemma.get("options") or [] if isinstance(o, dict))
        result.one_aligned += marks["aligned"] == 1
        result.none_aligned += marks["aligned"] == 0
        result.several_open += marks["aligned"] + marks["grey"] >= 2
    return result


def bank_problems(bank: Bank, seen: Coverage) -> list[Problem]:
    """The numbers of the content issue: counts, coverage, alignment mix,
    and complete options on every dilemma."""
    problems = []
    for organisation, minimum in MINIMUM_DILEMMAS.items():
        if seen.per_organisation[organisation] < minimum:
            problems.append(
                Problem(
                    f"dilemmas/{organisation}",
                    "count",
                    f"{seen.per_organisation[organisation]} dilemmas; at least {minimum} needed",
                )
            )
    for chapter in CHAPTERS_COVERED:
        if seen.per_chapter[chapter] < MINIMUM_PER_CHAPTER:
            problems.append(
                Problem(
                    "dilemmas",
                    f"chapter {chapter}",
                    f"{seen.per_chapter[chapter]} dilemmas refer to it; at least {MINIMUM_PER_CHAPTER} needed",
                )
            )
    if seen.per_audience["leidinggevenden"] < MINIMUM_MANAGERS:
        problems.append(Problem("dilemmas", "audience", f"at least {MINIMUM_MANAGERS} for leidinggevenden needed"))
    if seen.per_category["actualiteit"] < MINIMUM_TOPICAL:
        problems.append(Problem("dilemmas", "category", f"at least {MINIMUM_TOPICAL} in actualiteit needed"))
    if seen.one_aligned * 2 > seen.total:
        problems.append(Problem("dilemmas", "alignment", "more than half have exactly one aligned option"))
    if seen.several_open * 4 < seen.total:
        problems.append(Problem("dilemmas", "alignment", "under a quarter have two or more grey or aligned options"))
    for file, dilemma in bank.dilemmas:
        for index, option in enumerate(dilemma.get("options") or []):
            if isinstance(option, dict) and not option.get("alignment"):
                problems.append(Problem(file, f"options[{index}].alignment", "is required in the bank"))
            if isinstance(option, dict) and not str(option.get("feedback") or "").strip():
                problems.append(Problem(file, f"options[{index}].feedback", "is required in the bank"))
    for file, code in bank.codes:
        minimum = MINIMUM_SUPPLEMENT_SECTIONS.get(code.get("organisation"))
        count = sum(len(c.get("sections") or []) for c in code.get("chapters") or [] if isinstance(c, dict))
        if minimum and count < minimum:
            problems.append(Problem(file, "chapters", f"{count} sections; the supplement needs at least {minimum}"))
    return problems


def default_sources() -> Path:
    """``../shared/sources`` beside the checkout, or KOMPAS_SOURCES_DIR."""
    configured = os.environ.get("KOMPAS_SOURCES_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "sources"


# Every run of SHINGLE words of the source documents, hashed: the check runs
# on every checkout without the sources, and the file holds no sentence of
# them. ``kompas content fingerprint`` writes it.
FINGERPRINTS = Path(__file__).resolve().parent / "sources.fingerprints"
FINGERPRINTED = "the source documents (fingerprints)"


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.casefold())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _fingerprint(shingle: tuple[str, ...]) -> str:
    # 64 bits: a chance collision among ~20,000 runs is about 1 in 10^10.
    return hashlib.sha256(" ".join(shingle).encode()).hexdigest()[:16]


def _source_fingerprints(sources: Path):
    """(document name, fingerprint) for every run of words in the documents."""
    for path in sorted(sources.iterdir()):
        if path.is_file():
            for shingle in _shingles(_words(path.read_text(encoding="utf-8", errors="replace"))):
                yield path.name, _fingerprint(shingle)


def write_fingerprints(sources: Path, target: Path | None = None) -> int:
    """Write the sorted fingerprints of the documents in ``sources`` (to the
    bundled file unless ``target``)."""
    target = target or FINGERPRINTS
    prints = sorted({fingerprint for _, fingerprint in _source_fingerprints(sources)})
    target.write_text("\n".join(prints) + "\n", encoding="ascii")
    return len(prints)


def _taken(sources: Path | None) -> dict[str, str]:
    """Fingerprint -> where it comes from: the documents in ``sources`` when
    that folder exists, else the bundled fingerprints."""
    if sources is not None and sources.is_dir():
        taken: dict[str, str] = {}
        for name, fingerprint in _source_fingerprints(sources):
            taken.setdefault(fingerprint, name)
        return taken
    return dict.fromkeys(FINGERPRINTS.read_text(encoding="ascii").split(), FINGERPRINTED)


def _texts(value, where: str):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts(inner, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _texts(inner, f"{where}[{index}]")


def originality_problems(bank: Bank, sources: Path | None = None) -> list[Problem]:
    """Every text field that shares a run of eight or more words with a
    source document: the documents in ``sources`` when that folder exists,
    else their bundled fingerprints."""
    taken = _taken(sources)
    problems = []
    documents = [(file, data) for file, data in bank.codes] + list(bank.dilemmas)
    for file, data in documents:
        for where, text in _texts(data, ""):
            shared = [s for s in _shingles(_words(text)) if _fingerprint(s) in taken]
            if shared:
                problems.append(
                    Problem(
                        file,
                        where,
                        f"shares '{' '.join(shared[0])}' with {taken[_fingerprint(shared[0])]}: write it anew",
                    )
                )
    return problems
