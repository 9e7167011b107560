"""The loader refuses a broken questionnaire with the file and the step named."""

from pathlib import Path

import pytest

from cpc_bot.engine.loader import DialogError, load_dialog_file, load_dialogs

GOOD = """
id: sample
version: 1
title: Sample
audience: parent
finished: Thank you.
steps:
  - key: intro
    kind: info
    text: Hello
  - key: kids
    kind: repeat
    prompt: Tell us about each child.
    item_label: Child
    add_another: Add another child
    done_label: That is all
    steps:
      - {key: name, kind: text, prompt: First name, max_messages: 1}
      - {key: born, kind: date, prompt: Date of birth, past_only: true, optional: true}
  - key: feel
    kind: scale
    prompt: How safe?
    min: 1
    max: 10
    low_label: Not safe
    high_label: Safe
  - key: help
    kind: multi
    prompt: Help
    options: [{key: money, label: Money}, {key: other, label: Other}]
  - key: help_other
    kind: text
    prompt: What other help?
    when: {answer: help, is: other}
"""


def write(tmp_path: Path, text: str, name: str = "sample.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    registry = load_dialogs(tmp_path)
    dialog = registry["sample"]
    assert [s.kind for s in dialog.steps] == ["info", "repeat", "scale", "multi", "text"]
    assert registry.for_audience("parent") == [dialog]
    assert registry.get("missing") is None


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (GOOD.replace("kind: scale", "kind: slider"), "step 'feel' (steps[2])"),
        (GOOD.replace("    min: 1\n", ""), "step 'feel' (steps[2])"),
        (GOOD.replace("answer: help, is", "answer: later_one, is"), "step 'help_other' (steps[4]): condition refers to 'later_one'"),
        (GOOD.replace("key: help_other", "key: help"), "key 'help' is used twice"),
        (GOOD.replace("{key: other, label: Other}", "{key: money, label: Other}"), "option keys must be unique"),
        (GOOD.replace("key: feel", "key: Feel-Bad"), "lower_snake_case"),
        (GOOD.replace("    text: Hello\n", ""), "an info step needs 'text'"),
        (GOOD + "  - {key: x, kind: text}\n", "step 'x' (steps[5]): a text step needs 'prompt'"),
        (GOOD.replace("steps:\n  - key: intro", "steps:\n - key: intro\n   - bad", 1), "not valid YAML"),
        (GOOD.replace("text: Hello", "text: 'Up to %(questions)d, 100%'"), "counts only with %(questions)d, %(optional)d"),
        (GOOD.replace("text: Hello", "text: 'Up to %(steps)d'"), "counts only with"),
        (GOOD.replace("item_label: Child", "item_label: Child\n    item_name: born"), "item_name 'born' must be the key of a text question"),
        (GOOD.replace("    kind: scale\n", "    kind: scale\n    cover: true\n"), "a cover step is a text question with a 'review_label'"),
    ],
)
def test_mistakes_name_file_and_step(tmp_path: Path, broken: str, expected: str) -> None:
    path = write(tmp_path, broken)
    with pytest.raises(DialogError) as caught:
        load_dialog_file(path)
    assert str(caught.value).startswith("sample.yaml")
    assert expected in str(caught.value)


def test_an_info_text_without_counts_may_hold_a_percent_and_a_group_names_its_items(tmp_path: Path) -> None:
    text = GOOD.replace("text: Hello", "text: 'Nearly 100% of people finish'").replace(
        "item_label: Child", "item_label: Child\n    item_name: name")
    dialog = load_dialog_file(write(tmp_path, text))
    assert dialog.steps[0].text == "Nearly 100% of people finish" and dialog.steps[1].item_name == "name"


def test_id_must_match_file_name(tmp_path: Path) -> None:
    with pytest.raises(DialogError, match="must match the file name"):
        load_dialog_file(write(tmp_path, GOOD, "other.yaml"))


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DialogError, match="no dialog files"):
        load_dialogs(tmp_path)
