"""PDF render time of a full parents' report, in English and in Urdu.

The report is built the way ReportService.pdf_for builds it (``build_answers_document``
then ``render_pdf``) from a finished "Prepare your views" response in which every question
is answered: a few sentences for each text question, two children, two points of
disagreement. Timed: building the document plus rendering the PDF, in this process, after
one warm-up render (the first render of a process also pays for imports; it is reported
as "cold").
"""

from __future__ import annotations

import io
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
NAMES = {"en": (["Amira"], ["Ben"], ["Dana Nowak"], ["Polish"]), "ur": (["امیرہ"], ["بلال"], ["دانیہ خان"], ["اردو"])}

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
