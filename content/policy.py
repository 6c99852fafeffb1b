"""What a good bank is: the numbers ``kompas content check`` enforces on
top of the format and the coverage table it prints. The rules on the
options and dates live in ``content.rules``, the guesser in
``content.guesser``, the originality check in ``content.originality``; this
module is the one the command calls."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from content import guesser
from content.loader import Bank, Problem
from content.originality import (  # noqa: F401 (the command and the tests reach them here)
    FINGERPRINTED,
    FINGERPRINTS,
    PARAPHRASES,
    SHINGLE,
    _copy_problems,
    default_sources,
    originality_problems,
    paraphrase_problems,
    write_fingerprints,
    write_paraphrases,
)
from content.rules import (  # noqa: F401
    KEYS,
    LENGTH_MARGIN,
    POSITION_SHARE,
    REASON,
    _options,
    date_problems,
    gives_reason,
    guess_problems,
    length_problems,
    must_problems,
    musts,
    one_answer_problems,
    position_problems,
    reason_problems,
    review_problems,
    rule_problems,
    sentence_problems,
)

MINIMUM_DILEMMAS = {"rijk": 60, "douane": 16}
MINIMUM_TOTAL = 80
CHAPTERS_COVERED = ("3", "4", "5", "6", "7", "8")
MINIMUM_PER_CHAPTER = 4
MINIMUM_MANAGERS = 12
MINIMUM_TOPICAL = 4
MINIMUM_PER_CATEGORY = 3
MINIMUM_SUPPLEMENT_SECTIONS = {"douane": 6}


@dataclass
class Coverage:
    per_organisation: Counter = field(default_factory=Counter)
    per_chapter: Counter = field(default_factory=Counter)
    per_audience: Counter = field(default_factory=Counter)
    per_category: Counter = field(default_factory=Counter)
    per_position: Counter = field(default_factory=Counter)  # aligned marks per option key
    per_review_month: Counter = field(default_factory=Counter)  # review_by dates per YYYY-MM
    longest_aligned: int = 0  # dilemmas whose longest option is aligned
    shortest_aligned: int = 0
    one_aligned: int = 0
    several_open: int = 0  # two or more options grey or aligned
    none_aligned: int = 0
    total: int = 0
    guessed_aligned: guesser.GuessRate | None = None
    guessed_conflicts: guesser.GuessRate | None = None
    overdue: list[str] = field(default_factory=list)  # "file (review_by)" past their review date

    def table(self) -> str:
        """The coverage as a plain-text table."""
        rows = [("dilemmas", "", str(self.total))]
        rows += [("organisation", k, str(v)) for k, v in sorted(self.per_organisation.items())]
        rows += [("chapter", k, str(v)) for k, v in sorted(self.per_chapter.items())]
        rows += [("audience", k, str(v)) for k, v in sorted(self.per_audience.items())]
        rows += [("category", k, str(v)) for k, v in sorted(self.per_category.items())]
        marks = sum(self.per_position.values())
        rows += [
            ("aligned at", key, f"{self.per_position[key]} of {marks} (at most {int(marks * POSITION_SHARE)})")
            for key in KEYS
        ]
        rows += [
            ("option length", "longest is aligned", str(self.longest_aligned)),
            ("option length", "shortest is aligned", str(self.shortest_aligned)),
        ]
        rows += [
            ("alignment", "exactly one aligned", str(self.one_aligned)),
            ("alignment", "two or more grey/aligned", f"{self.several_open} (at least {-(-self.total // 4)})"),
            ("alignment", "no aligned option", str(self.none_aligned)),
        ]
        for name, rate in (("finds aligned", self.guessed_aligned), ("finds conflicts", self.guessed_conflicts)):
            if rate is not None:
                rows.append(("guesser", name, rate.line()))
        items = sum(self.per_review_month.values())
        rows += [
            ("review by", month, f"{count} (at most {items // 6})")
            for month, count in sorted(self.per_review_month.items())
        ]
        rows.append(("review by", "past due", str(len(self.overdue))))
        rows += [("review by", "past due", item) for item in self.overdue]
        width = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(f"{a:<{width[0]}}  {b:<{width[1]}}  {c}" for a, b, c in rows)


def coverage(bank: Bank, today: date | None = None) -> Coverage:
    """The bank's numbers, the guesser's rates, and what is past its review date."""
    today = today or date.today()
    result = Coverage()
    for _, dilemma in bank.dilemmas:
        result.total += 1
        result.per_organisation[str(dilemma.get("organisation"))] += 1
        result.per_audience[str(dilemma.get("audience", "iedereen"))] += 1
        result.per_category[str(dilemma.get("category"))] += 1
        for chapter in {str(ref).split(".")[0] for ref in dilemma.get("code_refs") or []}:
            result.per_chapter[chapter] += 1
        marks = Counter(o.get("alignment") for o in dilemma.get("options") or [] if isinstance(o, dict))
        for option in _options(dilemma):
            if option.get("alignment") == "aligned":
                result.per_position[str(option.get("key"))] += 1
        if _options(dilemma):
            by_length = sorted(_options(dilemma), key=lambda o: len(str(o.get("text", ""))))
            result.longest_aligned += by_length[-1].get("alignment") == "aligned"
            result.shortest_aligned += by_length[0].get("alignment") == "aligned"
        result.one_aligned += marks["aligned"] == 1
        result.none_aligned += marks["aligned"] == 0
        result.several_open += marks["aligned"] + marks["grey"] >= 2
    for where, due in review_dates(bank):
        result.per_review_month[f"{due:%Y-%m}"] += 1
        if due < today:
            result.overdue.append(f"{where} ({due})")
    result.guessed_aligned, result.guessed_conflicts = guesser.guess([d for _, d in bank.dilemmas])
    return result


def review_dates(bank: Bank) -> list[tuple[str, date]]:
    """(where, review_by) for every dilemma and code section that has one."""
    found = [(file, d["review_by"]) for file, d in bank.dilemmas if isinstance(d.get("review_by"), date)]
    for file, code in bank.codes:
        for chapter in code.get("chapters") or []:
            for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
                if isinstance(section, dict) and isinstance(section.get("review_by"), date):
                    found.append((f"{file}#{section.get('ref')}", section["review_by"]))
    return found


def bank_problems(bank: Bank, seen: Coverage, today: date | None = None, strict: bool = False) -> list[Problem]:
    """The numbers of the content issue: counts, coverage, alignment mix,
    and complete options on every dilemma; then the rules (see
    ``rules.rule_problems``), the guesser's rates in ``seen``, and the review
    dates. Past a ``review_by`` date is a problem only when ``strict`` (the
    office's mode): otherwise the table reports it and CI stays green when
    only the calendar moved."""
    today = today or date.today()
    problems = _number_problems(bank, seen)
    problems += rule_problems(bank, today)
    problems += guess_problems(seen.guessed_aligned, seen.guessed_conflicts)
    problems += review_problems(bank, today, strict=strict)
    return problems


def _number_problems(bank: Bank, seen: Coverage) -> list[Problem]:
    problems = []
    if seen.total < MINIMUM_TOTAL:
        problems.append(Problem("dilemmas", "count", f"{seen.total} dilemmas; at least {MINIMUM_TOTAL} needed"))
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
    for category in bank.categories:
        slug = category.get("slug") if isinstance(category, dict) else None
        if slug and seen.per_category[slug] < MINIMUM_PER_CATEGORY:
            problems.append(
                Problem("dilemmas", "category", f"{slug}: {seen.per_category[slug]}; at least {MINIMUM_PER_CATEGORY}")
            )
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
