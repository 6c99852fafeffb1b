"""What a good bank is: the numbers ``kompas content check`` enforces on
top of the format, the coverage table it prints, and the originality check
against the source documents (never copy a sentence from them)."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from content.loader import Bank, Problem

MINIMUM_DILEMMAS = {"rijk": 60, "douane": 16}
MINIMUM_TOTAL = 80
CHAPTERS_COVERED = ("3", "4", "5", "6", "7", "8")
MINIMUM_PER_CHAPTER = 4
MINIMUM_MANAGERS = 12
MINIMUM_TOPICAL = 4
MINIMUM_PER_CATEGORY = 3
MINIMUM_SUPPLEMENT_SECTIONS = {"douane": 6}
SHINGLE = 8  # words in a row that may not be shared with a source
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


@dataclass
class Coverage:
    per_organisation: Counter = field(default_factory=Counter)
    per_chapter: Counter = field(default_factory=Counter)
    per_audience: Counter = field(default_factory=Counter)
    per_category: Counter = field(default_factory=Counter)
    per_position: Counter = field(default_factory=Counter)  # aligned marks per option key
    longest_aligned: int = 0  # dilemmas whose longest option is aligned
    shortest_aligned: int = 0
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
    return result


def _options(dilemma: dict) -> list[dict]:
    return [o for o in dilemma.get("options") or [] if isinstance(o, dict)]


def today_default() -> date:
    """Today, or the day of the frozen clock ``KOMPAS_NOW`` (refused in
    production, as everywhere else)."""
    frozen = os.environ.get("KOMPAS_NOW", "")
    if frozen and os.environ.get("KOMPAS_ENV", "development") != "production":
        try:
            return datetime.fromisoformat(frozen).date()
        except ValueError:
            pass
    return date.today()


def bank_problems(bank: Bank, seen: Coverage, today: date | None = None) -> list[Problem]:
    """The numbers of the content issue: counts, coverage, alignment mix,
    and complete options on every dilemma; then the rules of the second
    edition (see ``rule_problems``)."""
    problems = _number_problems(bank, seen)
    problems += rule_problems(bank, today or today_default())
    return problems


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
    write_paraphrases(sources, target.with_name(PARAPHRASES))
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


# ---------------------------------------------------------------- paraphrase

# A close paraphrase keeps most of a source sentence's words and shuffles or
# inflects them, which the eight-word runs miss. So every source sentence is
# also kept as the set of its content words, stemmed, each hashed to 16 bits
# (many Dutch words share a bucket, so the file gives no sentence back), and
# a sentence of ours is a paraphrase when it holds most of such a set.
PARAPHRASES = "paraphrases.fingerprints"  # beside the fingerprints file (package data: *.fingerprints)
PARAPHRASE_SHARED = 5  # content words at least shared with one source sentence
PARAPHRASE_OF_SOURCE = 0.6  # share of the source sentence's content words found in ours
PARAPHRASE_OF_OURS = 0.5  # share of our sentence's content words that come from it
PARAPHRASE_COMMON = 0.02  # words in more than this share of source sentences say nothing
STOPWORDS = frozenset(
    re.findall(
        r"[a-z]+",
        """aan al alle alleen als altijd ander andere anders ben bij bijvoorbeeld daar daarom dan dat de deze die dit
    doe doen door dus een eens en er ge geen had heb hebben heeft hem het hier hij hoe hun ik in is ja je jij jou
    jouw kan kun kunnen kunt maar me meer men met mij mijn moet moeten na naar niet niets nog nu of om omdat ons
    onze ook op over te tegen toch toe tot u uit uw van veel voor want waren was wat we wel werd wie wij wil
    willen word worden wordt zal ze zei zelf zich zij zijn zo zoals zonder zou zullen""",
    )
)


def _stem(word: str) -> str:
    """A light Dutch stem: enough to match 'zaken' with 'zaak' and
    'leidinggevende' with 'leidinggevenden'."""
    for suffix, replacement in (("heden", "heid"), ("ingen", "ing"), ("en", ""), ("e", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    word = re.sub(r"(.)\1", r"\1", word)
    return word[:-1] + {"v": "f", "z": "s"}.get(word[-1], word[-1]) if word else word


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[.!?;:\n]+", text) if s.strip()]


def _content_buckets(sentence: str) -> frozenset[str]:
    words = re.findall(r"[a-z]+", _plain(sentence))
    stems = {_stem(w) for w in words if w not in STOPWORDS and len(w) >= 3}
    return frozenset(hashlib.sha256(stem.encode()).hexdigest()[:4] for stem in stems)


def _source_sentences(sources: Path):
    """(document name, bucket set) for every sentence of the documents, and
    every two sentences in a row, with enough content words to compare."""
    for path in sorted(sources.iterdir()):
        if path.is_file():
            sentences = [_content_buckets(s) for s in _sentences(path.read_text(encoding="utf-8", errors="replace"))]
            # One sentence, and two in a row: a paraphrase often merges short ones.
            for buckets in sentences + [a | b for a, b in pairwise(sentences)]:
                if len(buckets) >= PARAPHRASE_SHARED:
                    yield path.name, buckets


def write_paraphrases(sources: Path, target: Path | None = None) -> int:
    """Write the sorted bucket sets of the source sentences (to the bundled
    file beside the fingerprints unless ``target``)."""
    target = target or FINGERPRINTS.with_name(PARAPHRASES)
    lines = sorted({" ".join(sorted(buckets)) for _, buckets in _source_sentences(sources)})
    target.write_text("\n".join(lines) + "\n", encoding="ascii")
    return len(lines)


def _source_sets(sources: Path | None) -> list[tuple[str, frozenset[str]]]:
    if sources is not None and sources.is_dir():
        return list(_source_sentences(sources))
    lines = FINGERPRINTS.with_name(PARAPHRASES).read_text(encoding="ascii").splitlines()
    return [(FINGERPRINTED, frozenset(line.split())) for line in lines if line.strip()]


def paraphrase_problems(bank: Bank, sources: Path | None = None) -> list[Problem]:
    """Every text field with a sentence that holds most of the content words
    of one source sentence (in any order and inflection)."""
    sets = _source_sets(sources)
    frequency = Counter(bucket for _, buckets in sets for bucket in buckets)
    common = {b for b, n in frequency.items() if n > max(3, PARAPHRASE_COMMON * len(sets))}
    index: dict[str, list[int]] = {}
    kept = []
    for number, (name, buckets) in enumerate(sets):
        buckets = buckets - common
        kept.append((name, buckets))
        for bucket in buckets:
            index.setdefault(bucket, []).append(number)
    problems = []
    documents = [(file, data) for file, data in bank.codes] + list(bank.dilemmas)
    for file, data in documents:
        for where, text in _texts(data, ""):
            for sentence in _sentences(text):
                ours = _content_buckets(sentence) - common
                if len(ours) < PARAPHRASE_SHARED:
                    continue
                shared = Counter(n for bucket in ours for n in index.get(bucket, ()))
                hit = next(
                    (
                        n
                        for n, count in shared.most_common()
                        if count >= PARAPHRASE_SHARED
                        and count >= PARAPHRASE_OF_SOURCE * len(kept[n][1])
                        and count >= PARAPHRASE_OF_OURS * len(ours)
                    ),
                    None,
                )
                if hit is not None:
                    problems.append(
                        Problem(
                            file,
                            where,
                            f"'{sentence.strip()[:60]}...' reads as a close paraphrase of a sentence in "
                            f"{kept[hit][0]}: write it anew",
                        )
                    )
                    break
    return problems


def originality_problems(bank: Bank, sources: Path | None = None) -> list[Problem]:
    """Every text field that shares a run of eight or more words with a
    source document, or closely paraphrases one of its sentences: against
    the documents in ``sources`` when that folder exists, else their bundled
    fingerprints. One problem per field: a copy is also a paraphrase."""
    copied = _copy_problems(bank, sources)
    flagged = {(p.file, p.field) for p in copied}
    return copied + [p for p in paraphrase_problems(bank, sources) if (p.file, p.field) not in flagged]


def _copy_problems(bank: Bank, sources: Path | None = None) -> list[Problem]:
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
