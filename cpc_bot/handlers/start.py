"""/start: greet, say who you are, then open (or carry on with) a questionnaire."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.screens import SOS_DATA, sos_button_adult, tr
from cpc_bot.handlers.menu import MenuCb, role_keyboard
from cpc_bot.handlers.professional import ConferenceDesk
from cpc_bot.handlers.settings import discreet_offer_button
from cpc_bot.i18n.bidi import RLM
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

ROLES = ("parent", "child", "professional")

#: Which booklet a child sees for each age band ("Have your say" has two versions).
CHILD_DIALOGS = {"under12": "child_under12", "12plus": "young_person"}


def _button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=MenuCb(a=action, v=value).pack())


async def _unfinished(repo: Repository, registry: DialogRegistry, user_id: int) -> list[str]:
    found = []
    for dialog_id in registry.dialogs:
        if await repo.open_response(user_id, dialog_id) is not None:
            found.append(dialog_id)
    return found


async def cmd_start(message: Message, command: CommandObject, state: FSMContext, bot: Bot, repo: Repository,
                    registry: DialogRegistry, runner: DialogRunner, desk: ConferenceDesk) -> None:
    """Works from anywhere: leaves any questionnaire (answers stay saved) and shows the start."""
    await runner.stop(bot, message.chat.id, state)
    await state.clear()
    await repo.ensure_user(message.chat.id)
    log.info("start user=%s", message.chat.id)
    # An invite link only shows who invited them: joining takes a tap (link previews open links too).
    if command.args and command.args.startswith("i") and await desk.show_invite(message, command.args[1:]):
        return
    text = _(
        "Hello! I am CPC Companion.\n\n"
        "I help you get ready for a <b>child protection conference</b>. That is a meeting where a "
        "family and the people who work with the children talk together about how to keep the children safe.\n\n"
        "What you tell me is saved as you go. I only send it to someone if you choose to share it.\n\n"
        "I am not an emergency service and nobody reads these messages live. "
        "If someone is in danger now, call 999.\n\n"
        "Who are you?"
    )
    rows = [
        [_button(_("▶️ Carry on: %(title)s") % {"title": _(registry[d].title)}, "open", d)]
        for d in await _unfinished(repo, registry, message.chat.id)
    ]
    rows += role_keyboard().inline_keyboard
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


def _dialog_menu(registry: DialogRegistry, dialog_ids: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    lines, rows = [], []
    for dialog_id in dialog_ids:
        dialog = registry[dialog_id]
        lines.append(f"<b>{escape(_(dialog.title))}</b>\n{escape(tr(dialog.description))}".strip())
        rows.append([_button("📝 " + _(dialog.title), "open", dialog_id)])
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def _show(message: Message, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Edit the message into this screen, unless it already is it (the role tapped again, from a
    copy of the button): Telegram refuses an edit that changes nothing."""
    def rows(markup: InlineKeyboardMarkup) -> list[list[tuple[str, str | None]]]:
        # Buttons as the person saw them: right-to-left texts arrive with the marks RtlMiddleware added.
        return [[(button.text.replace(RLM, ""), button.callback_data) for button in row] for row in markup.inline_keyboard]

    if message.reply_markup is not None and rows(message.reply_markup) == rows(keyboard):
        return
    await message.edit_text(text, reply_markup=keyboard)


async def on_role(query: CallbackQuery, callback_data: MenuCb, repo: Repository, registry: DialogRegistry,
                  desk: ConferenceDesk) -> None:
    role = callback_data.v
    if role not in ROLES or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await repo.update_user(query.from_user.id, role=role)
    await query.answer()
    if role == "child":
        keyboard = InlineKeyboardMarkup(inline_keyboard=[
            [_button(_("I am under 12"), "age", "under12"), _button(_("I am 12 or older"), "age", "12plus")],
        ])
        await _show(query.message, _(
            "Thank you for being here. This is your space to say what you think and feel.\n\n"
            "How old are you?"), keyboard)
        return
    if role == "professional":
        text, keyboard = await desk.menu(query.from_user.id)
        await _show(query.message, text, keyboard)
        return
    dialogs = [d.id for d in registry.for_audience(role)]
    text, keyboard = _dialog_menu(registry, dialogs)
    if role == "parent":
        keyboard.inline_keyboard.append([_button(_("📖 About the conference"), "guide")])
        keyboard.inline_keyboard.append([discreet_offer_button()])
        keyboard.inline_keyboard.append([sos_button_adult()])
    await _show(query.message, _("Here is what we can do together:") + "\n\n" + text, keyboard)


async def on_age(query: CallbackQuery, callback_data: MenuCb, registry: DialogRegistry) -> None:
    dialog_id = CHILD_DIALOGS.get(callback_data.v)
    if dialog_id is None or registry.get(dialog_id) is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    text, keyboard = _dialog_menu(registry, [dialog_id])
    keyboard.inline_keyboard.append([_button(_("📖 About the meeting"), "guide")])
    keyboard.inline_keyboard.append([discreet_offer_button()])
    keyboard.inline_keyboard.append([InlineKeyboardButton(text=_("🆘 I don't feel safe right now"), callback_data=SOS_DATA)])
    await query.message.edit_text(text, reply_markup=keyboard)


async def on_open(query: CallbackQuery, callback_data: MenuCb, state: FSMContext, bot: Bot,
                  registry: DialogRegistry, runner: DialogRunner) -> None:
    if registry.get(callback_data.v) is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    await runner.stop(bot, query.message.chat.id, state)
    await runner.begin(bot, query.message.chat.id, query.from_user.id, state, callback_data.v)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_role, MenuCb.filter(F.a == "role"))
    router.callback_query.register(on_age, MenuCb.filter(F.a == "age"))
    router.callback_query.register(on_open, MenuCb.filter(F.a == "open"))
    return router
