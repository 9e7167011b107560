"""/start: greet, say who you are, then open (or carry on with) a questionnaire.

A person keeps one of each questionnaire. Once it is finished, the menus offer "Change my
answers" (its review screen) and "Start again" (after a confirmation saying the old answers are
deleted) instead of opening it: no button, however old or copied, makes a second one silently.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from cpc_bot.engine.kinds import tr
from cpc_bot.engine.loader import DialogRegistry
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.screens import HOME_DATA, SOS_DATA, sos_button_adult
from cpc_bot.handlers.guide import CHILD_DIALOGS, guide_value
from cpc_bot.handlers.menu import MenuCb, role_keyboard
from cpc_bot.handlers.professional import ConferenceDesk
from cpc_bot.handlers.settings import discreet_offer_button
from cpc_bot.i18n.bidi import RLM
from cpc_bot.store.models import Response
from cpc_bot.store.repository import Repository

log = logging.getLogger(__name__)

ROLES = ("parent", "child", "professional")


def _button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=MenuCb(a=action, v=value).pack())


async def _progress(repo: Repository, registry: DialogRegistry, user_id: int) -> tuple[list[str], list[str]]:
    """The person's questionnaires not yet finished, and those finished (kept one per person)
    that are not open again: the second are changed or started again, not opened."""
    responses = await repo.responses(user_id)
    opened = {r.dialog_id for r in responses if r.status == "in_progress"}
    finished = {r.dialog_id for r in responses if r.status == "finished"}
    return ([d for d in registry.dialogs if d in opened],
            [d for d, dialog in registry.dialogs.items() if d in finished - opened and dialog.one_per_person])


def _comeback_rows(dialog_id: str) -> list[list[InlineKeyboardButton]]:
    return [[_button(_("✏️ Change my answers"), "change", dialog_id)], [_button(_("🔄 Start again"), "again", dialog_id)]]


async def cmd_start(message: Message, command: CommandObject, state: FSMContext, bot: Bot, repo: Repository,
                    registry: DialogRegistry, runner: DialogRunner, desk: ConferenceDesk) -> None:
    """Works from anywhere: leaves any questionnaire (answers stay saved) and shows the start."""
    await runner.stop(bot, message.chat.id, state)
    await state.clear()
    user = await repo.ensure_user(message.chat.id)
    if user.locale is None:
        # Telegram's language, remembered: the messages the bot starts by itself (reminders, the
        # reports question) have no update to take it from, and came in English (issue 18).
        await repo.update_user(message.chat.id, locale=get_i18n().current_locale)
    log.info("start user=%s", message.chat.id)
    # An invite link only shows who invited them: joining takes a tap (link previews open links too).
    if command.args and command.args.startswith("i") and await desk.show_invite(message, command.args[1:]):
        return
    text, keyboard = await start_screen(repo, registry, message.chat.id)
    await message.answer(text, reply_markup=keyboard)


async def start_screen(repo: Repository, registry: DialogRegistry, user_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """The main menu: who are you, and what you can carry on with."""
    text = _(
        "Hello! I am CPC Companion.\n\n"
        "I help you get ready for a <b>child protection conference</b>. That is a meeting where a "
        "family and the people who work with the children talk together about how to keep the children safe.\n\n"
        "What you tell me is saved as you go. I only send it to someone if you choose to share it.\n\n"
        "I am not an emergency service and nobody reads these messages live. "
        "If someone is in danger now, call 999.\n\n"
        "Who are you?"
    )
    unfinished, finished = await _progress(repo, registry, user_id)
    rows = [[_button(_("▶️ Carry on: %(title)s") % {"title": _(registry[d].title)}, "open", d)] for d in unfinished]
    if len(finished) == 1:
        rows += _comeback_rows(finished[0])
    else:  # rare (one phone, two roles): each opens its own choice, named
        rows += [[_button("📝 " + _(registry[d].title), "open", d)] for d in finished]
    rows += role_keyboard().inline_keyboard
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def on_home(query: CallbackQuery, state: FSMContext, bot: Bot, repo: Repository, registry: DialogRegistry,
                  runner: DialogRunner) -> None:
    """🏠 Menu, from any screen: leaves a questionnaire (answers stay saved) for the main menu."""
    await query.answer()
    await runner.stop(bot, query.from_user.id, state)
    await state.clear()
    text, keyboard = await start_screen(repo, registry, query.from_user.id)
    if isinstance(query.message, Message):
        await _show(query.message, text, keyboard)  # or a new message: EditFallback
    else:
        await bot.send_message(query.from_user.id, text, reply_markup=keyboard)


async def _dialog_menu(repo: Repository, registry: DialogRegistry, user_id: int,
                       dialog_ids: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    """Each questionnaire named and described, with a button to open it, or, once finished, to
    change the answers or start again."""
    _unfinished, finished = await _progress(repo, registry, user_id)
    lines, rows = [], []
    for dialog_id in dialog_ids:
        dialog = registry[dialog_id]
        lines.append(f"<b>{escape(_(dialog.title))}</b>\n{escape(tr(dialog.description))}".strip())
        if dialog_id in finished:
            rows += _comeback_rows(dialog_id)
        else:
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
    text, keyboard = await _dialog_menu(repo, registry, query.from_user.id, dialogs)
    if role == "parent":
        keyboard.inline_keyboard.append([_button(_("📖 About the conference"), "guide")])
        keyboard.inline_keyboard.append([discreet_offer_button()])
        keyboard.inline_keyboard.append([sos_button_adult()])
    await _show(query.message, _("Here is what we can do together:") + "\n\n" + text, keyboard)


async def on_age(query: CallbackQuery, callback_data: MenuCb, repo: Repository, registry: DialogRegistry) -> None:
    dialog_id = CHILD_DIALOGS.get(callback_data.v)
    if dialog_id is None or registry.get(dialog_id) is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    text, keyboard = await _dialog_menu(repo, registry, query.from_user.id, [dialog_id])
    keyboard.inline_keyboard.append([_button(_("📖 About the meeting"), "guide", guide_value("", callback_data.v))])
    keyboard.inline_keyboard.append([discreet_offer_button()])
    keyboard.inline_keyboard.append([InlineKeyboardButton(text=_("🆘 I don't feel safe right now"), callback_data=SOS_DATA)])
    await query.message.edit_text(text, reply_markup=keyboard)


async def on_open(query: CallbackQuery, callback_data: MenuCb, state: FSMContext, bot: Bot, repo: Repository,
                  registry: DialogRegistry, runner: DialogRunner) -> None:
    if registry.get(callback_data.v) is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    _unfinished, finished = await _progress(repo, registry, query.from_user.id)
    if callback_data.v in finished:
        # An open button from before they finished (or copied, or forged): offer the two ways on.
        text, keyboard = await _dialog_menu(repo, registry, query.from_user.id, [callback_data.v])
        await query.message.answer(text, reply_markup=keyboard)
        return
    await runner.stop(bot, query.message.chat.id, state)
    await runner.begin(bot, query.message.chat.id, query.from_user.id, state, callback_data.v)


def _was_finished(registry: DialogRegistry, response: Response | None, user_id: int) -> bool:
    """A questionnaire of theirs, kept one per person, that they finished (it may be open again
    to change an answer): the only kind "Change my answers" and "Start again" act on."""
    dialog = registry.get(response.dialog_id) if response is not None else None
    return (response is not None and dialog is not None and dialog.one_per_person
            and response.user_id == user_id and response.finished_at is not None)


async def _kept(repo: Repository, registry: DialogRegistry, user_id: int, dialog_id: str) -> Response | None:
    """The person's newest copy of a questionnaire they finished (open again or not), if any."""
    response = await repo.latest_response(user_id, dialog_id) if registry.get(dialog_id) is not None else None
    return response if _was_finished(registry, response, user_id) else None


async def on_change(query: CallbackQuery, callback_data: MenuCb, state: FSMContext, bot: Bot, repo: Repository,
                    registry: DialogRegistry, runner: DialogRunner) -> None:
    """ "Change my answers": the review screen of the questionnaire they finished (or are changing)."""
    if await _kept(repo, registry, query.from_user.id, callback_data.v) is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    await runner.stop(bot, query.message.chat.id, state)
    await runner.begin(bot, query.message.chat.id, query.from_user.id, state, callback_data.v)


async def on_again(query: CallbackQuery, callback_data: MenuCb, repo: Repository, registry: DialogRegistry) -> None:
    """ "Start again": first say plainly what happens to the old answers."""
    response = await _kept(repo, registry, query.from_user.id, callback_data.v)
    if response is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    # "Yes" names this copy: once it is gone (started again already), an old "Yes" does nothing.
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [_button(_("Yes, start again"), "again_yes", str(response.id))],
        [_button(_("No, keep my answers"), "again_no", response.dialog_id)],
    ])
    if registry[response.dialog_id].audience == "child":  # a child's file is their booklet
        question = _("Start again from the beginning?\n\n"
                     "I will delete your answers to “%(title)s”, and you start again with nothing filled in. "
                     "Booklets I sent you before stay in this chat.")
    else:
        question = _(
            "Start again from the beginning?\n\n"
            "I will delete your answers to “%(title)s”, and you start again with nothing filled in. "
            "Reports I sent you before stay in this chat. Reminders will follow your new answers.")
    await query.message.answer(escape(question % {"title": _(registry[response.dialog_id].title)}), reply_markup=keyboard)


async def on_again_answer(query: CallbackQuery, callback_data: MenuCb, state: FSMContext, bot: Bot,
                          repo: Repository, registry: DialogRegistry, runner: DialogRunner) -> None:
    """The answer to "Start again?": No changes nothing; Yes deletes, then a blank one starts."""
    if not isinstance(query.message, Message):
        await query.answer()
        return
    if callback_data.a == "again_no":
        if registry.get(callback_data.v) is None:
            await query.answer(_("This button no longer works. Send /start to carry on."))
            return
        await query.answer()
        text, keyboard = await _dialog_menu(repo, registry, query.from_user.id, [callback_data.v])
        await _show(query.message, text, keyboard)
        return
    response = await repo.get_response(int(callback_data.v)) if callback_data.v.isdigit() else None
    # (A blank one started since has not been finished: an old "Yes" cannot delete it, even where
    # SQLite gave it the deleted one's id.)
    if response is None or not _was_finished(registry, response, query.from_user.id):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    if query.message.reply_markup is not None:
        await query.message.edit_reply_markup(reply_markup=None)
    await runner.stop(bot, query.message.chat.id, state)
    await runner.start_again(bot, query.message.chat.id, query.from_user.id, state, response.dialog_id)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_home, F.data == HOME_DATA)
    router.callback_query.register(on_role, MenuCb.filter(F.a == "role"))
    router.callback_query.register(on_age, MenuCb.filter(F.a == "age"))
    router.callback_query.register(on_open, MenuCb.filter(F.a == "open"))
    router.callback_query.register(on_change, MenuCb.filter(F.a == "change"))
    router.callback_query.register(on_again, MenuCb.filter(F.a == "again"))
    router.callback_query.register(on_again_answer, MenuCb.filter(F.a.in_({"again_yes", "again_no"})))
    return router
