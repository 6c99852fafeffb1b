"""The rules that keep the bank honest, beyond the format and the counts:
no guessable position or length, no argued option among bare ones, no
one-answer tests, no open option that breaks a must of the code, dates that
bring texts back for review, and a label-blind guesser that stays near
chance."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from content.guesser import GuessRate
from content.loader import Bank, Problem

KEYS = ("A", "B", "C", "D")
# No option position may hold more than this share of the aligned marks, in
# the whole bank and in each organisation with at least SPREAD_FROM dilemmas.
POSITION_SHARE = 1 / 3
SPREAD_FROM = 12
# Nor may the length of an option give the answer away: picking the longest
# (or the shortest) may hit an aligned option at most this much more often
# than picking at random, over banks of at least LENGTH_FROM dilemmas.
LENGTH_MARGIN = 0.10
LENGTH_FROM = 8
# How long a text stays trusted before someone must hold it against the law
# and the code again, and how long a topical dilemma may live at most.
SECTION_CHECK_DAYS = 2 * 366
DILEMMA_REVIEW_DAYS = 2 * 366
TOPICAL_DAYS = 366
# A reason in an option: "want", "omdat", "zodat", "aangezien", "doordat",
# "om ... te" (at most six words apart), or a clause after a semicolon or a
# second sentence ("Je doet niets; het is maar een gerucht", "Je zegt niets.
# Het is voorbij."). Either every option of a dilemma gives one or none does:
# otherwise the argued option gives itself away.
REASON = re.compile(
    r"\b(want|omdat|zodat|aangezien|doordat)\b|\bom\b(\s+\S+){0,6}?\s+te\b|;\s*\w|[.!?]\s+\w", re.IGNORECASE
)


def _options(dilemma: dict) -> list[dict]:
    return [o for o in dilemma.get("options") or [] if isinstance(o, dict)]


def rule_problems(bank: Bank, today: date) -> list[Problem]:
    """The rules that keep the bank honest: no guessable position, no
    argued option among bare ones, no one-answer tests, no open option that
    breaks a must of the code, and dates that make texts come back for review."""
    return (
        position_problems(bank)
        + length_problems(bank)
        + reason_problems(bank)
        + one_answer_problems(bank)
        + must_problems(bank)
        + date_problems(bank, today)
        + sentence_problems(bank)
    )


def position_problems(bank: Bank) -> list[Problem]:
    """No option key holds more than a third of the aligned marks, in the
    whole bank and in each organisation large enough to count."""
    groups: dict[str, list[dict]] = {"dilemmas": [d for _, d in bank.dilemmas]}
    for _, dilemma in bank.dilemmas:
        groups.setdefault(f"dilemmas/{dilemma.get('organisation')}", []).append(dilemma)
    problems = []
    for where, dilemmas in groups.items():
        if where != "dilemmas" and len(dilemmas) < SPREAD_FROM:
            continue
        at = Counter(str(o.get("key")) for d in dilemmas for o in _options(d) if o.get("alignment") == "aligned")
        total = sum(at.values())
        for key in KEYS:
            if total and at[key] > total * POSITION_SHARE:
                problems.append(
                    Problem(
                        where,
                        "aligned position",
                        f"{key} holds {at[key]} of {total} aligned options; at most a third may sit on one key",
                    )
                )
    return problems


def length_problems(bank: Bank) -> list[Problem]:
    """Picking the longest (or the shortest) option may not find the aligned
    one clearly more often than picking at random: at most LENGTH_MARGIN
    above the share of aligned options in the bank."""
    dilemmas = [d for _, d in bank.dilemmas if len(_options(d)) == 4]
    options = [o for d in dilemmas for o in _options(d)]
    if len(dilemmas) < LENGTH_FROM:
        return []
    base = sum(o.get("alignment") == "aligned" for o in options) / len(options)
    problems = []
    for name, pick in (("longest", max), ("shortest", min)):
        hits = sum(
            pick(_options(d), key=lambda o: len(str(o.get("text", "")))).get("alignment") == "aligned" for d in dilemmas
        )
        if hits / len(dilemmas) > base + LENGTH_MARGIN:
            problems.append(
                Problem(
                    "dilemmas",
                    "option length",
                    f"the {name} option is the aligned one in {hits} of {len(dilemmas)} dilemmas; "
                    f"at most {int((base + LENGTH_MARGIN) * len(dilemmas))} (aligned options are {base:.0%} of all)",
                )
            )
    return problems


def gives_reason(text: str) -> bool:
    """Whether an option's text argues for itself ("want", "omdat", "om ... te")."""
    return bool(REASON.search(text))


def reason_problems(bank: Bank) -> list[Problem]:
    """Per dilemma, a reason in all four option texts or in none."""
    problems = []
    for file, dilemma in bank.dilemmas:
        options = _options(dilemma)
        argued = [str(o.get("key")) for o in options if gives_reason(str(o.get("text", "")))]
        if argued and len(argued) != len(options):
            problems.append(
                Problem(
                    file,
                    "options",
                    f"only {', '.join(argued)} give a reason (want, omdat, zodat, om ... te, ; or a second sentence): "
                    "give one in all four or none",
                )
            )
    return problems


def one_answer_problems(bank: Bank) -> list[Problem]:
    """A dilemma needs at least two options that reasonable colleagues could
    defend (aligned or grey); with one it is a test, not a dilemma."""
    problems = []
    for file, dilemma in bank.dilemmas:
        open_ = [o for o in _options(dilemma) if o.get("alignment") in ("aligned", "grey")]
        if len(open_) < 2:
            problems.append(Problem(file, "options", "only one option is aligned or grey: a test, not a dilemma"))
    return problems


def musts(bank: Bank) -> dict[str, tuple[str, str, str]]:
    """Must id -> (section ref, organisation, text) over every code file."""
    found = {}
    for _, code in bank.codes:
        for chapter in code.get("chapters") or []:
            for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
                if not isinstance(section, dict):
                    continue
                for must in section.get("musts") or []:
                    if isinstance(must, dict):
                        found[str(must.get("id"))] = (
                            str(section.get("ref")),
                            str(code.get("organisation")),
                            str(must.get("text")),
                        )
    return found


def must_problems(bank: Bank) -> list[Problem]:
    """The musts of the code against the options that declare them broken.

    A section lists the rules it states as a must (``musts``); an option
    lists the musts it breaks (``breaks``). An option that breaks a must is
    marked ``conflicts``, never ``grey`` or ``aligned``; a must it names
    exists and belongs to a section the dilemma refers to (so the employee
    reads it); and every option of a dilemma that refers to a section with
    musts declares ``breaks`` (an empty list: it breaks none), so an author
    cannot skip the question.
    """
    known = musts(bank)
    problems = []
    seen_ids: dict[str, str] = {}
    for file, code in bank.codes:
        for chapter in code.get("chapters") or []:
            for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
                for must in (section.get("musts") or []) if isinstance(section, dict) else []:
                    if not isinstance(must, dict):
                        continue
                    if must.get("id") in seen_ids:
                        problems.append(Problem(file, f"{section.get('ref')}.musts", f"'{must['id']}' is used twice"))
                    seen_ids[must.get("id")] = file
    with_musts = {ref for ref, _, _ in known.values()}
    for file, dilemma in bank.dilemmas:
        refs = {str(r) for r in dilemma.get("code_refs") or []}
        declare = bool(refs & with_musts)
        for index, option in enumerate(_options(dilemma)):
            where = f"options[{index}].breaks"
            if declare and "breaks" not in option:
                problems.append(
                    Problem(file, where, "is required: the dilemma refers to a section with musts ([] if none)")
                )
            for must in option.get("breaks") or []:
                if must not in known:
                    problems.append(Problem(file, where, f"'{must}' is not a must of the code"))
                    continue
                ref, _, text = known[must]
                if ref not in refs:
                    problems.append(Problem(file, where, f"'{must}' belongs to {ref}, which code_refs lacks"))
                if option.get("alignment") in ("aligned", "grey"):
                    problems.append(
                        Problem(
                            file,
                            f"options[{index}].alignment",
                            f"is {option['alignment']} but the option breaks '{must}' ({ref}: {text}): "
                            "mark it conflicts or change the option",
                        )
                    )
    return problems


def date_problems(bank: Bank, today: date) -> list[Problem]:
    """Every code section says when its text was last checked, every dilemma
    when it was last reviewed; neither may be older than two years; topical
    dilemmas (``actualiteit``) carry an expiry date within a year of their
    review, and the check fails once it has passed."""
    problems = []
    for file, code in bank.codes:
        for chapter in code.get("chapters") or []:
            for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
                if not isinstance(section, dict):
                    continue
                where = f"{section.get('ref')}.checked"
                checked = section.get("checked")
                if not isinstance(checked, date):
                    problems.append(Problem(file, where, "is required: the date the text was last checked"))
                elif checked > today:
                    problems.append(Problem(file, where, f"{checked} lies in the future"))
                elif today - checked > timedelta(days=SECTION_CHECK_DAYS):
                    problems.append(Problem(file, where, f"{checked} is over two years ago: check the text again"))
    for file, dilemma in bank.dilemmas:
        reviewed = dilemma.get("reviewed")
        if not isinstance(reviewed, date):
            problems.append(Problem(file, "reviewed", "is required: the date the dilemma was last reviewed"))
            reviewed = None
        elif reviewed > today:
            problems.append(Problem(file, "reviewed", f"{reviewed} lies in the future"))
        elif today - reviewed > timedelta(days=DILEMMA_REVIEW_DAYS):
            problems.append(Problem(file, "reviewed", f"{reviewed} is over two years ago: review it again"))
        expires = dilemma.get("expires")
        if dilemma.get("category") == "actualiteit" and not isinstance(expires, date):
            problems.append(Problem(file, "expires", "is required for actualiteit: topical dilemmas expire"))
        if isinstance(expires, date):
            if expires <= today:
                problems.append(Problem(file, "expires", f"expired on {expires}: update it or retire it"))
            if reviewed and not reviewed < expires <= reviewed + timedelta(days=TOPICAL_DAYS):
                problems.append(Problem(file, "expires", "must lie within a year after reviewed"))
    return problems


# ---------------------------------------------------------------- third edition

# B1: a sentence of the explanation or the feedback stays under this many
# words. Situations tell a story and may run longer.
SENTENCE_WORDS = 22
REVIEW_SHARE = 1 / 6  # no calendar month may hold more of the review dates
REVIEW_SPREAD_FROM = 12  # items with a review date before the spread counts


def guess_problems(aligned: GuessRate | None, conflicts: GuessRate | None) -> list[Problem]:
    """The guesser's cross-validated rates (``content.guesser``) against
    chance: a reader who finds the answer from the wording alone makes the
    bank measure what people think they should say."""
    problems = []
    for rate in (aligned, conflicts):
        if rate is not None and rate.too_high:
            problems.append(
                Problem(
                    "dilemmas",
                    "guesser",
                    f"a label-blind guesser finds the {rate.label} option in {rate.line()}: "
                    "make the options alike in length, reasons and channel words",
                )
            )
    return problems


def _sentence_split(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s.strip()]


def long_sentences(text: str) -> list[tuple[int, str]]:
    """(word count, sentence) for every sentence of SENTENCE_WORDS words or more."""
    found = []
    for sentence in _sentence_split(text):
        words = len(re.findall(r"[\w'’-]+", sentence))
        if words >= SENTENCE_WORDS:
            found.append((words, sentence))
    return found


def sentence_problems(bank: Bank) -> list[Problem]:
    """Explanations and feedback in B1: every sentence under SENTENCE_WORDS words."""
    problems = []
    for file, dilemma in bank.dilemmas:
        fields = [("explanation", dilemma.get("explanation"))]
        fields += [(f"options[{i}].feedback", o.get("feedback")) for i, o in enumerate(_options(dilemma))]
        for where, text in fields:
            for words, sentence in long_sentences(str(text or ""))[:1]:
                problems.append(
                    Problem(
                        file,
                        where,
                        f"'{sentence[:50]}...' has {words} words; B1 keeps a sentence under {SENTENCE_WORDS}",
                    )
                )
    return problems


def review_problems(bank: Bank, today: date, strict: bool = False) -> list[Problem]:
    """Every dilemma has a ``review_by`` date after ``reviewed`` (a code
    section may have one after ``checked``), within the two years either
    stays trusted; no calendar month holds more than a sixth of the dates,
    so the reviews can be planned; and, in ``strict`` mode only, nothing is
    past its date."""
    problems = []
    dates: list[date] = []

    def judge(file: str, where: str, due, since, limit: int, before=None) -> None:
        if not isinstance(due, date):
            return
        dates.append(due)
        if isinstance(since, date) and not since < due <= since + timedelta(days=limit):
            problems.append(Problem(file, where, f"{due} must lie after {since} and within two years of it"))
        if isinstance(before, date) and due > before:
            problems.append(Problem(file, where, f"{due} lies after the expiry date {before}"))
        if strict and due < today:
            problems.append(Problem(file, where, f"{due} has passed: review it"))

    for file, dilemma in bank.dilemmas:
        if "review_by" not in dilemma:
            problems.append(Problem(file, "review_by", "is required: the date by which the dilemma is reviewed"))
        judge(
            file,
            "review_by",
            dilemma.get("review_by"),
            dilemma.get("reviewed"),
            DILEMMA_REVIEW_DAYS,
            dilemma.get("expires"),
        )
    for file, code in bank.codes:
        for chapter in code.get("chapters") or []:
            for section in (chapter.get("sections") or []) if isinstance(chapter, dict) else []:
                if isinstance(section, dict):
                    judge(
                        file,
                        f"{section.get('ref')}.review_by",
                        section.get("review_by"),
                        section.get("checked"),
                        SECTION_CHECK_DAYS,
                    )
    per_month = Counter(f"{due:%Y-%m}" for due in dates)
    if len(dates) >= REVIEW_SPREAD_FROM:
        for month, count in sorted(per_month.items()):
            if count > len(dates) * REVIEW_SHARE:
                problems.append(
                    Problem(
                        "dilemmas",
                        "review_by",
                        f"{count} of {len(dates)} reviews fall in {month}; at most a sixth may share a month",
                    )
                )
    return problems
