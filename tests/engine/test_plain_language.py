"""Families read plain words: no professional jargon unexplained in what the bot says."""

import re
from pathlib import Path

import pytest
import yaml

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.engine.loader import load_dialogs
from tests.helpers import yaml_strings

JARGON = ["significant harm", "CIN", "RCPC", "ICPC", "s47", "section 47", "IRO", "LADO", "MASH", "CPP",
          "threshold", "safeguarding", "multi-agency", "statutory"]




def files(folder: str) -> list[Path]:
    return sorted((PROJECT_ROOT / folder).glob("*.yaml"))


def test_all_real_dialogs_load() -> None:
    registry = load_dialogs(PROJECT_ROOT / "dialogs")
    assert "parent_prepare" in registry.dialogs


@pytest.mark.parametrize("path", files("dialogs"), ids=lambda p: p.name)
def test_questions_use_no_jargon(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if raw["audience"] == "professional":
        pytest.skip("professionals' own questions may use their terms (ICPC, RCPC)")
    for text in yaml_strings(raw):
        for word in JARGON:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), f"{word!r} in {text[:60]!r}"


@pytest.mark.parametrize("path", files("guides"), ids=lambda p: p.name)
def test_guides_explain_every_term_they_use(path: Path) -> None:
    # A line may name a term only while explaining it: "RCPC: review ...", "IRO (independent ...)",
    # or as the short form after the words it stands for, "Child in need plan (CIN plan)".
    for text in yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for line in text.splitlines():
            for word in JARGON:
                match = re.search(rf"\b{re.escape(word)}\b", line)
                if match:
                    after = line[match.end():match.end() + 3]
                    defined = after.startswith((":", " (", ")")) or line[:match.start()].endswith("(")
                    assert defined, f"{word!r} unexplained in {line[:80]!r}"
