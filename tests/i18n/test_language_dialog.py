"""A Polish-speaking mother uses the bot in Polish, and can switch language."""

from cpc_bot.emulator.server import BotApiEmulator
from tests.helpers import BotHarness, buttons

MAMA = 8001


async def test_telegram_language_is_used_and_language_can_be_changed(harness: BotHarness, emulator: BotApiEmulator) -> None:
    mama = emulator.user(MAMA, first_name="Kasia", language_code="pl-PL")
    await mama.say("/start")
    greeting = emulator.last_message(MAMA)
    assert greeting.visible.startswith("Dzień dobry! Jestem CPC Companion.")
    assert "👪 Jestem rodzicem lub opiekunem" in buttons(greeting)

    await mama.tap("👪 Jestem rodzicem lub opiekunem")
    await mama.tap("📝 Przygotuj swoje zdanie")
    intro = emulator.last_message(MAMA)
    assert "gdy zdecydujesz się je udostępnić" in intro.visible
    assert buttons(intro)[:3] == ["Dalej ➡️", "🏠 Menu", "💾 Zapisz i dokończ później"]
    assert buttons(intro)[3].startswith("🆘")
    await mama.tap("Dalej ➡️")
    await mama.say("31/02/2027")
    assert "Takiego dnia nie ma w kalendarzu" in emulator.messages(MAMA)[-2].visible

    # The command list Telegram shows is translated too.
    assert emulator.commands["pl"][0]["description"] == "Menu główne albo powrót do miejsca, w którym skończyłeś(-aś)"

    await mama.say("/language")
    # English first, then the languages most spoken in England; the current one is ticked.
    assert [b.replace("\u200f", "") for b in buttons(emulator.last_message(MAMA))] == [
        "English", "✅ Polski", "Română", "ਪੰਜਾਬੀ", "اردو", "Português", "العربية", "বাংলা", "ગુજરાતી", "🏠 Menu"]
    await mama.tap("English")
    assert emulator.last_message(MAMA).visible == "From now on I will write in English. Send /start to carry on."
    await mama.say("/start")
    assert "▶️ Carry on: Prepare your views" in buttons(emulator.last_message(MAMA))


async def test_polish_report_has_polish_and_english_headings(harness: BotHarness, emulator: BotApiEmulator) -> None:
    import io
    import re

    from pypdf import PdfReader

    mama = emulator.user(MAMA, first_name="Kasia", language_code="pl")
    await mama.say("/start")
    await mama.tap("👪 Jestem rodzicem lub opiekunem")
    await mama.tap("📝 Przygotuj swoje zdanie")
    await mama.tap("Dalej ➡️")
    await mama.tap("Pomiń ➡️")  # conference date
    await mama.tap("Pomiń ➡️")  # kind of conference
    await mama.tap("Pomiń ➡️")  # area
    await mama.say("Zosia")
    await mama.tap("Pomiń ➡️")
    await mama.tap("✅ To wszystkie dzieci")
    await mama.tap("Pomiń ➡️")  # things to think about
    await mama.say("Codziennie czytamy razem książki.")
    await mama.tap("✅ Gotowe")
    await mama.tap("Pomiń ➡️")
    await mama.say("Martwią się, że Zosia opuszcza szkołę.")
    await mama.tap("✅ Gotowe")
    await mama.tap("Pomiń ➡️")
    await mama.tap("Pomiń ➡️")
    await mama.tap("Nie")
    await mama.tap("7")
    await mama.tap("Pomiń ➡️")
    await mama.tap("Pomiń ➡️")
    await mama.say("Będę ją odprowadzać do szkoły.")
    await mama.tap("✅ Gotowe")
    # support, next steps, supporters, taking part, needs, questions, her social worker, danger
    # statements and safety goals, the safety network
    for _ in range(9):
        await mama.tap("Pomiń ➡️")
    await mama.say("Katarzyna Nowak")
    assert "Sprawdź swoje odpowiedzi" in emulator.last_message(MAMA).visible
    await mama.tap("✅ Zakończ")

    document = emulator.documents(MAMA)[-1]
    pages = PdfReader(io.BytesIO(emulator.file(document.file_id).data)).pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    for expected in ("Raport rodziców/opiekunów na konferencję w sprawie ochrony dziecka",
                     "English: Parents/Carers report to a Child Protection Conference",
                     "Co idzie dobrze", "English: What is going well",
                     "Co Ty i Twoja rodzina robicie dobrze, aby Twoje dzieci były bezpieczne?", "English: What do you and your family do well to keep your children safe?",
                     "Codziennie czytamy razem książki.", "Martwią się, że Zosia opuszcza szkołę.", "7 na 10",
                     "Katarzyna Nowak", "Sporządzono 24 listopada 2026"):
        assert expected in text, expected
