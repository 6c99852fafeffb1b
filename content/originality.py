"""Originality: no text of the bank copies from, or closely paraphrases,
the source documents. Runs against ``../shared/sources`` when present, else
against the bundled fingerprints of those documents."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path

from content.loader import Bank, Problem

SHINGLE = 8  # words in a row that may not be shared with a source


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
