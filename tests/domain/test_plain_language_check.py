"""The plain-language check flags jargon with everyday words instead."""

from cpc_bot.domain.plain_language import check


def test_flags_jargon_with_suggestions() -> None:
    flags = check("Mum has not engaged. There is a risk of Significant Harm due to neglect; ICPC recommended.")
    assert [f.term for f in flags] == ["significant harm", "neglect", "icpc"]
    assert "say what happened" in flags[0].suggestion
    assert "risk of Significant Harm" in flags[0].excerpt


def test_plain_words_pass_and_parts_of_words_are_not_flagged() -> None:
    assert check("Jamie missed 12 school days in March. Mum asked for help with the rent.") == []
    assert check("The cinema trip went well; the thresholds of the house were repaired.") == []
