"""The safety check on its own: what people really type, and who they are, decide the help."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpc_bot.safety.help import help_text
from cpc_bot.safety.net import KINDS, PatternError, SafetyNet, default_net

NET = default_net()


@pytest.mark.parametrize("text", [
    "he hurts me",
    "I don't feel safe",  # the bot's own button words
    "I dont feel safe",
    "he touches me",
    "sucide",
    "i want to d\u200bie",  # a zero-width space inside a word
    "i w\u0430nt to die",  # a Cyrillic a
    "k1ll mys3lf",
    "pleeeease heeelp me",
    "tata mnie bije jak pije",  # Polish, another word order
    "bije mnie tata",
    "MY DAD HIT ME YESTERDAY",
])
def test_what_people_really_type_is_recognised(text: str) -> None:
    assert NET.check(text, "child", "en").kinds, text


@pytest.mark.parametrize("text", [
    "i was killing myself laughing at that video",
    "going to hit the gym after school",
    "this homework is killing me",
    "my phone died again",
    "we beat them 3-0 on saturday",
    "I feel safe with my nan",
])
def test_ordinary_words_are_not_alarms(text: str) -> None:
    assert not NET.check(text, "child", "en").kinds, text


def test_who_decides_what_the_words_mean() -> None:
    assert NET.check("he hits me", "child", "en").kinds == {"child_harm"}
    assert NET.check("he hits me", "parent", "en").kinds == {"domestic_abuse"}
    assert NET.check("he hits me", "unknown", "en").kinds >= {"child_harm", "domestic_abuse"}
    # Parents describing the concerns, professionals writing a case: not cries for help.
    assert not NET.check("they say I hit him, I never did", "parent", "en").kinds
    assert not NET.check("Mother reports that father hit her in March; police informed.", "professional", "en").kinds
    # Unless someone is in danger now, or the writer themself is being hurt.
    assert "danger_now" in NET.check("the father is outside the door with a knife threatening me right now", "professional", "en").kinds
    assert "domestic_abuse" in NET.check("my own partner has been hitting me", "professional", "en").kinds


def test_the_help_is_chosen_for_the_person() -> None:
    from aiogram.utils.i18n import I18n

    from cpc_bot.config import PROJECT_ROOT
    from cpc_bot.i18n.catalog import compile_catalogs

    compile_catalogs(PROJECT_ROOT / "locales")
    i18n = I18n(path=PROJECT_ROOT / "locales", default_locale="en", domain="messages")
    with i18n.context(), i18n.use_locale("en"):
        child = help_text({"child_harm"}, "child")
        mum = help_text({"domestic_abuse", "suicide"}, "parent")
        nurse = help_text({"danger_now"}, "professional")
        everyone = {kind: help_text({kind}, who) for kind in KINDS for who in ("child", "parent", "professional", "unknown")}
    assert "0800 1111" in child and "999" in child and "0808 2000 247" not in child
    assert "0808 2000 247" in mum and "116 123" in mum and "press 55" in mum and "0800 1111" not in mum
    assert "safeguarding procedures" in nurse and "0808 800 5000" in nurse
    assert all(len(text) < 4096 for text in everyone.values())
    assert all("secret" not in text.lower() for text in everyone.values())


def test_a_broken_pattern_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "xx.yaml").write_text("language: xx\npatterns:\n  - {kind: nonsense, any: [a]}\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"xx.yaml: patterns\[0\]"):
        SafetyNet([tmp_path / "xx.yaml"])


def test_every_language_has_a_pattern_file() -> None:
    assert set(NET.languages) == {"en", "pl", "ro", "pa", "ur", "pt", "ar", "bn", "gu"}


def test_words_yaml_would_read_as_true_or_false_stay_words(tmp_path: Path) -> None:
    """A bare ``on`` is Polish for "he", ``no`` Portuguese for "in the": plain YAML makes them
    booleans, and the rule "on + bije" would never fire."""
    (tmp_path / "xx.yaml").write_text(
        "language: xx\nwords:\n  he: [on, yes, no]\npatterns:\n  - {kind: harm, about: other, all: [he, [bije]]}\n",
        encoding="utf-8")
    net = SafetyNet([tmp_path / "xx.yaml"])
    assert net.check("on bije mame", "child")
    assert net.check("no bije", "child")
