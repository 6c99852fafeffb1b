"""docs/architecture.md says what setup.cfg's contracts say: the modules it
names as the only importers of ``employee.keys`` are exactly the allowed
importers of the ``pseudonymous-keys`` contract."""

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def allowed_importers() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = config["importlinter:contract:pseudonymous-keys"]["allowed_importers"].split()
    return {name.removeprefix("dilemmas.") for name in listed}


def named_in_the_doc() -> set[str]:
    text = (ROOT / "docs/architecture.md").read_text()
    sentence = re.search(r"- Only (.*?)\(contract\s+`pseudonymous-keys`\)", text, re.DOTALL)
    assert sentence, "docs/architecture.md no longer names the importers of employee.keys"
    named = set(re.findall(r"`([\w.]+)`", sentence.group(1)))
    return named - {"employee.keys"}


def test_the_doc_names_the_importers_the_contract_allows():
    importers = allowed_importers()
    assert importers and all(re.fullmatch(r"[\w.]+", name) for name in importers), importers
    assert named_in_the_doc() == importers
