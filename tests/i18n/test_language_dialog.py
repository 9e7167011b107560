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
    assert "Nikt nie zobaczy Twoich odpowiedzi" in intro.visible
    assert buttons(intro) == ["Dalej ➡️", "💾 Zapisz i dokończ później"]
    await mama.tap("Dalej ➡️")
    await mama.say("31/02/2027")
    assert "Takiego dnia nie ma w kalendarzu" in emulator.messages(MAMA)[-2].visible

    # The command list Telegram shows is translated too.
    assert emulator.commands["pl"][0]["description"] == "Menu główne albo powrót do miejsca, w którym skończyłeś(-aś)"

    await mama.say("/language")
    assert buttons(emulator.last_message(MAMA)) == ["English", "✅ Polski"]  # the current one is ticked
    await mama.tap("English")
    assert emulator.last_message(MAMA).visible == "From now on I will write in English. Send /start to carry on."
    await mama.say("/start")
    assert "▶️ Carry on: Prepare your views" in buttons(emulator.last_message(MAMA))
