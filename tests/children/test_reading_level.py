"""Children's texts read at a primary-school level (Flesch-Kincaid grade, sentence length)."""

from pathlib import Path

import pytest
import yaml

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.domain.readability import measure, syllables
from tests.helpers import yaml_strings

CHILD_FILES = [PROJECT_ROOT / "dialogs" / "child_under12.yaml", PROJECT_ROOT / "dialogs" / "young_person.yaml",
               PROJECT_ROOT / "guides" / "child_guide.yaml"]




def test_syllable_estimate() -> None:
    assert [syllables(w) for w in ("safe", "worry", "meeting", "chairperson", "protection")] == [1, 2, 2, 3, 3]


def test_hard_text_scores_higher_than_plain_text() -> None:
    plain = measure("The meeting is about you. People want you to be safe.")
    hard = measure("The multi-agency conference will determine whether the threshold of significant harm is met.")
    assert plain.grade < 3 < hard.grade


@pytest.mark.parametrize("path", CHILD_FILES, ids=lambda p: p.name)
def test_childrens_texts_are_easy_to_read(path: Path) -> None:
    text = "\n".join(yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    score = measure(text)
    limit = 6.0 if path.name == "young_person.yaml" else 4.5
    assert score.grade <= limit, f"{path.name}: grade {score.grade}"
    assert score.words_per_sentence <= 12, f"{path.name}: {score.words_per_sentence:.1f} words a sentence"
    assert score.longest_sentence <= 24


def test_the_guide_reads_at_each_ages_level() -> None:
    """The pages every child sees read at a primary level; the 12-and-over pages (the plan's
    categories, example worries) at most at the young people's booklet's level."""
    pages = yaml.safe_load((PROJECT_ROOT / "guides" / "child_guide.yaml").read_text(encoding="utf-8"))["pages"]
    for_all = [p for p in pages if not p.get("ages")]
    older = [p for p in pages if p.get("ages") == ["12plus"]]
    assert for_all and older and len(for_all) + len(older) == len(pages)
    for chosen, limit in ((for_all, 4.5), (older, 6.0)):
        score = measure("\n".join(yaml_strings(chosen)))
        assert score.grade <= limit, f"grade {score.grade}"
        assert score.words_per_sentence <= 12 and score.longest_sentence <= 24
