"""The plain-language check flags jargon with everyday words instead."""

from pathlib import Path

import pytest

from cpc_bot.domain.plain_language import JargonFileError, check, load_terms


def test_flags_jargon_with_suggestions() -> None:
    flags = check("Mum has not engaged. There is a risk of Significant Harm due to neglect; ICPC recommended.")
    assert [f.term for f in flags] == ["non-engagement", "significant harm", "neglect", "ICPC"]
    assert [f.found for f in flags] == ["engaged", "Significant Harm", "neglect", "ICPC"]
    assert "say what happened" in flags[1].suggestion
    assert "risk of Significant Harm" in flags[1].excerpt


@pytest.mark.parametrize(("sentence", "found", "everyday"), [
    ("Police reported DA at the home in May.", "DA", "domestic abuse: say what happened, e.g. 'Dad hit Mum'"),
    ("The HV visited on 3 May.", "HV", "health visitor"),
    ("The family is on Universal Partnership Plus.", "Universal Partnership Plus", "extra help from the health visitor"),
    ("Amira is pre-verbal.", "pre-verbal", "not talking yet"),
    ("Mum is attuned to Amira's cues.", "attuned", "notices and responds to what the baby needs"),
], ids=["DA", "HV", "universal partnership plus", "pre-verbal", "attuned"])
def test_terms_the_review_found_missing_are_flagged_with_everyday_words(sentence: str, found: str, everyday: str) -> None:
    flags = check(sentence)
    assert [f.found for f in flags] == [found]
    assert everyday in flags[0].suggestion


def test_phrases_match_in_any_case_and_with_their_inflections() -> None:
    flags = check("Dad is not engaging. Mum disengaged in May. Engagement was poor. The baby is PREVERBAL.")
    assert [(f.term, f.found) for f in flags] == [
        ("non-engagement", "engaging"), ("non-engagement", "disengaged"),
        ("non-engagement", "Engagement"), ("pre-verbal", "PREVERBAL")]


def test_an_excerpt_stays_within_its_line() -> None:
    # One line is one paragraph of one answer: the words of the next never show in the excerpt.
    flags = check("We have concerns about neglect\nAmira smiles at her gran every morning.")
    assert [f.excerpt for f in flags] == ["We have concerns about neglect"]


def test_an_excerpt_is_cut_at_words_and_marked_where_cut() -> None:
    text = "On the first visit in the spring of this year the flat was cold and there was evidence of neglect in the kitchen and the bedroom of the two children."
    [flag] = check(text)
    assert flag.excerpt == "…was cold and there was evidence of neglect in the kitchen and the bedroom of the…"


def test_lower_case_words_and_names_are_not_abbreviations() -> None:
    # Polish "da" (will manage), the names Cindy and Cin, and CINDY in capitals: only the real DA fires.
    flags = check("Mama mówi, że da radę przyjść. Cindy, CINDY and her brother Cin came too. DA was reported.")
    assert [f.term for f in flags] == ["DA"]


def test_a_plain_sentence_is_not_flagged() -> None:
    assert check("Gran waved from the threshold as Jamie left for school with Cin.") == []
    assert check("Jamie missed 12 school days in March. Mum asked for help with the rent.") == []
    assert check("The cinema trip went well; the thresholds of the house were repaired.") == []
    assert check("A plan for who looks after Amira when mum works nights.") == []


def test_every_entry_has_everyday_words_and_a_source() -> None:
    terms = load_terms()
    assert len(terms) > 80
    for term in terms:
        assert term.plain.strip() and term.source.split(" ")[0] in {"seed", "Working", "issue", "practice"}, term
        assert check(term.term), f"{term.term!r} does not match itself"


def test_a_broken_entry_is_refused_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "jargon.yaml"
    broken.write_text('terms:\n  - {term: attuned, match: ["(mis)?attuned"], plain: "notices", source: practice}\n', encoding="utf-8")
    with pytest.raises(JargonFileError, match="attuned"):
        load_terms(broken)
