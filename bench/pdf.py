"""PDF render time of a full parents' report in English, Urdu and Bengali: cold and warm.

The report is built the way ReportService.pdf_for builds it (``build_answers_document``
then ``render_pdf``) from a finished "Prepare your views" response in which every question
is answered: a few sentences for each text question, two children, two points of
disagreement. Timed: building the document plus rendering the PDF.

* **cold**: the first report of a fresh process (one process per sample), started as the
  bot starts: settings, catalogues and dialogs loaded, then the documents warm-up the bot
  runs in a thread once it is serving (``cpc_bot.app.warm_up_documents``), then the report.
* **warm**: the same process's following reports.
* for information: the warm-up itself (in the bot it runs in the background), and the first
  report of a process that skipped it (a report asked for before the warm-up ended).

    .venv/bin/python -m bench.pdf [--cold 5] [--repeats 30] [--locales en,ur,bn]
"""

from __future__ import annotations

import io
import math
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aiogram.utils.i18n import I18n

from cpc_bot.config import load_settings
from cpc_bot.documents.answers import build_answers_document
from cpc_bot.engine.loader import load_dialogs
from cpc_bot.engine.view import View
from cpc_bot.i18n.catalog import compile_catalogs
from cpc_bot.store.models import Response
from cpc_bot.store.repository import StoredAnswer

TEXTS = {
    "en": [
        "I walk the children to school every day and pick them up at three. We eat dinner together most evenings "
        "and they tell me about their day.",
        "The flat is damp and the landlord does not fix it. The children cough all winter and the doctor says the "
        "mould does not help. We have asked the council to move us twice.",
        "My sister helps after school when I work late. She lives ten minutes away, the children love her, and she "
        "can have them overnight if I need to go to hospital.",
        "I read to them at bedtime. The youngest likes the dinosaur books and asks for the same one every night. "
        "The oldest is learning to read to his brother.",
        "I would like help with the housing, and someone to talk to about money and the bills. When the money runs "
        "out at the end of the month I get very stressed.",
        "They say I leave the children alone. That happened once, for ten minutes, when I ran to the shop. "
        "I know it was wrong and it has not happened again.",
    ],
    "ur": [
        "میں ہر روز بچوں کو اسکول لے جاتی ہوں اور تین بجے واپس لاتی ہوں۔ ہم زیادہ تر شاموں کو ساتھ کھانا کھاتے ہیں "
        "اور بچے مجھے اپنے دن کے بارے میں بتاتے ہیں۔",
        "ہمارا فلیٹ نم ہے اور مالک مکان اسے ٹھیک نہیں کرتا۔ سردیوں میں بچوں کو کھانسی رہتی ہے اور ڈاکٹر کہتا ہے کہ "
        "پھپھوندی سے نقصان ہوتا ہے۔ ہم نے کونسل سے دو بار گھر بدلنے کو کہا ہے۔",
        "جب میں دیر تک کام کرتی ہوں تو میری بہن اسکول کے بعد مدد کرتی ہے۔ وہ دس منٹ کے فاصلے پر رہتی ہے اور بچے "
        "اس سے بہت پیار کرتے ہیں۔",
        "میں سونے سے پہلے بچوں کو کہانیاں پڑھ کر سناتی ہوں۔ چھوٹا بیٹا ڈائنوسار والی کتاب بہت پسند کرتا ہے اور ہر "
        "رات وہی کتاب مانگتا ہے۔",
        "مجھے رہائش میں مدد چاہیے، اور کوئی ایسا شخص جس سے پیسوں اور بلوں کے بارے میں بات کر سکوں۔ مہینے کے آخر "
        "میں جب پیسے ختم ہو جاتے ہیں تو میں بہت پریشان ہو جاتی ہوں۔",
        "وہ کہتے ہیں کہ میں بچوں کو اکیلا چھوڑ دیتی ہوں۔ یہ صرف ایک بار دس منٹ کے لیے ہوا جب میں دکان گئی تھی۔ "
        "مجھے معلوم ہے کہ یہ غلط تھا اور دوبارہ ایسا نہیں ہوا۔",
    ],
}
TEXTS["bn"] = [
    "আমি প্রতিদিন বাচ্চাদের হেঁটে স্কুলে নিয়ে যাই আর তিনটায় নিয়ে আসি। বেশিরভাগ সন্ধ্যায় আমরা একসাথে খাই, "
    "আর ওরা আমাকে ওদের দিনের কথা বলে।",
    "ফ্ল্যাটটা স্যাঁতসেঁতে আর বাড়িওয়ালা সারায় না। শীতে বাচ্চারা সারাক্ষণ কাশে, ডাক্তার বলেন ছত্রাক ক্ষতি করে। "
    "আমরা কাউন্সিলকে দুবার অন্য বাসা দিতে বলেছি।",
    "আমি দেরি পর্যন্ত কাজ করলে আমার বোন স্কুলের পরে সাহায্য করে। সে দশ মিনিট দূরে থাকে, বাচ্চারা তাকে খুব "
    "ভালোবাসে।",
    "আমি ঘুমানোর আগে ওদের গল্প পড়ে শোনাই। ছোটটা ডাইনোসরের বই ভালোবাসে আর প্রতি রাতে একই বই চায়।",
    "আমি বাসা নিয়ে সাহায্য চাই, আর এমন কাউকে যার সাথে টাকা আর বিল নিয়ে কথা বলতে পারি। মাসের শেষে টাকা "
    "ফুরিয়ে গেলে আমি খুব দুশ্চিন্তায় পড়ি।",
    "ওরা বলে আমি বাচ্চাদের একা রেখে যাই। এটা একবারই হয়েছিল, দশ মিনিটের জন্য, যখন আমি দোকানে গিয়েছিলাম। "
    "আমি জানি এটা ভুল ছিল, আর আর কখনো হয়নি।",
]
NAMES = {"en": (["Amira"], ["Ben"], ["Dana Nowak"], ["Polish"]), "ur": (["امیرہ"], ["بلال"], ["دانیہ خان"], ["اردو"]),
         "bn": (["আমিরা"], ["বিলাল"], ["দানিয়া খান"], ["বাংলা"])}

TEXT_KEYS = ["issues_more", "strengths", "positives", "worries", "what_change", "aware", "safety_why", "safety_up",
             "safer", "support_how", "next_steps", "supporters", "questions"]


def full_answers(locale: str) -> dict[str, Any]:
    """Every question of parent_prepare answered (two children, two disagreements)."""
    texts = TEXTS[locale]
    first, second, signed, language = NAMES[locale]
    answers: dict[str, Any] = {
        "conference_date": "2026-12-15", "conference_kind": "first",
        "children.count": 2, "children.0.name": first, "children.0.born": "2019-03-14",
        "children.1.name": second, "children.1.born": "2021-06-02",
        "issues": ["emotional_health", "housing", "money"],
        "disagree_any": "yes", "disagreements.count": 2,
        "disagreements.0.what": [texts[5]], "disagreements.0.why": "fact", "disagreements.0.instead": [texts[0]],
        "disagreements.1.what": [texts[1]], "disagreements.1.why": "view", "disagreements.1.instead": [texts[4]],
        "safety": 7, "support": ["parenting", "money", "housing"], "take_part": "in_person",
        "needs": ["interpreter", "childcare"], "interpreter_language": language, "written_by": signed,
    }
    for i, key in enumerate(TEXT_KEYS):
        answers[key] = [texts[i % len(texts)], texts[(i + 2) % len(texts)]]
    return answers


@dataclass
class PdfResult:
    locale: str
    times: list[float]
    cold: float
    pages: int
    size: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


class _Report:
    def __init__(self) -> None:
        settings = load_settings()
        compile_catalogs(settings.locales_dir)
        self.i18n = I18n(path=settings.locales_dir, default_locale="en", domain="messages")
        self.dialog = load_dialogs(settings.dialogs_dir)["parent_prepare"]

    def view(self, locale: str) -> View:
        now = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
        response = Response(id=1, user_id=1, dialog_id=self.dialog.id, dialog_version=self.dialog.version,
                            status="finished", cursor=None, locale=locale, created_at=now, updated_at=now,
                            finished_at=now)
        stored = {k: StoredAnswer(k, v, False) for k, v in full_answers(locale).items()}
        return View(self.dialog, response, stored)

    def render(self, view: View, locale: str) -> bytes:
        from cpc_bot.documents.pdf import render_pdf

        with self.i18n.context(), self.i18n.use_locale(locale):
            document = build_answers_document(view, self.i18n, locale=locale, made_on=date(2026, 11, 24), images={})
            return render_pdf(document)


def run_pdf(locale: str, repeats: int = 5) -> PdfResult:
    """In this process: the first render (``cold``; with whatever this process loaded before),
    then ``repeats`` timed renders."""
    report = _Report()
    view = report.view(locale)
    started = time.perf_counter()
    data = report.render(view, locale)
    cold = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        data = report.render(view, locale)
        times.append(time.perf_counter() - started)
    pages = 0
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(data)).pages)
    except ImportError:  # pypdf is a test dependency; the page count is only a sanity check
        pass
    if not data.startswith(b"%PDF"):
        raise AssertionError("render_pdf did not return a PDF")
    return PdfResult(locale, times, cold, pages, len(data))


# ------------------------------------------------------------------ cold and warm, side by side
LOCALES = {"en": "English", "ur": "Urdu", "bn": "Bengali"}


def _child(locale: str, warm_up: bool, repeats: int) -> dict[str, Any]:
    """One fresh process: start as the bot does, then the first report and ``repeats`` more."""
    report = _Report()
    view = report.view(locale)
    warm_up_seconds = 0.0
    if warm_up:
        from cpc_bot.app import warm_up_documents

        started = time.perf_counter()
        warm_up_documents(delay=0).join()  # the bot serves meanwhile; here we wait for it to end
        warm_up_seconds = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.thread_time()
    data = report.render(view, locale)
    cold, cold_cpu = time.perf_counter() - started, time.thread_time() - cpu
    warm, warm_cpu = [], []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.thread_time()
        report.render(view, locale)
        warm.append(time.perf_counter() - started)
        warm_cpu.append(time.thread_time() - cpu)
    from pypdf import PdfReader

    return {"warm_up": warm_up_seconds, "cold": cold, "cold_cpu": cold_cpu, "warm": warm, "warm_cpu": warm_cpu,
            "pages": len(PdfReader(io.BytesIO(data)).pages), "size": len(data)}


def _spawn(locale: str, warm_up: bool, repeats: int) -> dict[str, Any]:
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "bench.pdf", "--child", locale, "--repeats", str(repeats),
                          *([] if warm_up else ["--no-warm-up"])], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.splitlines()[-1]))


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: with fewer than 100 values, p99 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


@dataclass
class SideBySide:
    locale: str
    pages: int
    size: int
    cold: list[float]  # one per process, after the warm-up
    warm: list[float]
    warm_up: list[float]
    unwarmed: list[float]  # the first report of a process that skipped the warm-up
    cold_cpu: list[float]  # CPU time of the rendering thread: less moved by a busy machine
    warm_cpu: list[float]


def side_by_side(locale: str, cold: int = 5, repeats: int = 30, unwarmed: int = 3) -> SideBySide:
    runs = [_spawn(locale, True, repeats if i == 0 else 0) for i in range(cold)]
    bare = [_spawn(locale, False, 0) for _ in range(unwarmed)]
    return SideBySide(locale, runs[0]["pages"], runs[0]["size"], [r["cold"] for r in runs], runs[0]["warm"],
                      [r["warm_up"] for r in runs], [r["cold"] for r in bare], [r["cold_cpu"] for r in runs],
                      runs[0]["warm_cpu"])


def table(results: list[SideBySide], target_ms: float = 300.0) -> str:
    def ms(values: list[float], share: float) -> str:
        return f"{percentile(values, share) * 1000:.0f}" if values else "-"

    lines = ["| report | pages | KiB | cold p50 | cold p99 | warm p50 | warm p99 | target | "
             "warm-up at start p50 (background) | first report with no warm-up p50 | CPU cold p50 | CPU warm p50 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        worst = max(percentile(r.cold, 0.99), percentile(r.warm, 0.99)) * 1000
        lines.append(f"| {LOCALES.get(r.locale, r.locale)} | {r.pages} | {r.size // 1024} | {ms(r.cold, .5)} | "
                     f"{ms(r.cold, .99)} | {ms(r.warm, .5)} | {ms(r.warm, .99)} | < {target_ms:.0f} ms: "
                     f"{'met' if worst < target_ms else 'NOT met'} | {ms(r.warm_up, .5)} | {ms(r.unwarmed, .5)} | "
                     f"{ms(r.cold_cpu, .5)} | {ms(r.warm_cpu, .5)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", type=int, default=5, help="fresh processes per report (cold samples)")
    parser.add_argument("--repeats", type=int, default=30, help="warm renders")
    parser.add_argument("--unwarmed", type=int, default=3, help="fresh processes that skip the warm-up")
    parser.add_argument("--locales", default=",".join(LOCALES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-warm-up", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, not args.no_warm_up, args.repeats)))
        return 0
    before = os.getloadavg()[0]
    results = [side_by_side(locale, args.cold, args.repeats, args.unwarmed) for locale in args.locales.split(",")]
    print(table(results))
    print(f"\nms, wall time (CPU: the rendering thread's CPU time); {args.cold} fresh processes per report for cold, {args.repeats} renders for warm; "
          f"load average {before:.1f} before, {os.getloadavg()[0]:.1f} after (2 cores).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
