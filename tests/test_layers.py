"""The house has floors: a module imports only from its own layer or the layers below it.

Issue 16 point 1: the dialog core is split into a model that knows no Telegram, the services
that read it (documents, reminders), and a thin Telegram adapter on top. This test reads every
module's imports with ``ast`` (the imports inside functions too) and fails when a lower layer
imports a higher one, so the split cannot quietly come undone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cpc_bot"

#: From the bottom up: (name, the modules in it (a package stands for all of its modules), why
#: it stands there, whether it must not import aiogram). The longest matching name wins, so
#: ``cpc_bot.engine.runner`` can stand above ``cpc_bot.engine``'s model.
LAYERS: list[tuple[str, tuple[str, ...], str, bool]] = [
    ("ground", ("cpc_bot.clock", "cpc_bot.i18n", "cpc_bot.telegram_text", "cpc_bot.redaction"),
     "time, languages and text measuring: everything may use them, they use nothing of the bot", False),
    ("domain", ("cpc_bot.domain",),
     "the rules of child protection conferences (deadlines, areas, plain language): pure", True),
    ("config", ("cpc_bot.config",),
     "settings, read once at start-up; the services below the engine are built from them", True),
    ("services", ("cpc_bot.store", "cpc_bot.safety", "cpc_bot.mail"),
     "storage, the safety net and mail: they know nothing of questionnaires", False),
    ("engine model", ("cpc_bot.engine",),
     "schema, flow, values, loader, guides and View: a questionnaire and its answers, no Telegram", True),
    ("readers of the model", ("cpc_bot.documents", "cpc_bot.reminders"),
     "reports and reminders read answers through the model, never through the runner", False),
    ("engine adapter", ("cpc_bot.engine.runner", "cpc_bot.engine.screens"),
     "the engine on Telegram: screens, buttons and the aiogram runner", False),
    ("web adapter", ("cpc_bot.web",),
     "the engine on the web: pages drawn from the core's state, beside the Telegram adapter (never importing it)", True),
    ("handlers", ("cpc_bot.handlers",),
     "routers and middlewares for everything that is not a questionnaire", False),
    ("app", ("cpc_bot.app", "cpc_bot.webhook"),
     "the composition root: it builds everything and wires it together (and the webhook it serves)", False),
    ("entry points", ("cpc_bot.cli", "cpc_bot.__main__", "cpc_bot.deadlines_cli", "cpc_bot.i18n.extract"),
     "commands people run; i18n.extract is pybabel's extractor for the dialog YAML, run by maintainers", False),
]

#: The Bot API emulator is a test tool, not a floor of the bot: it may import only these modules
#: of the bot (what it imports today), and only the command line starts it.
EMULATOR = "cpc_bot.emulator"
EMULATOR_MAY_IMPORT = {"cpc_bot.config", "cpc_bot.store.crypto"}
MAY_IMPORT_EMULATOR = {"cpc_bot.cli"}

#: Imports that still run up a floor, each with why it is still there: the debt, to pay and remove.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    # None left: the answer wording (describe_answer, short_label, uk_time, tr) moved from the
    # Telegram screens into the model (engine.kinds, engine.labels), issue 16 point 1.
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """The bot's modules that ``path`` imports, anywhere in the file (``from a import b`` counts
    ``a.b`` when that is a module of its own)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; write it whole"
            if node.module is None:
                continue
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in MODULES)
    return {name for name in found if name == "cpc_bot" or name.startswith("cpc_bot.")}


def imports_aiogram(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(name == "aiogram" or name.startswith("aiogram.") for name in names):
            return True
    return False


FILES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
MODULES = set(FILES)


def layer_of(module: str) -> int | None:
    """The index in LAYERS of the longest name that ``module`` is or lies under."""
    best: tuple[int, int] | None = None  # (length of the matched name, layer)
    for index, (_name, names, _why, _pure) in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                best = (len(name), index)
    return None if best is None else best[1]


def upward_imports() -> list[tuple[str, str]]:
    """(importer, imported) for every import that runs up a layer, or breaks the emulator's rules."""
    wrong = []
    for module, path in FILES.items():
        for target in imported_modules(path):
            if module == EMULATOR or module.startswith(EMULATOR + "."):
                if not (target.startswith(EMULATOR) or target in EMULATOR_MAY_IMPORT):
                    wrong.append((module, target))
                continue
            if target == EMULATOR or target.startswith(EMULATOR + "."):
                if module not in MAY_IMPORT_EMULATOR:
                    wrong.append((module, target))
                continue
            here, there = layer_of(module), layer_of(target)
            if here is not None and there is not None and there > here:
                wrong.append((module, target))
    return sorted(wrong)


def test_every_module_stands_on_a_layer() -> None:
    lost = [m for m in MODULES if m != "cpc_bot" and not m.startswith(EMULATOR) and layer_of(m) is None]
    assert lost == [], f"put these modules on a layer in LAYERS: {lost}"


def test_no_layer_imports_a_higher_one() -> None:
    found = upward_imports()
    new = [(a, b) for a, b in found if (a, b) not in KNOWN_EXCEPTIONS]
    assert new == [], "imports that run up a layer (see LAYERS):\n" + "\n".join(
        f"  {a} ({LAYERS[layer_of(a)][0] if layer_of(a) is not None else 'emulator'}) imports "
        f"{b} ({LAYERS[layer_of(b)][0] if layer_of(b) is not None else 'emulator'})" for a, b in new)


def test_known_exceptions_are_still_true() -> None:
    """A paid debt leaves the list, so the list stays the truth."""
    found = set(upward_imports())
    paid = [pair for pair in KNOWN_EXCEPTIONS if pair not in found]
    assert paid == [], f"these imports are gone or no longer run upward: remove them from KNOWN_EXCEPTIONS: {paid}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m) is not None and LAYERS[layer_of(m)][3]))
def test_model_layers_import_no_aiogram(module: str) -> None:
    """The engine's model, the domain and the settings know nothing of Telegram."""
    assert not imports_aiogram(FILES[module]), f"{module} imports aiogram"



def test_the_web_adapter_stands_beside_the_telegram_one() -> None:
    """The web chat draws the core's state itself: it never borrows Telegram's screens, runner or handlers."""
    telegram = ("cpc_bot.engine.runner", "cpc_bot.engine.screens", "cpc_bot.handlers", "cpc_bot.app", "cpc_bot.webhook")
    borrowed = [(module, target) for module, path in FILES.items() if module.startswith("cpc_bot.web.")
                for target in imported_modules(path) if target.startswith(telegram)]
    assert borrowed == []
