"""The step kinds (issue 16 point 1): one module each, and what they draw is what the session takes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.engine.kinds import KINDS, MODULES, Ask, Button, Line, describe_answer
from cpc_bot.engine.loader import DialogError, load_dialog_file, load_dialogs
from cpc_bot.engine.schema import Step
from cpc_bot.engine.session import DialogSession

SAMPLE = Path(__file__).resolve().parent.parent / "dialogs" / "sample_dialogs"


def every_step() -> Iterator[Step]:
    """Every step of the real questionnaires and the engine's sample, inside repeat groups too."""
    for directory in (PROJECT_ROOT / "dialogs", SAMPLE):
        for dialog in load_dialogs(directory).dialogs.values():
            for step in dialog.steps:
                yield step
                yield from step.steps


def test_every_kind_is_one_module_named_after_it() -> None:
    assert sorted(KINDS) == list(MODULES) == [
        "choice", "date", "drawing", "info", "multi", "repeat", "scale", "text", "time"]
    for name, kind in KINDS.items():
        assert kind.name == name
        assert type(kind).__module__ == f"cpc_bot.engine.kinds.{name}"


def test_every_kind_the_questionnaires_use_has_its_module() -> None:
    used = {step.kind for step in every_step()}
    assert used <= set(KINDS)
    assert used >= set(KINDS) - {"time"}  # time is asked by the professionals' own registration


def test_a_kind_without_a_module_is_refused_naming_the_kinds(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text("id: odd\nversion: 1\ntitle: Odd\naudience: parent\nfinished: Thanks.\nsteps:\n"
                    "  - {key: feel, kind: slider, prompt: 'How do you feel?'}\n", encoding="utf-8")
    with pytest.raises(DialogError) as caught:
        load_dialog_file(path)
    assert str(caught.value) == (
        "odd.yaml: step 'feel' (steps[0]) > kind: unknown kind 'slider': "
        "one of choice, date, drawing, info, multi, repeat, scale, text, time")


@pytest.mark.parametrize("value", [None, "answered"])
def test_every_button_a_kind_draws_is_one_the_session_takes(value: str | None) -> None:
    """Each kind's screen is plain data (lines and buttons, no HTML); each button's action is
    the session's own (next, done, clear, more ...) or one of the kind's own taps, and a tap of
    the kind's own with the value it drew is taken."""
    session_actions = set(DialogSession._actions)
    for step in every_step():
        kind = KINDS[step.kind]
        answer = {"text": ["Some words"], "choice": step.options[0].key if step.options else None,
                  "multi": [step.options[-1].key] if step.options else None, "scale": step.min,
                  "date": "2026-12-15", "time": "10:00", "drawing": [{"type": "text", "text": "A house"}],
                  }.get(step.kind) if value else None
        ask = Ask(answer, "en", today=date(2026, 12, 3), counts=lambda: {"questions": 3, "optional": 1})
        lines, rows = kind.prompt_lines(step, ask), kind.buttons(step, ask)
        assert all(isinstance(line, Line) and "<" not in line.text.replace("<3", "") for line in lines), step.key
        for button in (b for row in rows for b in row):
            assert isinstance(button, Button) and button.label, step.key
            assert button.action in session_actions or button.action in kind.taps, (step.key, button)
            if button.action in kind.taps:
                assert kind.tap(step, answer, button.action, button.value) is not None, (step.key, button)
        if answer is not None and kind.asks:
            assert describe_answer(step, answer, "en"), step.key
