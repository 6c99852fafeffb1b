"""The documents point only at what the repository holds.

Checked in the README, ``docs/*.md``, ``bench/README.md`` and
``content/FORMAT.md``: every relative Markdown link (the file or folder,
and its ``#anchor`` when it has one), and every repository path written in
backticks (``push/fcm.py``, ``tests/anonymity/``, ``content/methods/*.yaml``,
or a bare file name such as ``setup.cfg``). CHANGELOG.md is left out: it
records files as they were. When files move, the failure lists every
reference that broke, with its document and line.
"""

from __future__ import annotations

import os
import re
import unicodedata
from fnmatch import fnmatch
from functools import cache
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "docs/*.md", "bench/README.md", "content/FORMAT.md")

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.DOTALL | re.MULTILINE)
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Characters a repository path is written with; anything else (spaces, a
# colon, <placeholders>, a leading slash of a URL path) is not a path.
PATHLIKE = re.compile(r"^(?:\.{0,2}[\w-]+|\.[\w-]+)(?:[./][\w*.-]+)*/?$")
# A bare name (no slash) counts as a file reference only with one of these.
FILE_SUFFIXES = {".py", ".md", ".cfg", ".toml", ".ini", ".yaml", ".yml", ".txt", ".html", ".js", ".lua", ".sh"}


@cache
def held() -> frozenset[str]:
    """Every file and folder of the work tree that git would not ignore, as
    POSIX paths from the root. Read from the disk rather than from git, so
    that a new document counts before it is added, and the test needs no
    git at all; the root's .gitignore names what is made at run time."""
    ignored = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()]
    ignored = [pattern for pattern in ignored if pattern and not pattern.startswith("#")] + [".git"]

    def ignore(name: str, is_dir: bool) -> bool:
        return any(fnmatch(name, pattern.rstrip("/")) for pattern in ignored if is_dir or not pattern.endswith("/"))

    paths = set()
    for folder, folders, files in os.walk(ROOT):
        # A tool's cache marks itself (CACHEDIR.TAG) and ignores itself with a
        # .gitignore of its own (import-linter's, pytest's, ruff's).
        folders[:] = [
            name
            for name in folders
            if not ignore(name, is_dir=True) and not (Path(folder) / name / "CACHEDIR.TAG").exists()
        ]
        base = PurePosixPath(Path(folder).relative_to(ROOT).as_posix())
        paths.update(str(base / name) for name in folders + files if not ignore(name, is_dir=False))
    return frozenset(path.removeprefix("./") for path in paths)


def holds(path: str) -> bool:
    """Whether ``path`` (from the root, perhaps with ``*``) names a file or
    folder of the repository."""
    path = path.rstrip("/")
    if "*" in path:
        pattern = re.compile("^" + re.escape(path).replace(r"\*", "[^/]*") + "$")
        return any(pattern.match(name) for name in held())
    return path in held()


def documents() -> list[str]:
    names = {str(path.relative_to(ROOT)) for pattern in DOCUMENTS for path in ROOT.glob(pattern)}
    return sorted(name for name in names if name in held())


def prose(text: str) -> str:
    """The text with fenced code blocks blanked out, lines kept in place."""
    return FENCE.sub(lambda block: "\n" * block.group(0).count("\n"), text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped,
    spaces as hyphens."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    kept = "".join(c for c in heading.lower() if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


@cache
def anchors(document: str) -> frozenset[str]:
    seen: dict[str, int] = {}
    result = set()
    for match in HEADING.finditer(prose((ROOT / document).read_text())):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return frozenset(result)


def from_root(document: str, target: str) -> str:
    """A link target relative to its document, as a path from the root
    (``..`` above the root stays in it, so it is reported as missing)."""
    parts: list[str] = []
    for part in (*PurePosixPath(document).parent.parts, *PurePosixPath(target).parts):
        if part == "..":
            if not parts:
                return "../" + target
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def broken_link(document: str, target: str) -> str | None:
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
        return None
    path, _, anchor = target.partition("#")
    resolved = from_root(document, path) if path else document
    if path and not holds(resolved):
        return f"links to {target}: the repository holds no {resolved}"
    if anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
        return f"links to {target}: {resolved} has no heading with the anchor #{anchor}"
    return None


def top_level() -> set[str]:
    return {name.split("/")[0] for name in held()}


def broken_code_path(token: str) -> str | None:
    if not PATHLIKE.match(token) or token.startswith("../"):
        return None
    if "/" in token.rstrip("/"):
        # A path from the root: checked when it starts in a folder the
        # repository holds or names a file by its suffix.
        first = token.split("/")[0]
        if first not in top_level() and PurePosixPath(token).suffix not in FILE_SUFFIXES:
            return None
        return None if holds(token) else f"names {token}: the repository holds no such file or folder"
    if token.endswith("/"):
        return None  # a bare folder name (`instance/`, `screenshots/`) may be made at run time
    if PurePosixPath(token).suffix not in FILE_SUFFIXES:
        return None  # a module (`bench.meeting`) or a word with a dot
    named = {PurePosixPath(name).name for name in held()}
    return None if token in named else f"names {token}: the repository holds no file of that name"


def references() -> list[str]:
    found = []
    for document in documents():
        text = prose((ROOT / document).read_text())
        for number, line in enumerate(text.split("\n"), start=1):
            problems = [broken_link(document, target) for target in LINK.findall(line)]
            without_links = LINK.sub("", line)
            problems += [broken_code_path(token.strip()) for token in CODE.findall(without_links)]
            found += [f"{document}:{number}: {problem}" for problem in problems if problem]
    return found


def test_the_documents_are_found():
    assert {"README.md", "docs/architecture.md", "docs/anonymity.md"} <= set(documents())


def test_every_link_and_path_in_the_documents_is_held_by_the_repository():
    broken = references()
    assert not broken, "references to what the repository does not hold:\n" + "\n".join(broken)


def test_what_counts_as_broken():
    """The checker itself, on references made up for it."""
    assert broken_link("docs/api.md", "office.md") is None
    assert broken_link("docs/api.md", "../README.md#two-commands") is None
    assert broken_link("README.md", "https://example.org/DESIGN.md") is None
    assert "no DESIGN.md" in broken_link("README.md", "DESIGN.md")
    assert "no docs/DESIGN.md" in broken_link("docs/api.md", "DESIGN.md")
    assert "#nowhere" in broken_link("README.md", "docs/api.md#nowhere")
    assert "#nowhere" in broken_link("README.md", "#nowhere")
    assert "../outside.md" in broken_link("README.md", "../outside.md")
    assert broken_code_path("push/fcm.py") is None
    assert broken_code_path("tests/anonymity/") is None
    assert broken_code_path("content/methods/*.yaml") is None
    assert broken_code_path("setup.cfg") is None
    assert "push/nothing.py" in broken_code_path("push/nothing.py")
    assert "dilemmas/nowhere/" in broken_code_path("dilemmas/nowhere/")
    assert "content/methods/*.json" in broken_code_path("content/methods/*.json")
    assert "DESIGN.md" in broken_code_path("DESIGN.md")
    for not_a_path in ("/api/v1", "bench.meeting", "instance/kompas-limits.db", "kompas-<org>-<locale>", "a b.py"):
        assert broken_code_path(not_a_path) is None, not_a_path
    assert (
        slug("The meeting in the room: presenter screen, outcome") == "the-meeting-in-the-room-presenter-screen-outcome"
    )
    assert slug("8. Idempotency records") == "8-idempotency-records"
    assert slug("`bench.meeting`: 200 rooms") == "benchmeeting-200-rooms"
