"""The safety check: (text, who, language) -> the kinds of help the words call for. Pure.

This is a safety net, not a detector: it errs towards showing the helplines, which costs a
reader a few seconds, and it never blocks or changes what they wrote. Every channel calls
:meth:`SafetyNet.check` on every piece of text a person sends, before anything else.

The patterns are data, one YAML file per language in ``patterns/`` (see its README). Every
language's patterns are tried on every message, whatever the person's interface language:
people switch languages, and write a few words of English inside another.

How a message is matched:
1. It is normalised and marked in one step (``normalise.mark``): words with one space between
   them, a line break between sentences.
2. First pass, over the whole message: one Aho-Corasick automaton (pyahocorasick) gives each
   sentence its word groups as bits (surely there; perhaps there, for terms of several words
   matched one by one) and the rules anchored there (each rule's least common group, learnt
   from the bot's own catalogues). Keys are exact words, word beginnings (``hit*``), endings
   (``*ni``) and parts (``*ضرب*``: Arabic and Urdu attach prefixes and pronoun suffixes);
   Latin-script terms of six letters or more also match with one letter dropped or two
   swapped ("sucide"), and other near misses are found by edit distance (rapidfuzz), once per
   word. Unusual spellings (digits for letters, a letter three times) are spotted here too, and
   only those sentences are read again. A sentence goes on only where some rule's groups are
   all there, no ``unless`` is surely there, and the rule would mean help for this writer.
3. Second pass, exact, on those sentences alone (and not on one that could add no kind of help
   beyond what is found already): where each group is, word by word.
4. A rule fires when all its word groups are in one sentence within ``span`` words, in any
   order, and none of its ``unless`` groups is in that sentence.
5. What it fires means depends on who wrote it (:func:`_kinds_for`): "he hits me" from a child
   is a child being harmed, from a parent domestic abuse; a parent quoting what they are
   accused of, or a professional writing up a case, is not a cry for help unless someone is
   in danger now or the writer themself is being hurt.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, chain
from operator import add, itemgetter
from pathlib import Path
from typing import Literal

import ahocorasick
import yaml
from rapidfuzz.distance import Levenshtein

from cpc_bot.safety.normalise import (
    LONG_LATIN_WORD,
    Words,
    fold,
    mark,
    readings,
    sentences,
    unusual_keys,
    words,
)

PATTERNS_DIR = Path(__file__).with_name("patterns")

Who = Literal["child", "parent", "professional", "unknown"]

#: Every kind of help, most urgent first.
KINDS = ("child_danger_now", "danger_now", "child_harm", "domestic_abuse", "suicide", "self_harm", "forced_marriage")
#: What a pattern may say, and about whom.
RULE_KINDS = ("harm", "child_harm", "domestic_abuse", "suicide", "self_harm", "danger_now", "forced_marriage")
ABOUT = ("self", "child", "other")
#: Word groups with a meaning of their own in every language: "now" makes any harm urgent;
#: "reported" (they say, the report says, accused, never) marks a parent describing the concerns
#: or a professional recording what someone said; "first_person" (I, me, my) shows the writer
#: speaks of themself: a professional's case notes are in the third person.
CUES = ("now", "reported", "first_person")

_FUZZY_MIN = 6
_DEFAULT_SPAN = 8


class _PatternLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML as pattern files need it: every word a string. Plain YAML reads a bare ``on``
    (Polish "he"), ``no`` (Portuguese "in the") or ``yes`` as true or false. Parsed by libyaml
    where PyYAML has it (five times faster: the files are large)."""


_PatternLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class PatternError(ValueError):
    """A pattern file that cannot be used: the message names the file and entry."""


@dataclass(frozen=True)
class Rule:
    id: str
    language: str
    kind: str
    about: str
    groups: tuple[int, ...]
    unless: tuple[int, ...]
    span: int


@dataclass(frozen=True)
class Finding:
    """What the words call for. ``languages``: the languages whose patterns matched, so the help
    can also be given in the language the person wrote in."""

    kinds: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    rules: tuple[str, ...] = ()
    #: The language the words were most likely written in (None: nothing matched).
    language: str | None = None

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def ordered(self) -> list[str]:
        return [kind for kind in KINDS if kind in self.kinds]


@dataclass
class _Term:
    pieces: tuple[tuple[str, str], ...]  # (mode, stem) per word; mode: exact | prefix | suffix | infix
    groups: list[int] = field(default_factory=list)


def _parse_term(raw: str, where: str) -> tuple[tuple[str, str], ...]:
    pieces = []
    for token in fold(str(raw)).split():
        starts, ends = token.startswith("*"), token.endswith("*")
        stem = token.strip("*")
        if not stem:
            raise PatternError(f"{where}: empty term {raw!r}")
        mode = "infix" if starts and ends else "suffix" if starts else "prefix" if ends else "exact"
        pieces.append((mode, stem))
    if not pieces:
        raise PatternError(f"{where}: empty term {raw!r}")
    return tuple(pieces)


def _phrase_key(pieces: tuple[tuple[str, str], ...]) -> str | None:
    """The automaton key of a term of several words, when its wildcards are only at its two
    ends (``*x y z*``); None when it must be matched word by word (``tak* all my pills``)."""
    if len(pieces) < 2:
        return None
    first, last = pieces[0][0], pieces[-1][0]
    if first not in ("exact", "suffix") or last not in ("exact", "prefix") or any(m != "exact" for m, _ in pieces[1:-1]):
        return None
    return (" " if first == "exact" else "") + " ".join(stem for _, stem in pieces) + (" " if last == "exact" else "")


def _edits(stem: str) -> Iterator[str]:
    """The stem with one letter dropped, or two neighbours swapped."""
    for i in range(len(stem)):
        yield stem[:i] + stem[i + 1:]
    for i in range(len(stem) - 1):
        yield stem[:i] + stem[i + 1] + stem[i] + stem[i + 2:]


class SafetyNet:
    """All languages' patterns, compiled once. ``check`` is pure and safe to call from any task."""

    def __init__(self, files: Iterable[Path], sample: Iterable[str] = ()) -> None:
        """``files``: the pattern files. ``sample``: ordinary text in our languages (the bot's
        own catalogues), used only to learn which word groups are common, for speed."""
        self.rules: list[Rule] = []
        self.group_names: list[str] = []
        self.group_language: list[str] = []
        self._terms: list[_Term] = []
        self._term_ids: dict[tuple[tuple[str, str], ...], int] = {}
        self._cue_groups: dict[str, set[int]] = {cue: set() for cue in CUES}
        self.languages: list[str] = []
        for path in sorted(files):
            self._load(path)
        self._fuzzy_cache: dict[str, tuple[tuple[int, int], ...]] = {}
        self._near_mask_cache: dict[str, tuple[int, int, tuple[int, ...]]] = {}
        self._far: set[str] = set()
        self._build(list(sample))

    # ------------------------------------------------------------------ loading
    def _group(self, language: str, name: str, terms: list[str], where: str) -> int:
        gid = len(self.group_names)
        self.group_names.append(f"{language}:{name}")
        self.group_language.append(language)
        for raw in terms:
            pieces = _parse_term(raw, where)
            tid = self._term_ids.get(pieces)
            if tid is None:
                tid = self._term_ids[pieces] = len(self._terms)
                self._terms.append(_Term(pieces))
            self._terms[tid].groups.append(gid)
        return gid

    def _load(self, path: Path) -> None:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_PatternLoader) or {}
        language = data.get("language") or path.stem
        self.languages.append(language)
        named: dict[str, int] = {}
        raw_terms: dict[str, list[str]] = {}
        for name, terms in (data.get("words") or {}).items():
            raw_terms[name] = [str(term) for term in terms or []]
            if not isinstance(terms, list) or not terms:
                raise PatternError(f"{path.name}: words.{name} must be a non-empty list")
            named[name] = self._group(language, name, terms, f"{path.name}: words.{name}")
            if name in CUES:
                self._cue_groups[name].add(named[name])

        def resolve(item: object, where: str) -> int:
            if isinstance(item, str) and item in named:
                return named[item]
            if isinstance(item, list):
                # A list of literal terms; a group's name in it stands for that group's terms.
                terms = [term for x in item for term in (raw_terms[x] if isinstance(x, str) and x in raw_terms else [str(x)])]
                return self._group(language, where, terms, where)
            return self._group(language, where, [str(item)], where)

        for number, entry in enumerate(data.get("patterns") or []):
            where = f"{path.name}: patterns[{number}]"
            kind, about = entry.get("kind"), entry.get("about", "self")
            if kind not in RULE_KINDS:
                raise PatternError(f"{where}: kind must be one of {', '.join(RULE_KINDS)}")
            if about not in ABOUT:
                raise PatternError(f"{where}: about must be one of {', '.join(ABOUT)}")
            unless = tuple(resolve(x, f"{where}.unless") for x in entry.get("unless") or [])
            span = int(entry.get("span", _DEFAULT_SPAN))
            rule_id = str(entry.get("id") or f"{language}.{number}")
            if "all" in entry:
                groups = tuple(resolve(x, f"{where}.all") for x in entry["all"])
                self.rules.append(Rule(rule_id, language, kind, about, groups, unless, span))
            elif "any" in entry:
                # One rule per alternative, so a group name and a phrase can be mixed.
                for item in entry["any"]:
                    gid = resolve(item, f"{where}.any")
                    self.rules.append(Rule(rule_id, language, kind, about, (gid,), unless, span))
            else:
                raise PatternError(f"{where}: needs 'all' or 'any'")

    def _build(self, sample: list[str]) -> None:
        """One automaton over every stem, each key marked with the word boundaries its mode
        needs (a space before a word beginning, after a word ending), so a match is always a
        real one and nothing is checked per character in Python."""
        cue_groups = set().union(*self._cue_groups.values())
        #: Cue words ("stated", "now") are matched as written: near misses of short common
        #: words are other words ("stayed").
        # And words that only hold a rule back (``unless``): a near miss of "zabrałam" (I took)
        # is "zabrała" (she took), and must not silence a disclosure.
        rule_groups = {gid for rule in self.rules for gid in rule.groups} - cue_groups
        exact_only = {tid for tid, term in enumerate(self._terms) if not set(term.groups) & rule_groups
                      or set(term.groups) & cue_groups}
        keys: dict[str, list[tuple[int, int]]] = {}
        self._near_index: dict[str, list[tuple[str, int, int, str]]] = {}
        self._prefix_lengths: set[int] = set()
        self._pieced: set[int] = set()
        for tid, term in enumerate(self._terms):
            key = _phrase_key(term.pieces)
            if key is not None:
                # Several words that can be one key: matched whole, in C ("right now").
                keys.setdefault(key, []).append((tid, -1))
                continue
            if len(term.pieces) > 1:
                self._pieced.add(tid)
            for index, (mode, stem) in enumerate(term.pieces):
                variants = {stem}
                # Near misses only in Latin script: elsewhere one code point is often a vowel
                # sign or a dot that makes another word (اغتراب "living abroad", اغتصاب "rape").
                if len(stem) >= _FUZZY_MIN and stem.isascii() and tid not in exact_only and mode in ("exact", "prefix"):
                    variants |= set(_edits(stem))  # a letter dropped, or two swapped
                    # For the edit-distance pass: the stem under each of its one-letter deletions.
                    for key in {stem, *(stem[:i] + stem[i + 1:] for i in range(len(stem)))}:
                        self._near_index.setdefault(key, []).append((stem, tid, index, mode))
                    if mode == "prefix":
                        self._prefix_lengths.add(len(stem))
                for variant in variants:
                    key = {"exact": f" {variant} ", "prefix": f" {variant}", "suffix": f"{variant} ", "infix": variant}[mode]
                    keys.setdefault(key, []).append((tid, index))
        # Whole single words go in a dict (the most frequent hits: "me", "my"); the rest
        # (beginnings, endings, parts, phrases) in the automaton.
        self._whole: dict[str, tuple[tuple[int, int], ...]] = {}
        self._automaton = ahocorasick.Automaton()
        for key, values in keys.items():
            inner = key.strip(" ")
            if key == f" {inner} " and " " not in inner:
                self._whole[inner] = tuple(set(values))
            else:
                self._automaton.add_word(key, (len(key), key.startswith(" "), tuple(set(values))))
        if not len(self._automaton):
            self._automaton.add_word("\x00", (1, False, ()))  # an automaton needs one key
        self._automaton.make_automaton()
        self._first_of_rule: dict[int, list[Rule]] = {}
        for rule in self.rules:
            self._first_of_rule.setdefault(rule.groups[0], []).append(rule)
        self._build_anchors(keys, sample)

    def _build_anchors(self, keys: dict[str, list[tuple[int, int]]], sample: list[str]) -> None:
        """The first pass looks only for each rule's anchor: its least common group (a rule
        "hurt + me" can only fire where a "hurt" word is), so the short common words ("me",
        "my", "he") that most hits are cost nothing in a sentence without an anchor."""

        members: dict[int, list[_Term]] = {}
        for term in self._terms:
            for gid in term.groups:
                members.setdefault(gid, []).append(term)

        # How often each group turns up in ordinary text: in how many sentences of the sample.
        seen: dict[int, int] = {}
        for text in sample:
            for part in sentences(fold(text)):
                for gid in self._groups_at(words(part, folded=True)):
                    seen[gid] = seen.get(gid, 0) + 1

        def commonness(gid: int) -> tuple[int, int, int]:
            # Then, without a sample: a group is as common as its shortest word ("me", "sie").
            terms = members.get(gid, [])
            shortest = min((len(" ".join(stem for _, stem in term.pieces)) for term in terms), default=0)
            return seen.get(gid, 0), -shortest, len(terms)

        self._anchor_of = [min(rule.groups, key=commonness) for rule in self.rules]
        by_anchor: dict[int, list[int]] = {}
        for number, anchor in enumerate(self._anchor_of):
            by_anchor.setdefault(anchor, []).append(number)
        self._mask_automaton = ahocorasick.Automaton()
        for key, values in keys.items():
            self._mask_automaton.add_word(key, self._masks(values, by_anchor))
        for key in unusual_keys():
            if not self._mask_automaton.exists(key):
                self._mask_automaton.add_word(key, None)  # an unusual spelling: read it again
        self._by_anchor = by_anchor
        self._mask_automaton.make_automaton()
        self._rule_masks = [(sum(1 << g for g in set(rule.groups)), sum(1 << g for g in set(rule.unless)))
                            for rule in self.rules]
        self._cue_masks = {cue: sum(1 << g for g in gids) for cue, gids in self._cue_groups.items()}
        self._any_cue = sum(self._cue_masks.values())

    def _masks(self, values: Iterable[tuple[int, int]], by_anchor: dict[int, list[int]]) -> tuple[int, int, tuple[int, ...]]:
        """What one match of a key tells the first pass: the groups surely in its sentence (a
        whole term), the groups perhaps there (the first word of a term of several words that
        are matched one by one), and the rules anchored on any of them."""
        sure = maybe = 0
        rules: set[int] = set()
        for tid, index in values:
            if index > 0:
                continue
            term = self._terms[tid]
            whole = index < 0 or len(term.pieces) == 1
            for gid in term.groups:
                maybe |= 1 << gid
                if whole:
                    sure |= 1 << gid
                rules.update(by_anchor.get(gid, ()))
        return sure, maybe, tuple(sorted(rules))

    # ------------------------------------------------------------------ matching
    def _scan(self, parsed: Words) -> dict[int, set[tuple[int, int]]]:
        """For each word position: the (term, piece) pairs it matches (piece -1: the whole term)."""
        typed = parsed.words
        count = len(typed)
        # The words as typed, then the message read again with other spellings, if any, so
        # that phrases match across them too.
        sequence = list(chain(typed, *parsed.readings))
        text = " " + " ".join(sequence) + " "
        # Where each word starts in ``text``: 1 + the lengths before it + one space after each.
        starts = list(map(add, accumulate(map(len, sequence), initial=1), range(len(sequence) + 1)))
        found: dict[int, set[tuple[int, int]]] = {}
        matched: set[str] = set()
        for index, values in [(i, v) for i, v in enumerate(map(self._whole.get, sequence)) if v is not None]:
            position = index % count
            found.setdefault(position, set()).update(values)
            if len(sequence[index]) >= _FUZZY_MIN:
                matched.add(typed[position])
        for end_index, (length, lead, values) in self._automaton.iter(text):
            position = (bisect_right(starts, end_index - length + 1 + lead) - 1) % count
            found.setdefault(position, set()).update(values)
            if length - lead >= _FUZZY_MIN:
                matched.add(typed[position])
        # Words that matched no long term: one letter changed or added (edit distance, rapidfuzz).
        for word in {word for word in typed if len(word) >= _FUZZY_MIN and word.isascii()} - matched:
            near = self._near(word)
            if near:
                for position, other in enumerate(typed):
                    if other == word:
                        found.setdefault(position, set()).update(near)
        return found

    def _near(self, word: str) -> tuple[tuple[int, int], ...]:
        """Terms one edit away from ``word`` (or from its beginning, for word-beginning terms),
        found through their one-letter deletions (the SymSpell idea), confirmed with rapidfuzz;
        remembered per word."""
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        hits: set[tuple[int, int]] = set()
        index = self._near_index
        pieces = [word] + [word[:length] for length in self._prefix_lengths if length < len(word)]
        for piece in pieces:
            for key in (piece, *(piece[:i] + piece[i + 1:] for i in range(len(piece)))):
                for stem, tid, position, mode in index.get(key, ()):
                    if (mode == "exact" and piece is not word) or (mode == "prefix" and len(piece) != len(stem) and piece is not word):
                        continue
                    target = word if mode == "exact" else word[:len(stem)]
                    if Levenshtein.distance(target, stem, score_cutoff=1) <= 1 or (
                            mode == "prefix" and Levenshtein.distance(word[:len(stem) + 1], stem, score_cutoff=1) <= 1):
                        hits.add((tid, position))
        result = tuple(hits)
        if len(self._fuzzy_cache) >= 100_000:
            self._fuzzy_cache.clear()  # a bound, not an LRU: words recur, and refilling is cheap
        self._fuzzy_cache[word] = result
        return result

    def _groups_at(self, parsed: Words) -> dict[int, list[int]]:
        """Each word group found, with the word positions where it starts."""
        found = self._scan(parsed)
        groups: dict[int, list[int]] = {}
        terms = self._terms
        pieced = self._pieced
        for position, pairs in found.items():
            for tid, index in pairs:
                if index > 0:
                    continue
                term = terms[tid]
                if tid in pieced and not all(
                        (tid, k) in found.get(position + k, ()) for k in range(1, len(term.pieces))):
                    continue
                for gid in term.groups:
                    groups.setdefault(gid, []).append(position)
        return groups

    def check(self, text: str, who: Who | str = "unknown", locale: str = "en") -> Finding:
        """The kinds of help ``text`` calls for, written by ``who``. ``locale`` (the interface
        language) does not limit the patterns tried; it is part of the signature so that a
        channel passes what it knows, and a later rule may weigh it."""
        if not text or not text.strip():
            return Finding()
        normal = mark(text)
        # First pass, over the whole message at once: the sentences where some rule could fire
        # and would mean help for this writer. Most sentences of an ordinary message have none.
        parts = normal.split("\n")
        todo, unusual = self._candidates(normal, parts, who)
        if not todo:
            return Finding()
        kinds: set[str] = set()
        languages: dict[str, int] = {}
        rules: list[str] = []
        for number, (possible, likely) in sorted(todo.items()):
            if possible is not None and possible <= kinds:
                # Nothing this sentence could add to the help already found (a long message
                # of many disclosures): its rules' languages still count towards the one it
                # was written in.
                for language in likely:
                    languages[language] = languages.get(language, 0) + 1
                continue
            # Second pass, exact, on that sentence alone: where each group is.
            at = self._groups_at(words(parts[number], folded=True, plain=number not in unusual))
            cues = {cue: any(g in at for g in gids) for cue, gids in self._cue_groups.items()}
            for gid in list(at):
                for rule in self._first_of_rule.get(gid, ()):
                    if not all(g in at for g in rule.groups) or any(g in at for g in rule.unless):
                        continue
                    if len(rule.groups) > 1 and not _within(at, rule.groups, rule.span):
                        continue
                    found = _kinds_for(rule.kind, rule.about, who, now=cues["now"], reported=cues["reported"],
                                       first_person=cues["first_person"])
                    if found:
                        kinds |= found
                        languages[rule.language] = languages.get(rule.language, 0) + 1
                        rules.append(rule.id)
        return Finding(frozenset(kinds), frozenset(languages), tuple(dict.fromkeys(rules)), _written_in(text, languages))

    def _candidates(self, marked: str, parts: list[str], who: str
                    ) -> tuple[dict[int, tuple[frozenset[str] | None, tuple[str, ...]]], set[int]]:
        """The sentences the exact pass must look at (a superset of those where a rule fires with
        a meaning for ``who``), each with the kinds its rules could mean (None: not known before
        the exact pass) and their languages; and the sentences with unusual spellings.

        The automaton runs over each sentence once and gives its word groups as bits: those
        surely there, and those perhaps there (a term of several words matched one by one), with
        the rules anchored on them. It also spots unusual spellings (a letter typed three times,
        digits among letters): only those sentences are read again with their other spellings
        (:func:`readings`)."""
        found: dict[int, list] = {}
        unusual: set[int] = set()
        scan = self._scan_masks
        for number, part in enumerate(parts):
            if part != " " and scan(part, number, found):  # (" ": between two sentence ends, "?!")
                unusual.add(number)
        for number in unusual:
            for other in readings(parts[number])[1:]:
                self._scan_masks(other, number, found)
                self._near_in(other, [other], found, number)
        self._near_in(marked, parts, found)
        todo: dict[int, tuple[frozenset[str] | None, tuple[str, ...]]] = {}
        cue_masks = self._cue_masks
        any_cue = self._any_cue
        rule_masks = self._rule_masks
        for number, (certain, have, lists) in found.items():
            if not lists:
                continue
            # A cue perhaps there (a term of several words): the exact pass decides.
            unsure = bool(have & any_cue & ~certain)
            cues = tuple(bool(certain & cue_masks[cue]) for cue in CUES)
            possible: frozenset[str] | None = frozenset()
            likely: list[str] = []
            for rule_number in set(chain.from_iterable(lists)) if len(lists) > 1 else lists[0]:
                need, unless = rule_masks[rule_number]
                if need & have != need or unless & certain:
                    continue
                rule = self.rules[rule_number]
                if unsure:
                    possible = None
                    likely.append(rule.language)
                    continue
                meaning = _kinds_cached(rule.kind, rule.about, who, *cues)
                if meaning:
                    if possible is not None:
                        possible |= meaning
                    likely.append(rule.language)
            if likely:
                todo[number] = (possible, tuple(likely))
        return todo, unusual

    def _scan_masks(self, part: str, number: int, found: dict[int, list]) -> bool:
        """One sentence through the automaton: its groups and anchored rules merged into
        ``found``; True when it holds an unusual spelling."""
        certain = perhaps = 0
        rules: list[tuple[int, ...]] = []
        odd = False
        for value in map(itemgetter(1), self._mask_automaton.iter(part)):
            if value is None:
                odd = True
                continue
            sure, maybe, anchored = value
            certain |= sure
            perhaps |= maybe
            if anchored:
                rules.append(anchored)
        if perhaps:
            _merge(found, number, certain, perhaps, rules)
        return odd

    def _near_in(self, text: str, parts: list[str], found: dict[int, list], number: int | None = None) -> None:
        """Latin-script words one letter off a term ("sucide"), worked out once per word."""
        near = {word: masks for word in set(LONG_LATIN_WORD.findall(text)) - self._far
                if (masks := self._near_masks(word))[1]}
        if not near:
            return
        ends = list(accumulate(len(part) + 1 for part in parts))
        for match in LONG_LATIN_WORD.finditer(text):
            masks = near.get(match.group(1))
            if masks is not None:
                sure, maybe, anchored = masks
                where = number if number is not None else bisect_right(ends, match.start(1))
                _merge(found, where, sure, maybe, [anchored] if anchored else [])

    def forget_words(self) -> None:
        """Empty the per-word memory (near misses), as just after a start."""
        self._fuzzy_cache.clear()
        self._near_mask_cache.clear()
        self._far.clear()

    def _near_masks(self, word: str) -> tuple[int, int, tuple[int, ...]]:
        """What a word one letter off some terms tells the first pass; remembered per word, and
        the (most) words near nothing in a set of their own, left out in one step."""
        cached = self._near_mask_cache.get(word)
        if cached is None:
            if len(self._near_mask_cache) >= 100_000:
                self._near_mask_cache.clear()
                self._far.clear()
            cached = self._masks(self._near(word), self._by_anchor)
            if cached[1]:
                # Nothing the automaton does not find in the word itself: no need to look again.
                sure = maybe = 0
                anchored: set[int] = set()
                for value in self._mask_automaton.iter(f" {word} "):
                    if value[1]:
                        sure |= value[1][0]
                        maybe |= value[1][1]
                        anchored.update(value[1][2])
                if not cached[0] & ~sure and not cached[1] & ~maybe and anchored.issuperset(cached[2]):
                    cached = (0, 0, ())
            self._near_mask_cache[word] = cached
            if not cached[1]:
                self._far.add(word)
        return cached


#: The script each language is written in (a pattern file may also match romanised words).
_SCRIPTS = {"ar": re.compile("[\u0600-\u06ff]"), "ur": re.compile("[\u0600-\u06ff]"),
            "pa": re.compile("[\u0a00-\u0a7f]"), "gu": re.compile("[\u0a80-\u0aff]"),
            "bn": re.compile("[\u0980-\u09ff]")}
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def _written_in(text: str, languages: dict[str, int]) -> str | None:
    """The language whose patterns matched most, among those whose script is in the text
    (English words in Urdu script are not English); if none is, the best of all."""
    def in_script(language: str) -> bool:
        pattern = _SCRIPTS.get(language, _LATIN)
        return pattern.search(text) is not None

    ranked = sorted(languages, key=lambda language: (-languages[language], language))
    return next((language for language in ranked if in_script(language)), ranked[0] if ranked else None)


def _within(present: dict[int, list[int]], groups: tuple[int, ...], span: int) -> bool:
    """True when one word of each group lies within ``span`` words (any order)."""
    events = sorted((p, g) for g in set(groups) for p in present[g])
    need = len(set(groups))
    counts: dict[int, int] = {}
    left = 0
    for position, gid in events:
        counts[gid] = counts.get(gid, 0) + 1
        while len(counts) == need:
            if position - events[left][0] < span:
                return True
            first = events[left][1]
            counts[first] -= 1
            if not counts[first]:
                del counts[first]
            left += 1
    return False


def _merge(found: dict[int, list], number: int, certain: int, perhaps: int, rules: list[tuple[int, ...]]) -> None:
    seen = found.get(number)
    if seen is None:
        found[number] = [certain, perhaps, rules]
    else:
        seen[0] |= certain
        seen[1] |= perhaps
        seen[2] += rules


@cache
def _kinds_cached(kind: str, about: str, who: str, now: bool, reported: bool, first_person: bool) -> frozenset[str]:
    return frozenset(_kinds_for(kind, about, who, now=now, reported=reported, first_person=first_person))


def _kinds_for(kind: str, about: str, who: str, *, now: bool, reported: bool, first_person: bool) -> set[str]:
    """What a rule's match means, given who wrote it and the sentence's cues."""
    adult = who in ("parent", "professional")
    if who == "professional" and (about != "self" or reported or not first_person):
        # Case writing describes harm to others: only the writer's own danger, or danger now.
        if now and kind in ("harm", "child_harm", "domestic_abuse", "danger_now"):
            return {"child_danger_now"} if about == "child" or kind == "child_harm" else {"danger_now"}
        return set()
    if who == "parent" and reported and not now and kind in ("harm", "child_harm", "domestic_abuse"):
        return set()  # describing (or denying) what the conference is about
    found: set[str] = set()
    if kind in ("suicide", "self_harm"):
        if about == "self":
            found.add(kind)
        elif about == "child" or who == "child":
            found.add("child_harm")
    elif kind == "forced_marriage":
        found.add("forced_marriage")
        if who == "child":
            found.add("child_harm")
    elif kind == "danger_now":
        if about == "child" or who == "child":
            found.add("child_danger_now")
        if about != "child" and who != "child":
            found.add("danger_now")
        if who == "unknown" and about != "child":
            found.add("child_danger_now")
    elif kind == "child_harm" or about == "child":
        found.add("child_harm")
    else:  # harm or domestic_abuse, to the writer or another adult
        if who in ("child", "unknown"):
            found.add("child_harm")
        if (adult or who == "unknown") and (about == "self" or kind == "domestic_abuse" or who == "parent"):
            found.add("domestic_abuse")
    if now and kind in ("harm", "child_harm", "domestic_abuse"):
        # "He's hitting her now", from a parent: "her" is as likely their child as another adult.
        if about == "child" or who in ("child", "unknown") or kind == "child_harm" or (who == "parent" and about == "other"):
            found.add("child_danger_now")
        if (adult or who == "unknown") and about != "child":
            found.add("danger_now")
    return found


def pattern_files(directory: Path = PATTERNS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def catalogue_sample(locales_dir: Path) -> list[str]:
    """Every translated message of the bot in every language: ordinary text to learn from."""
    from babel.messages.pofile import read_po

    texts: list[str] = []
    for path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                value = message.string
                texts.extend(value if isinstance(value, tuple) else [value or message.id or ""])
    return [text for text in texts if isinstance(text, str) and text]


@cache
def default_net() -> SafetyNet:
    """The net built from the package's pattern files (built once per process; read-only)."""
    from cpc_bot.config import PROJECT_ROOT

    return SafetyNet(pattern_files(), catalogue_sample(PROJECT_ROOT / "locales"))


def check(text: str, who: Who | str = "unknown", locale: str = "en") -> Finding:
    """The safety check with the package's patterns: (text, who, language) -> kinds. Pure."""
    return default_net().check(text, who, locale)
