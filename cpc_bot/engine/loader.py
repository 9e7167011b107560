"""Load and check every questionnaire at start; a mistake names the file and the step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cpc_bot.engine.kinds import KINDS
from cpc_bot.engine.schema import Dialog, Step

#: libyaml's parser where PyYAML has it: the same results as SafeLoader, several times faster at start-up.
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DialogError(Exception):
    """A questionnaire file is wrong; the message says which file and which step."""


def _where(raw: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into "step 'key' (steps[3])"."""
    parts = []
    node = raw
    i = 0
    while i < len(loc):
        name = loc[i]
        if name == "steps" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            index = loc[i + 1]
            try:
                node = node["steps"][index]
                key = node.get("key", "?") if isinstance(node, dict) else "?"
            except (KeyError, IndexError, TypeError):
                key = "?"
            parts.append(f"step '{key}' (steps[{index}])")
            i += 2
            continue
        if not isinstance(name, int) and name not in {"Step", "function-after[_kind_fields(), Step]"}:
            parts.append(str(name))
        i += 1
    return " > ".join(parts) or "top level"


def _cross_checks(dialog: Dialog) -> None:
    """Rules that need the whole file: unique keys, conditions on earlier answers."""
    seen: dict[str, Step] = {}

    def check_conditions(step: Step, place: str, earlier: set[str]) -> None:
        for cond in step.when:
            if cond.answer is not None and cond.answer not in earlier:
                raise DialogError(f"{place}: condition refers to '{cond.answer}', which is not an earlier question")

    for index, step in enumerate(dialog.steps):
        place = f"step '{step.key}' (steps[{index}])"
        if step.key in seen:
            raise DialogError(f"{place}: key '{step.key}' is used twice")
        check_conditions(step, place, set(seen))
        seen[step.key] = step
        if step.kind == "repeat":
            inner_earlier = set(seen)
            for sub_index, sub in enumerate(step.steps):
                sub_place = f"{place} > step '{sub.key}' (steps[{sub_index}])"
                check_conditions(sub, sub_place, inner_earlier)
                inner_earlier.add(sub.key)
    if not any(s.kind == "repeat" or KINDS[s.kind].asks for s in dialog.steps):
        raise DialogError("the dialog asks no question")


def load_dialog_file(path: Path) -> Dialog:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise DialogError(f"{path.name}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise DialogError(f"{path.name}: the file must hold a mapping with id, version, title and steps")
    try:
        dialog = Dialog.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        raise DialogError(f"{path.name}: {_where(raw, tuple(err['loc']))}: {message}") from None
    try:
        _cross_checks(dialog)
    except DialogError as exc:
        raise DialogError(f"{path.name}: {exc}") from None
    if path.stem != dialog.id:
        raise DialogError(f"{path.name}: the id '{dialog.id}' must match the file name")
    return dialog


#: What a questionnaire's ``when: {context: ...}`` conditions read for one person (their user id):
#: facts from outside the answers, such as the area of the conference a parent is linked to.
ContextProvider = Callable[[int], Awaitable[Mapping[str, Any]]]


@dataclass
class DialogRegistry:
    dialogs: dict[str, Dialog] = field(default_factory=dict)
    #: Per questionnaire, where its context comes from when one starts (wired in ``app.py``; kept
    #: with its answers, see ``view.CONTEXT_PREFIX``); none: an empty context.
    contexts: dict[str, ContextProvider] = field(default_factory=dict)

    async def context_for(self, dialog_id: str, user_id: int) -> Mapping[str, Any]:
        provider = self.contexts.get(dialog_id)
        return await provider(user_id) if provider is not None else {}

    def __getitem__(self, dialog_id: str) -> Dialog:
        return self.dialogs[dialog_id]

    def get(self, dialog_id: str) -> Dialog | None:
        return self.dialogs.get(dialog_id)

    def for_audience(self, audience: str) -> list[Dialog]:
        return [d for d in self.dialogs.values() if d.audience == audience]


def load_dialogs(directory: Path) -> DialogRegistry:
    """Every ``*.yaml`` in ``directory``, validated; raises :class:`DialogError`."""
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DialogError(f"{directory}: no dialog files found")
    registry = DialogRegistry()
    for path in files:
        dialog = load_dialog_file(path)
        registry.dialogs[dialog.id] = dialog
    return registry
