"""Time of the safety check on long messages, beside the check it replaced.

    python -m bench.safety [--messages 2000] [--length 4000]

Messages of ``--length`` characters are put together from the corpus, each in one language
and each different: ordinary lines (everyday answers, parents on the concerns, case writing:
text full of the words the patterns look for) with one disclosure among them, as a long typed
answer would be; and, for information, everyday answers only with one disclosure (what most
long answers are like) and nothing but disclosures (the worst case). Timed:
``SafetyNet.check`` per message, in this process:
- "cold": the net just built, its per-word memory empty (the first messages after a start);
- "fresh words": the per-word memory emptied before every message (every word unseen: the
  worst case, an upper bound);
- "warm": the memory as a running bot has it.
The peer is the check this replaced (stop 12: English and Polish phrase lists, substring
search after NFC and casefold), which recognised about one disclosure in twenty.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
import unicodedata
from dataclasses import dataclass

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.safety.evaluate import load
from cpc_bot.safety.net import SafetyNet, catalogue_sample, pattern_files

TARGET_P99_MS = 2.0

_OLD_WORDS = {
    "en": ("kill myself", "killing myself", "want to die", "wanna die", "end my life", "suicide", "suicidal",
           "hurt myself", "hurting myself", "self harm", "self-harm", "cut myself", "cutting myself", "not safe",
           "unsafe right now", "in danger", "scared to go home", "afraid to go home", "he hits me", "she hits me",
           "they hit me", "hits me", "beats me", "beat me up", "touched me", "going to hurt me", "will hurt me", "help me"),
    "pl": ("zabiję się", "zabic sie", "zabić się", "chcę umrzeć", "chce umrzec", "samobój", "samobojstwo", "skrzywdzę się",
           "tnę się", "tne sie", "nie jestem bezpieczn", "boję się wrócić", "boje sie wrocic", "bije mnie", "biją mnie",
           "bija mnie", "dotykał mnie", "dotykal mnie", "pomocy", "w niebezpieczeństwie"),
}


def old_check(text: str, locale: str) -> bool:
    """The stop-12 check (domain/safety.py), kept here as the peer."""
    normal = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).casefold())
    phrases = _OLD_WORDS["en"] + _OLD_WORDS.get(locale, ())
    return any(re.sub(r"\s+", " ", unicodedata.normalize("NFC", p).casefold()) in normal for p in phrases)


def messages(count: int, length: int, seed: int = 13, *, disclosures_only: bool = False,
             everyday_only: bool = False) -> list[tuple[str, str]]:
    """(language, text) pairs: each message in one language, the languages taking turns. A long
    typed answer: ordinary lines (everyday answers, parents on the concerns, case writing) with
    one disclosure somewhere in it; or (``disclosures_only``, the worst case) nothing but
    disclosures, so that every sentence needs the exact second pass."""
    ordinary: dict[str, list[str]] = {}
    disclosures: dict[str, list[str]] = {}
    for line in load("all"):
        if everyday_only and not line.kinds and line.group != "everyday":
            continue
        (disclosures if line.kinds else ordinary).setdefault(line.lang, []).append(line.text)
    languages = sorted(ordinary)
    rng = random.Random(seed)
    out = []
    for number in range(count):
        language = languages[number % len(languages)]
        pool = disclosures[language] if disclosures_only else ordinary[language]
        parts: list[str] = []
        size = 0
        while size < length:
            part = rng.choice(pool)
            parts.append(part)
            size += len(part) + 1
        if not disclosures_only:
            parts.insert(rng.randrange(len(parts)), rng.choice(disclosures[language]))
        # One line after another, as sentences: the corpus lines are single messages, often with
        # no full stop, and glued with spaces they would make one 4,000-character sentence.
        out.append((language, "\n".join(parts)[:length]))
    return out


@dataclass
class Timing:
    name: str
    times: list[float]

    def ms(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def row(self) -> str:
        return (f"| {self.name} | {statistics.median(self.times) * 1000:.3f} | {self.ms(0.99):.3f} | "
                f"{max(self.times) * 1000:.3f} |")


def run(count: int = 2000, length: int = 4000) -> tuple[list[Timing], float]:
    texts = messages(count, length)
    started = time.perf_counter()
    net = SafetyNet(pattern_files(), catalogue_sample(PROJECT_ROOT / "locales"))  # as default_net() builds it
    build = time.perf_counter() - started

    def timed(name: str, check, before=None) -> Timing:  # type: ignore[no-untyped-def]
        times = []
        for language, text in texts:
            if before is not None:
                before()
            t0 = time.perf_counter()
            check(text, language)
            times.append(time.perf_counter() - t0)
        return Timing(name, times)

    cold = timed("SafetyNet.check, cold (first pass after start)", lambda t, lang: net.check(t, "parent", lang))
    warm = timed("SafetyNet.check, warm", lambda t, lang: net.check(t, "parent", lang))
    fresh = timed("SafetyNet.check, every word unseen (memory emptied each time)", lambda t, lang: net.check(t, "parent", lang),
                  before=net.forget_words)
    peer = timed("peer: the stop-12 check (en + pl phrase lists)", lambda t, lang: old_check(t, lang))
    texts[:] = messages(count, length, everyday_only=True)
    everyday = timed("SafetyNet.check, warm, everyday answers with one disclosure (info)",
                     lambda t, lang: net.check(t, "parent", lang))
    texts[:] = messages(count, length, disclosures_only=True)
    worst = timed("SafetyNet.check, warm, nothing but disclosures (info)", lambda t, lang: net.check(t, "parent", lang))
    return [cold, warm, fresh, peer, everyday, worst], build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.safety", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--length", type=int, default=4000)
    args = parser.parse_args(argv)
    timings, build = run(args.messages, args.length)
    print(f"{args.messages} messages of {args.length} characters; building the net from "
          f"{len(pattern_files())} pattern files took {build * 1000:.0f} ms\n")
    print("| check | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|")
    for timing in timings:
        print(timing.row())
    worst = max(t.ms(0.99) for t in timings[:3])
    print(f"\nTarget: p99 < {TARGET_P99_MS} ms for the net in every state: {'PASS' if worst < TARGET_P99_MS else 'FAIL'} "
          f"(worst p99 {worst:.3f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
