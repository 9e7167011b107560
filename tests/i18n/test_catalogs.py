"""The translation pipeline: extraction from code and YAML, complete catalogues, locale choice."""

import gettext
import io
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.i18n.catalog import compile_catalogs, extract_template, problems
from cpc_bot.i18n.extract import extract_dialog_yaml
from cpc_bot.i18n.locale import is_rtl, language_name, negotiate_locale
from tests.helpers import yaml_strings

LOCALES = PROJECT_ROOT / "locales"

SAMPLE = """\
id: demo
title: A title
steps:
  - key: first
    kind: text
    prompt: "What is going well?"
    options:
      - {key: a, label: Option A}
  - key: second
    kind: info
    text: |-
      Two lines
      of text.
"""


def test_yaml_extractor_finds_strings_lines_and_context() -> None:
    found = list(extract_dialog_yaml(io.BytesIO(SAMPLE.encode()), [], [], {}))
    assert [(line, message) for line, _f, message, _c in found] == [
        (2, "A title"), (6, "What is going well?"), (8, "Option A"), (11, "Two lines\nof text."),
    ]
    assert found[1][3] == ["demo > first > prompt"]


def test_every_yaml_string_is_in_the_template() -> None:
    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    for folder in ("dialogs", "guides"):
        for path in sorted((PROJECT_ROOT / folder).glob("*.yaml")):
            missing = set(yaml_strings(yaml.safe_load(path.read_text(encoding="utf-8")))) - template
            assert not missing, f"{path.name}: run `python -m cpc_bot.i18n.catalog update` ({sorted(missing)[:3]})"


def test_the_template_holds_every_string_of_the_code_templates_and_dialogs(tmp_path: Path) -> None:
    """A fresh extraction from Python, Jinja2 and YAML finds nothing the committed template lacks."""
    extract_template(PROJECT_ROOT, tmp_path / "fresh.pot")
    with (tmp_path / "fresh.pot").open("rb") as fh:
        fresh = {m.id for m in read_po(fh) if m.id}
    with (LOCALES / "messages.pot").open("rb") as fh:
        committed = {m.id for m in read_po(fh) if m.id}
    assert sorted(fresh - committed, key=str) == [], "run `python -m cpc_bot.i18n.catalog update`"
    assert sorted(committed - fresh, key=str) == [], "run `python -m cpc_bot.i18n.catalog update`"
    # Each kind of source is really read: a string only in Python, one only in a dialog, one only in a template.
    assert {"Which language would you like?", "What is going well"} <= fresh


def test_catalogues_are_complete_and_placeholders_match() -> None:
    assert problems(LOCALES) == []


def test_compiled_catalogue_translates_with_plurals(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(LOCALES, tmp_path / "locales")
    assert set(compile_catalogs(tmp_path / "locales")) >= {"en", "pl"}
    polish = gettext.translation("messages", tmp_path / "locales", languages=["pl"])
    assert polish.gettext("⬅️ Back") == "⬅️ Wstecz"
    assert [polish.ngettext("%(count)d picture", "%(count)d pictures", n) % {"count": n} for n in (1, 3, 5)] == [
        "1 rysunek", "3 rysunki", "5 rysunków"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("pl", "pl"), ("pl-PL", "pl"), ("en-GB", "en"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_locale_negotiation(code: str | None, expected: str) -> None:
    assert negotiate_locale(code, ["en", "pl"], "en") == expected


def test_direction_and_names() -> None:
    assert is_rtl("ur") and is_rtl("ar")
    assert not is_rtl("pl") and not is_rtl("en")
    assert language_name("pl") == "Polski"
    assert language_name("de") == "Deutsch"


def test_a_command_in_a_right_to_left_line_keeps_its_slash_in_front() -> None:
    """"/start" inside Urdu or Arabic was drawn "start/": a LEFT-TO-RIGHT MARK before the slash
    keeps the command in order; tags, links and Latin-script texts are left alone."""
    from cpc_bot.i18n.bidi import LRM, RLM, mark_rtl

    urdu = "جاری رکھنے کے لیے <b>/start</b> بھیجیں، یا یہ لنک کھولیں: https://t.me/b"
    marked = mark_rtl(urdu)
    assert marked == RLM + "جاری رکھنے کے لیے <b>" + LRM + "/start</b> بھیجیں، یا یہ لنک کھولیں: https://t.me/b"
    assert mark_rtl(marked) == marked  # marked once only
    assert mark_rtl("Send /start to carry on.") == "Send /start to carry on."
