"""Reading the code of conduct: the chapters an organisation's people read,
one section, and a Dutch-aware keyword search."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmas.errors import NotFound
from dilemmas.model.code import CodeChapter, CodeSection
from dilemmas.model.organisations import Organisation
from dilemmas.reads.organisations import chain


def chapters_for(session: Session, organisation: Organisation) -> list[CodeChapter]:
    """The chapters an organisation's people read: the root code first, then
    each supplement down to the organisation itself."""
    order = [o.id for o in reversed(chain(session, organisation.id))]
    chapters = session.scalars(select(CodeChapter).where(CodeChapter.organisation_id.in_(order))).all()
    return sorted(chapters, key=lambda c: (order.index(c.organisation_id), c.position))


def section_for(session: Session, organisation: Organisation, ref: str) -> CodeSection:
    """A section visible to the organisation; NotFound otherwise."""
    visible = [o.id for o in chain(session, organisation.id)]
    section = session.scalar(
        select(CodeSection).where(CodeSection.ref == ref, CodeSection.organisation_id.in_(visible))
    )
    if section is None:
        raise NotFound(f"Artikel '{ref}' bestaat niet in jouw gedragscode.")
    return section


# Words that carry no meaning in a search of the code.
STOPWORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "van",
        "in",
        "op",
        "te",
        "aan",
        "met",
        "voor",
        "bij",
        "als",
        "dat",
        "die",
        "dit",
        "is",
        "zijn",
        "je",
        "jij",
        "jouw",
        "ik",
        "we",
        "wij",
        "ze",
        "zij",
        "er",
        "om",
        "over",
        "naar",
        "niet",
        "wel",
        "ook",
        "wat",
        "hoe",
        "wie",
        "mag",
        "moet",
        "kan",
    ]
)


def fold(text: str) -> str:
    """Lower case without accents, so that 'privé', 'Prive' and 'PRIVE' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


@dataclass(frozen=True)
class SearchHit:
    section: CodeSection
    score: float


def search(session: Session, organisation: Organisation, query: str, limit: int = 20) -> list[SearchHit]:
    """Rank the visible sections for a keyword query.

    Terms match whole words and word beginnings (``geschenk`` finds
    ``geschenken``), title hits weigh three times a text hit, and a section
    that matches more distinct terms always ranks above one that matches
    fewer. The code is small (tens of sections), so ranking in Python is
    cheaper than keeping a full-text index in two databases.
    """
    terms = [t for t in words(query) if t not in STOPWORDS] or words(query)
    if not terms:
        return []
    hits = []
    for chapter in chapters_for(session, organisation):
        for section in chapter.sections:
            title_words, text_words = words(section.title), words(section.text)
            matched, score = 0, 0.0
            for term in terms:
                in_title = sum(1 for w in title_words if w.startswith(term))
                in_text = sum(1 for w in text_words if w.startswith(term))
                if in_title or in_text:
                    matched += 1
                    score += 3 * in_title + in_text
            if matched:
                hits.append(SearchHit(section, matched * 1000 + score))
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]
