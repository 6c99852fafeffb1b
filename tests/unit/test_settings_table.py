"""The docs' table of settings is the declaration's: a setting added,
renamed or given another default shows in docs/operations.md or fails here."""

from pathlib import Path

from api.platform.settings import declarations, markdown_table

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_the_table_in_the_docs_is_the_declared_settings():
    text = OPERATIONS.read_text()
    table = markdown_table()
    assert table in text, f"docs/operations.md: replace the table under 'Configuration' with\n{table}"


def test_every_setting_is_described_and_named_once():
    names = [declared.metadata["env"] for declared in declarations()]
    assert len(names) == len(set(names))
    assert all(declared.metadata["description"] for declared in declarations())
