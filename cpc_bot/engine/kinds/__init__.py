"""The kinds of step, one module each: a new kind is one file in this package.

Each module but :mod:`~cpc_bot.engine.kinds.base` holds one :class:`Kind` (its screen as
channel-neutral lines and buttons, what it takes, how its answer reads, what it puts in a
report), registered by name in :data:`KINDS` when the package is imported. The schema checks a
step against its kind, the session service hands typed words, pictures and taps to it, the
Telegram adapter draws its lines and buttons, and the reports and /mydata read answers through
:func:`describe_answer` and :meth:`Kind.report`.

Part of the engine's model: no aiogram; words come from :mod:`cpc_bot.i18n.text`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from cpc_bot.engine.kinds.base import (
    BLANK,
    KINDS,
    Ask,
    Button,
    Kind,
    Line,
    Problem,
    ReportPart,
    Taken,
    Tapped,
    button_number,
    only_words,
    preview,
    register,
    tr,
    uk_time,
)
from cpc_bot.engine.schema import Step
from cpc_bot.i18n.text import gettext as _

#: The modules of this package that are kinds (all but base), in name order.
MODULES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base"))
for _module in MODULES:
    importlib.import_module(f"{__name__}.{_module}")


def kind_of(step: Step) -> Kind:
    return KINDS[step.kind]


def is_empty(step: Step, value: Any) -> bool:
    """No answer to count: nothing saved, or an empty text, choice of several or drawing."""
    return value is None or KINDS[step.kind].is_empty(step, value)


def describe_answer(step: Step, value: Any, locale: str, *, skipped: bool = False) -> str:
    """An answer as plain text (not escaped) for the review screen, /mydata and reports."""
    if skipped or value is None:
        return _("(skipped)")
    return KINDS[step.kind].describe(step, value, locale)


__all__ = [
    "BLANK",
    "KINDS",
    "MODULES",
    "Ask",
    "Button",
    "Kind",
    "Line",
    "Problem",
    "ReportPart",
    "Taken",
    "Tapped",
    "button_number",
    "describe_answer",
    "is_empty",
    "kind_of",
    "only_words",
    "preview",
    "register",
    "tr",
    "uk_time",
]
