"""The bank's numbers and originality, as `kompas content check` enforces them."""

import shutil
from datetime import date, timedelta

import pytest
import yaml

from content import loader, originality, policy

# The bundled bank is checked on a fixed day, so that CI never turns red by the calendar alone;
# not before the latest `checked` or `reviewed` in the bundled content.
TODAY = date(2026, 12, 7)


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(loader.bundled_path(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def problems_of(path, sources=None):
    bank = loader.read(path)
    found = loader.structural_problems(bank) + policy.bank_problems(bank, policy.coverage(bank, TODAY), TODAY)
    if sources is not None:
        found += policy.originality_problems(bank, sources)
    return found


def test_the_bundled_bank_meets_every_number():
    bank = loader.read()
    seen = policy.coverage(bank, TODAY)
    assert policy.bank_problems(bank, seen, TODAY) == []
    assert seen.total >= 80 and seen.per_organisation["rijk"] >= 60 and seen.per_organisation["douane"] >= 16
    assert all(seen.per_chapter[c] >= 4 for c in "345678")
    assert seen.per_audience["leidinggevenden"] >= 12 and seen.per_category["actualiteit"] >= 4
    assert all(seen.per_category[c["slug"]] >= 3 for c in bank.categories)
    marks = sum(seen.per_position.values())
    assert all(seen.per_position[key] * 3 <= marks for key in "ABCD")
    assert policy.rule_problems(bank, TODAY) == []
    assert seen.several_open * 4 >= seen.total
    assert "exactly one aligned" in seen.table() and "finds conflicts" in seen.table()


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
        bundled = policy.FINGERPRINTS.with_name(policy.PARAPHRASES).read_text()
        assert (tmp_path / policy.PARAPHRASES).read_text() == bundled, "run `kompas content fingerprint`"
    prints = policy.FINGERPRINTS.read_text().split()
    assert len(prints) > 10_000 and prints == sorted(set(prints))
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints)


def test_too_few_dilemmas_and_a_thin_chapter_are_problems(copy):
    douane = sorted((copy / "dilemmas" / "douane").glob("*.yaml"))
    for path in douane[: len(douane) - policy.MINIMUM_DILEMMAS["douane"] + 1]:
        path.unlink()
    for path in (copy / "dilemmas" / "rijk").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(str(ref).startswith("7.") for ref in data["code_refs"]):
            path.unlink()
    fields = {(p.file, p.field) for p in problems_of(copy)}
    assert ("dilemmas/douane", "count") in fields
    assert ("dilemmas", "chapter 7") in fields


def test_alignment_mix_is_enforced(copy):
    for path in (copy / "dilemmas").glob("*/*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, option in enumerate(data["options"]):
            option["alignment"] = "aligned" if index == 0 else "conflicts"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    messages = {p.message for p in problems_of(copy) if p.field == "alignment"}
    # One aligned option in every dilemma is allowed (the guesser, not a quota, keeps the mix honest).
    assert "more than half have exactly one aligned option" not in messages
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
    monkeypatch.setattr(originality, "FINGERPRINTS", tmp_path / "sources.fingerprints")
    policy.write_fingerprints(sources)
    assert "bron.txt" not in originality.FINGERPRINTS.read_text()
    found = [p for p in problems_of(copy, tmp_path / "absent") if p.file.endswith(target.name)]
    assert [p.field for p in found] == ["explanation"] and policy.FINGERPRINTED in found[0].message
    # Seven shared words in a row are allowed.
    data["explanation"] = "Wie een geschenk aanneemt van een leverancier, zo vinden wij, moet oppassen."
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not [p for p in problems_of(copy, sources) if p.file.endswith(target.name)]


# ---------------------------------------------------------------- second edition rules

MUST_SECTIONS = ("4.1", "4.5", "D.1")


def option(key, alignment="grey", text=None, breaks=()):
    return {
        "key": key,
        "text": text or f"Je kiest voor aanpak {key} en bespreekt die met je team.",
        "alignment": alignment,
        "breaks": list(breaks),
        "feedback": "Zo verhoudt deze keuze zich tot de code.",
    }


def dilemma(slug, alignments=("aligned", "grey", "grey", "conflicts"), texts=None, breaks=None, **fields):
    data = {
        "slug": slug,
        "organisation": "rijk",
        "category": "geschenken",
        "audience": "iedereen",
        "reviewed": TODAY - timedelta(days=10),
        "title": f"Een klein dilemma {slug}",
        "situation": "Je werkt bij een ministerie en staat voor een keuze die niet vanzelf spreekt. " * 5,
        "options": [
            option(k, a, (texts or {}).get(k), (breaks or {}).get(k, ()))
            for k, a in zip("ABCD", alignments, strict=True)
        ],
        "explanation": "De code zegt hier iets over, en toch is het lastig.",
        "code_refs": ["4.1", "3.1"],
    }
    data.update(fields)
    return data


@pytest.fixture
def small_bank(copy):
    """A bank with the bundled organisations, categories and code but only the
    dilemmas a test writes: ``write(*dilemmas)`` returns the parsed bank."""
    for path in (copy / "dilemmas").glob("*/*.yaml"):
        path.unlink()

    def write(*dilemmas):
        for data in dilemmas:
            target = copy / "dilemmas" / data["organisation"] / f"{data['slug']}.yaml"
            target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        bank = loader.read(copy)
        assert loader.structural_problems(bank) == []
        return bank

    return write


def test_the_bundled_code_marks_its_musts_and_when_it_was_checked():
    bank = loader.read()
    known = policy.musts(bank)
    assert {ref for ref, _, _ in known.values()} >= set(MUST_SECTIONS)
    assert "niets-tijdens-besluit" in known and known["benadering-melden"][0] == "D.1"
    sections = [s for _, code in bank.codes for c in code["chapters"] for s in c["sections"]]
    assert all(isinstance(s["checked"], date) for s in sections)
    texts = {s["ref"]: s["text"] for s in sections}
    # The Whistleblowers Protection Act (18 February 2023) is in both sections.
    assert "Wet bescherming klokkenluiders" in texts["2.2"] and "Huis voor Klokkenluiders" in texts["2.2"]
    assert "18 februari 2023" in texts["8.6"] and "drie maanden" in texts["8.6"]
    assert "biechtstoel" not in " ".join(texts.values()).lower()


def test_aligned_options_piling_up_on_one_key_are_a_problem(small_bank):
    # The first edition: the aligned option was A in 44 of 67 dilemmas.
    bank = small_bank(*[dilemma(f"op-a-{i}") for i in range(6)])
    problems = policy.position_problems(bank)
    assert [(p.file, p.field) for p in problems] == [("dilemmas", "aligned position")]
    assert "A holds 6 of 6" in problems[0].message
    spread = [("aligned", "grey", "grey", "conflicts"), ("grey", "aligned", "conflicts", "grey")]
    spread += [("grey", "conflicts", "aligned", "grey"), ("conflicts", "grey", "grey", "aligned")]
    bank = small_bank(*[dilemma(f"op-a-{i}", spread[i % 4]) for i in range(6)])
    assert policy.position_problems(bank) == []  # 2, 2, 1, 1: none above a third
    assert policy.coverage(bank).per_position == {"A": 2, "B": 2, "C": 1, "D": 1}
    assert "aligned at" in policy.coverage(bank).table()


def test_an_aligned_option_that_is_always_the_longest_is_a_problem(small_bank):
    # The first edition: the longest option was the aligned one in 61 of 80.
    long = "Je bespreekt het eerst rustig met je leidinggevende en legt samen vast wat jullie afspreken."
    spread = [("aligned", "grey", "grey", "conflicts"), ("grey", "aligned", "conflicts", "grey")]
    spread += [("grey", "conflicts", "aligned", "grey"), ("conflicts", "grey", "grey", "aligned")]
    tell = [dilemma(f"lang-{i}", spread[i % 4], texts={"ABCD"[i % 4]: long}) for i in range(8)]
    problems = policy.length_problems(small_bank(*tell))
    assert [(p.field, p.message.split(" option")[0]) for p in problems] == [("option length", "the longest")]
    fair = [dilemma(f"lang-{i}", spread[i % 4], texts={"ABCD"[(i + 1) % 4]: long}) for i in range(8)]
    assert policy.length_problems(small_bank(*fair)) == []


def test_an_argued_option_among_bare_ones_is_a_problem(small_bank):
    assert policy.gives_reason("Je zegt nee, want het is een lopende zaak.")
    assert policy.gives_reason("Je belt je leidinggevende om het eerst te bespreken.")
    assert policy.gives_reason("Je doet voorlopig niets; het is maar een gerucht.")
    assert policy.gives_reason("Je zegt niets. Het is voorbij en het gaat om je privéleven.")
    assert not policy.gives_reason("Je belt je leidinggevende en bespreekt het.")
    argued = {"C": "Je meldt het, omdat de regels dat vragen."}
    all_argued = {k: f"Je kiest {k}, omdat dat het beste voelt." for k in "ABCD"}
    bank = small_bank(dilemma("een-reden", texts=argued), dilemma("vier-redenen", texts=all_argued), dilemma("geen"))
    problems = policy.reason_problems(bank)
    assert [(p.file, p.field) for p in problems] == [("dilemmas/rijk/een-reden.yaml", "options")]
    assert "only C give a reason" in problems[0].message


def test_a_one_answer_test_is_a_problem(small_bank):
    bank = small_bank(dilemma("test", ("conflicts", "aligned", "conflicts", "conflicts")), dilemma("grijs"))
    assert [p.file for p in policy.one_answer_problems(bank)] == ["dilemmas/rijk/test.yaml"]


def test_an_open_option_that_breaks_a_must_is_a_problem(small_bank):
    # The first edition's taart-van-dankbare-burger: taking a gift while a
    # decision on the giver's application is pending, marked aligned.
    taart = dilemma("taart", breaks={"A": ["niets-tijdens-besluit"]})
    # whisky-van-de-terminal: keeping the chocolates, marked grey.
    whisky = dilemma(
        "whisky",
        ("grey", "aligned", "aligned", "conflicts"),
        breaks={"A": ["niets-van-gecontroleerde-bedrijven"], "D": ["niets-van-gecontroleerde-bedrijven"]},
        organisation="douane",
        code_refs=["D.3", "4.1"],
    )
    honest = dilemma("eerlijk", ("grey", "aligned", "grey", "conflicts"), breaks={"D": ["geschenk-melden"]})
    bank = small_bank(taart, whisky, honest)
    found = {(p.file, p.field) for p in policy.must_problems(bank)}
    assert found == {
        ("dilemmas/rijk/taart.yaml", "options[0].alignment"),
        ("dilemmas/douane/whisky.yaml", "options[0].alignment"),
    }


def test_breaks_must_be_declared_known_and_referred_to(small_bank):
    silent = dilemma("stil")
    for entry in silent["options"]:
        del entry["breaks"]
    elsewhere = dilemma("elders", breaks={"D": ["nevenwerk-vooraf-melden"]})  # 4.5 is not in code_refs
    unknown = dilemma("onbekend", breaks={"D": ["altijd-nee-zeggen"]})
    free = dilemma("vrij", code_refs=["6.1"])  # 6.1 has a must too: declared as [] in dilemma()
    bank = small_bank(silent, elsewhere, unknown, free)
    messages = {(p.file, p.field, p.message.split(":")[0]) for p in policy.must_problems(bank)}
    assert ("dilemmas/rijk/stil.yaml", "options[0].breaks", "is required") in messages
    assert (
        "dilemmas/rijk/elders.yaml",
        "options[3].breaks",
        "'nevenwerk-vooraf-melden' belongs to 4.5, which code_refs lacks",
    ) in messages
    assert (
        "dilemmas/rijk/onbekend.yaml",
        "options[3].breaks",
        "'altijd-nee-zeggen' is not a must of the code",
    ) in messages
    assert not any(file.endswith("vrij.yaml") for file, _, _ in messages)


def test_a_malformed_must_or_breaks_is_a_format_problem(copy):
    code = copy / "code" / "rijk.yaml"
    data = yaml.safe_load(code.read_text(encoding="utf-8"))
    data["chapters"][3]["sections"][0]["musts"].append({"id": "Geen Hoofdletters", "text": "Kort."})
    data["chapters"][3]["sections"][0]["checked"] = "gisteren"
    code.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    target = sorted((copy / "dilemmas" / "rijk").glob("*.yaml"))[0]
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    data["options"][0]["breaks"] = "geschenk-melden"
    data["reviewed"] = "vorige week"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    fields = {p.field for p in loader.structural_problems(loader.read(copy))}
    assert {"chapters[3].sections[0].checked", "options[0].breaks", "reviewed"} <= fields
    assert any(f.startswith("chapters[3].sections[0].musts[") for f in fields)


def test_every_dilemma_is_reviewed_and_topical_ones_expire(small_bank):
    unreviewed = dilemma("ongezien")
    del unreviewed["reviewed"]
    stale = dilemma("oud", reviewed=TODAY - timedelta(days=800))
    topical = dilemma("nieuws", category="actualiteit")
    expired = dilemma("verlopen", category="actualiteit", reviewed=date(2026, 1, 5), expires=date(2026, 11, 1))
    fine = dilemma("actueel", category="actualiteit", expires=TODAY + timedelta(days=100))
    bank = small_bank(unreviewed, stale, topical, expired, fine)
    found = {(p.file.split("/")[-1], p.field) for p in policy.date_problems(bank, TODAY)}
    assert found == {
        ("ongezien.yaml", "reviewed"),
        ("oud.yaml", "reviewed"),
        ("nieuws.yaml", "expires"),
        ("verlopen.yaml", "expires"),
    }
    # The same bank a month earlier: the expired one was still current.
    earlier = {(p.file.split("/")[-1], p.field) for p in policy.date_problems(bank, date(2026, 10, 1))}
    assert ("verlopen.yaml", "expires") not in earlier
    # An expiry more than a year after the review is refused as well.
    far = small_bank(dilemma("ver", category="actualiteit", expires=TODAY + timedelta(days=500)))
    assert [p.message for p in policy.date_problems(far, TODAY) if p.file.endswith("/ver.yaml")] == [
        "must lie within a year after reviewed"
    ]


def test_every_code_section_says_when_it_was_checked(copy):
    code = copy / "code" / "douane.yaml"
    data = yaml.safe_load(code.read_text(encoding="utf-8"))
    del data["chapters"][0]["sections"][0]["checked"]
    data["chapters"][0]["sections"][1]["checked"] = TODAY - timedelta(days=1000)
    code.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = {(p.file, p.field) for p in policy.date_problems(loader.read(copy), TODAY)}
    assert {("code/douane.yaml", "D.1.checked"), ("code/douane.yaml", "D.2.checked")} <= found


def test_kompas_content_check_fails_on_an_expired_dilemma(copy, monkeypatch):
    from click.testing import CliRunner

    from api.cli import main

    # The topical dilemma that expires first: until then the check passes.
    topical = min(
        (
            p
            for p in sorted((copy / "dilemmas").glob("*/*.yaml"))
            if yaml.safe_load(p.read_text(encoding="utf-8"))["category"] == "actualiteit"
        ),
        key=lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))["expires"],
    )
    expires = yaml.safe_load(topical.read_text(encoding="utf-8"))["expires"]
    monkeypatch.setenv("KOMPAS_NOW", f"{expires - timedelta(days=1)}T12:00:00+01:00")
    assert CliRunner().invoke(main, ["content", "check", str(copy)]).exit_code == 0
    monkeypatch.setenv("KOMPAS_NOW", f"{expires}T12:00:00+01:00")
    result = CliRunner().invoke(main, ["content", "check", str(copy)])
    assert result.exit_code == 1 and f"{topical.name}: expires: expired on {expires}" in result.output


def test_a_close_paraphrase_is_found(copy, tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "bron.txt").write_text(
        "Inleiding.\nEen adviesrapport over verkeer verdwijnt in de bureaula omdat de ambtelijke top "
        "de uitkomsten politiek niet opportuun vindt.\nSlot.",
        encoding="utf-8",
    )
    target = sorted((copy / "dilemmas" / "rijk").glob("*.yaml"))[0]
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    # Other order, other inflections, a few words changed: no eight-word run.
    data["explanation"] = (
        "De ambtelijke top vond de uitkomsten politiek niet opportuun, dus verdwenen de adviesrapporten "
        "over het verkeer in een bureaula. Wat doe je dan?"
    )
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    bank = loader.read(copy)
    assert policy._copy_problems(bank, sources) == []
    found = [p for p in policy.originality_problems(bank, sources) if p.file.endswith(target.name)]
    assert [p.field for p in found] == ["explanation"] and "bron.txt" in found[0].message
    # The same from the bundled files alone, as on a checkout without sources.
    monkeypatch.setattr(originality, "FINGERPRINTS", tmp_path / "sources.fingerprints")
    policy.write_fingerprints(sources)
    assert "adviesrapport" not in (tmp_path / policy.PARAPHRASES).read_text()
    found = [p for p in policy.originality_problems(bank, tmp_path / "absent") if p.file.endswith(target.name)]
    assert [p.field for p in found] == ["explanation"] and policy.FINGERPRINTED in found[0].message
    # Sharing a few words with the sentence is not a paraphrase.
    data["explanation"] = "Een rapport over verkeer kan politiek gevoelig zijn; bespreek dat open met je team."
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not [p for p in policy.originality_problems(loader.read(copy), sources) if p.file.endswith(target.name)]
