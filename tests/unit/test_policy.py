"""The bank's numbers and originality, as `kompas content check` enforces them."""

import shutil

import pytest
import yaml

from content import loader, policy


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(loader.bundled_path(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def problems_of(path, sources=None):
    bank = loader.read(path)
    found = loader.structural_problems(bank) + policy.bank_problems(bank, policy.coverage(bank))
    if sources is not None:
        found += policy.originality_problems(bank, sources)
    return found


def test_the_bundled_bank_meets_every_number():
    bank = loader.read()
    seen = policy.coverage(bank)
    assert policy.bank_problems(bank, seen) == []
    assert seen.per_organisation["rijk"] >= 52 and seen.per_organisation["douane"] >= 12
    assert all(seen.per_chapter[c] >= 4 for c in "345678")
    assert seen.per_audience["leidinggevenden"] >= 6 and seen.per_category["actualiteit"] >= 4
    assert seen.one_aligned * 2 <= seen.total and seen.several_open * 4 >= seen.total
    assert "exactly one aligned" in seen.table()


def test_the_bundled_bank_copies_nothing_from_the_sources():
    # Against the bundled fingerprints: on every checkout, sources or not.
    assert policy.originality_problems(loader.read()) == []
    sources = policy.default_sources()
    if sources.is_dir():  # where the documents are, against them too
        assert policy.originality_problems(loader.read(), sources) == []


def test_the_bundled_fingerprints_are_those_of_the_sources(tmp_path):
    sources = policy.default_sources()
    written = tmp_path / "sources.fingerprints"
    if sources.is_dir():
        policy.write_fingerprints(sources, written)
        assert written.read_text() == policy.FINGERPRINTS.read_text(), "run `kompas content fingerprint`"
    prints = policy.FINGERPRINTS.read_text().split()
    assert len(prints) > 10_000 and prints == sorted(set(prints))
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints)


def test_too_few_dilemmas_and_a_thin_chapter_are_problems(copy):
    for path in sorted((copy / "dilemmas" / "douane").glob("*.yaml"))[:3]:
        path.unlink()
    for path in (copy / "dilemmas" / "rijk").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(str(ref).startswith("7.") for ref in data["code_refs"]):
            path.unlink()
    fields = {(p.file, p.field) for p in problems_of(copy)}
    assert ("dilemmas/douane", "count") in fields
    assert ("dilemmas", "chapter 7") in fields


def test_alignment_mix_is_enforced(copy):
    for path in (copy / "dilemmas" / "rijk").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, option in enumerate(data["options"]):
            option["alignment"] = "aligned" if index == 0 else "conflicts"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    messages = {p.message for p in problems_of(copy) if p.field == "alignment"}
    assert "more than half have exactly one aligned option" in messages
    assert "under a quarter have two or more grey or aligned options" in messages


def test_a_copied_sentence_is_found(copy, tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    sentence = "Wie een geschenk aanneemt van een leverancier moet dat altijd eerst aan de leidinggevende melden"
    (sources / "bron.txt").write_text(f"Inleiding.\n{sentence}.\nSlot.", encoding="utf-8")
    target = sorted((copy / "dilemmas" / "rijk").glob("*.yaml"))[0]
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["explanation"] = f"Let op: {sentence.lower()}, zegt de code."
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = [p for p in problems_of(copy, sources) if p.file.endswith(target.name)]
    assert [p.field for p in found] == ["explanation"] and "bron.txt" in found[0].message
    # The same through fingerprints alone, as on a checkout without sources.
    monkeypatch.setattr(policy, "FINGERPRINTS", tmp_path / "sources.fingerprints")
    policy.write_fingerprints(sources)
    assert "bron.txt" not in policy.FINGERPRINTS.read_text()
    found = [p for p in problems_of(copy, tmp_path / "absent") if p.file.endswith(target.name)]
    assert [p.field for p in found] == ["explanation"] and policy.FINGERPRINTED in found[0].message
    # Seven shared words in a row are allowed.
    data["explanation"] = "Wie een geschenk aanneemt van een leverancier, zo vinden wij, moet oppassen."
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not [p for p in problems_of(copy, sources) if p.file.endswith(target.name)]
