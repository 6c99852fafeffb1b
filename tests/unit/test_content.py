"""The content loader: checks with file and field, idempotent loading,
new revisions for edited dilemmas."""

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from api.platform.settings import parse_now
from content import loader
from dilemmas.model.code import CodeSection
from dilemmas.model.content import Dilemma, Revision
from dilemmas.office.authoring import revise
from dilemmas.office.codebook import revise_section
from dilemmas.storage.database import make_engine, make_sessionmaker

NOW = parse_now("2026-11-02T08:00:00+01:00")


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(loader.bundled_path(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def empty_session(empty_database_url):
    engine = make_engine(empty_database_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_bundled_content_has_no_structural_problems():
    bank = loader.read()
    assert loader.structural_problems(bank) == []
    refs = {s["ref"] for _, code in bank.codes for c in code["chapters"] for s in c["sections"]}
    expected = {"1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "3.3", "5.1", "5.2", "5.3", "6.1", "6.2", "7.1", "7.2"}
    expected |= {f"4.{i}" for i in range(1, 10)} | {f"8.{i}" for i in range(1, 7)}
    assert expected <= refs
    assert len(bank.dilemmas) >= 12


def first_dilemma(copy: Path) -> Path:
    return sorted((copy / "dilemmas" / "rijk").glob("*.yaml"))[0]


def test_check_reports_every_problem_with_file_and_field(copy):
    target = first_dilemma(copy)

    def break_it(data):
        data["title"] = "x" * 81
        data["options"][2]["text"] = data["options"][1]["text"]
        data["options"][3]["alignment"] = "maybe"
        data["code_refs"] = ["9.9"]
        data["category"] = "nope"
        data["colour"] = "blue"

    edit(target, break_it)
    (copy / "dilemmas" / "rijk" / "broken.yaml").write_text("title: [unclosed", encoding="utf-8")
    problems = loader.structural_problems(loader.read(copy))
    found = {(p.file, p.field) for p in problems}
    name = f"dilemmas/rijk/{target.name}"
    for field in ("title", "options[2].text", "options[3].alignment", "code_refs", "category", "colour"):
        assert (name, field) in found, (field, problems)
    assert any(p.file == "dilemmas/rijk/broken.yaml" for p in problems)


def test_three_options_and_short_situation_are_problems(copy):
    target = first_dilemma(copy)

    def shrink(data):
        data["options"] = data["options"][:3]
        data["situation"] = "Te kort."

    edit(target, shrink)
    fields = {p.field for p in loader.structural_problems(loader.read(copy)) if p.file.endswith(target.name)}
    assert {"options", "situation"} <= fields


def counts(session):
    return (
        session.scalar(select(func.count()).select_from(Dilemma)),
        session.scalar(select(func.count()).select_from(Revision)),
        session.scalar(select(func.count()).select_from(CodeSection)),
    )


def test_loading_twice_changes_nothing_and_an_edit_makes_one_new_revision(copy, empty_session):
    first = loader.load(empty_session, loader.read(copy), NOW)
    assert first.created == len(loader.read(copy).dilemmas) and first.revised == 0
    before = counts(empty_session)
    again = loader.load(empty_session, loader.read(copy), NOW)
    assert (again.created, again.revised, again.unchanged) == (0, 0, first.created)
    assert counts(empty_session) == before

    target = first_dilemma(copy)
    edit(target, lambda d: d.update(title="Een nieuwe titel voor dit dilemma"))
    edited = loader.load(empty_session, loader.read(copy), NOW)
    assert (edited.created, edited.revised) == (0, 1)
    dilemmas, revisions, sections = counts(empty_session)
    assert (dilemmas, revisions, sections) == (before[0], before[1] + 1, before[2])
    slug = target.stem
    dilemma = empty_session.scalar(select(Dilemma).where(Dilemma.slug == slug))
    assert [r.number for r in dilemma.revisions] == [1, 2]
    assert dilemma.current.title == "Een nieuwe titel voor dit dilemma"


def test_a_changed_code_section_gets_a_new_version(copy, empty_session):
    loader.load(empty_session, loader.read(copy), NOW)
    code_file = copy / "code" / "rijk.yaml"
    edit(
        code_file,
        lambda d: d["chapters"][3]["sections"][0].update(text=d["chapters"][3]["sections"][0]["text"] + " Extra."),
    )
    report = loader.load(empty_session, loader.read(copy), NOW)
    assert report.sections_changed == 1
    assert empty_session.scalar(select(CodeSection).where(CodeSection.ref == "4.1")).version == 2


def test_what_the_office_revised_is_kept_and_a_newer_bundled_text_reported(copy, empty_session):
    loader.load(empty_session, loader.read(copy), NOW)
    target = first_dilemma(copy)
    dilemma = empty_session.scalar(select(Dilemma).where(Dilemma.slug == target.stem))
    office_title = "De titel die het bureau koos"
    revise(empty_session, dilemma, "Anna Auteur", NOW, {**_content(target), "title": office_title})
    section = empty_session.scalar(select(CodeSection).where(CodeSection.ref == "4.1"))
    revise_section(empty_session, section, "Anna Auteur", NOW, section.title, section.text + " Van het bureau.")
    empty_session.commit()

    same_bundle = loader.load(empty_session, loader.read(copy), NOW)
    assert same_bundle.kept == 2 and same_bundle.skipped == [] and same_bundle.revised == 0

    edit(target, lambda d: d.update(title="Een nieuwere gebundelde titel"))
    edit(
        copy / "code" / "rijk.yaml",
        lambda d: d["chapters"][3]["sections"][0].update(text=d["chapters"][3]["sections"][0]["text"] + " Nieuw."),
    )
    newer_bundle = loader.load(empty_session, loader.read(copy), NOW)
    assert newer_bundle.kept == 2 and newer_bundle.revised == 0 and newer_bundle.sections_changed == 0
    assert {(p.file, p.field) for p in newer_bundle.skipped} == {
        (str(target.relative_to(copy)), "-"),
        ("code/rijk.yaml", "4.1"),
    }
    empty_session.expire_all()
    assert empty_session.get(Dilemma, dilemma.id).current.title == office_title
    assert empty_session.get(CodeSection, section.id).text.endswith("Van het bureau.")


def _content(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_load_refuses_content_with_problems(copy, empty_session):
    edit(first_dilemma(copy), lambda d: d.update(category="nope"))
    with pytest.raises(ValueError, match="category"):
        loader.load(empty_session, loader.read(copy), NOW)
    assert counts(empty_session) == (0, 0, 0)
