"""/guide: plain-language pages about the conference, readable at any moment.

Opening the guide does not leave a questionnaire: the question stays where it was. A parent's
pages follow their area (the linked conference's, or their answer): when the reports should come,
the notes, and the local contacts (``cpc_bot/domain/local_contacts.yaml``).

A child's guide has pages for one age band only (what the plan's categories mean, for 12 and
over). The band comes with the button (the menu after "How old are you?" names it), else from the
booklet the child has started; when it is not known, only the pages for every age are shown.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from cpc_bot.domain.local_contacts import contacts_for
from cpc_bot.engine.guides import Guide
from cpc_bot.engine.runner import DialogRunner
from cpc_bot.engine.screens import menu_button
from cpc_bot.handlers.menu import MenuCb
from cpc_bot.reminders.parents import FamilyAreas
from cpc_bot.store.repository import Repository


def _guide_for(guides: dict[str, Guide], role: str | None) -> Guide | None:
    return guides.get(role or "parent") or guides.get("parent")


#: Which booklet each age band has ("Have your say" has two versions).
CHILD_DIALOGS = {"under12": "child_under12", "12plus": "young_person"}
AGES = {dialog: age for age, dialog in CHILD_DIALOGS.items()}


def guide_value(key: str = "", age: str | None = None) -> str:
    """A guide button's value: the page (empty: the contents) and the reader's age band, "who@12plus"."""
    return f"{key}@{age}" if age else key


def _split(value: str) -> tuple[str, str | None]:
    key, _sep, age = value.partition("@")
    return key, age if age in CHILD_DIALOGS else None


async def child_age(repo: Repository, user_id: int) -> str | None:
    """The age band of the booklet a child started most recently, if any."""
    responses = [r for r in await repo.responses(user_id) if r.dialog_id in AGES]
    if not responses:
        return None
    return AGES[max(responses, key=lambda r: r.updated_at).dialog_id]


def contents(guide: Guide, age: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text=_(p.title), callback_data=MenuCb(a="guide", v=guide_value(p.key, age)).pack())]
            for p in guide.pages_for(age)]
    rows.append([menu_button()])
    return f"<b>{escape(_(guide.title))}</b>\n\n" + escape(_("Tap a topic to read it.")), InlineKeyboardMarkup(inline_keyboard=rows)


def reports_rule(area: str) -> str:
    """When a family should get the reports, by their area's rule, naming where it comes from."""
    return {
        "leicester": _("get your social worker's report and the chronology (a list of the important events) at least "
                       "48 hours before the meeting (Leicester's guidance)"),
        "kirklees": _("get copies of all the reports at least 3 working days before the meeting (Kirklees' leaflet "
                      "for parents)"),
        "lincolnshire": _("get a copy of each professional's report before they send it to the conference: 2 working "
                          "days before a first conference, 5 before a review (Lincolnshire's guidance)"),
        "staffordshire": _("be told before the conference what each professional will tell it (Staffordshire and "
                           "Stoke-on-Trent's guidance)"),
        "cumbria": _("get all the professionals' reports before the conference (Cumbria's guidance)"),
    }.get(area) or _("get the professionals' reports before the conference (national guidance; your area may set a "
                     "number of days, so ask your social worker)")


def notes_rule(area: str) -> str:
    if area == "kirklees":
        return _("You should get the notes of the meeting within 15 working days (Kirklees' leaflet for parents). "
                 "Working days are Monday to Friday, not counting bank holidays.")
    return _("You should be sent the notes of the meeting. If nobody tells you when, ask your social worker.")


def area_contacts(area: str) -> str:
    """The area's contacts from the seeds, as lines to read (no HTML: the page is escaped)."""
    contacts = contacts_for(area)
    if not contacts:
        return _("I do not have local phone numbers for your area.")
    lines = [{"leicester": _("In Leicester:"), "kirklees": _("In Kirklees:")}.get(area, "")]
    for contact in contacts:
        line = f"• {_(contact.title)}: {_(contact.text)}"
        if contact.phone:
            line += " " + _("Phone: %(number)s") % {"number": contact.phone}
        if contact.email:
            line += " " + _("Email: %(address)s") % {"address": contact.email}
        lines.append(line)
    return "\n".join(line for line in lines if line)


def family_values(area: str) -> dict[str, str]:
    """What a parent's pages fill in for their area."""
    return {"reports_rule": reports_rule(area), "notes_rule": notes_rule(area), "area_contacts": area_contacts(area)}


def page_screen(guide: Guide, key: str, area: str = "national",
                age: str | None = None) -> tuple[str, InlineKeyboardMarkup] | None:
    page = guide.page(key, age)
    if page is None:
        return None
    back = InlineKeyboardButton(text=_("📖 All topics"), callback_data=MenuCb(a="guide", v=guide_value("", age)).pack())
    text = _(page.text)
    if "%(" in page.text:
        text = text % family_values(area)
    return f"<b>{escape(_(page.title))}</b>\n\n{escape(text)}", InlineKeyboardMarkup(inline_keyboard=[[back, menu_button()]])


async def cmd_guide(message: Message, guides: dict[str, Guide], repo: Repository, state: FSMContext, bot: Bot,
                    runner: DialogRunner) -> None:
    user = await repo.get_user(message.chat.id)
    role = user.role if user else None
    guide = _guide_for(guides, role)
    if guide is None:
        await message.answer(_("There is no guide yet. Send /help for help."))
        return
    age = await child_age(repo, message.chat.id) if role == "child" else None
    text, markup = contents(guide, age)
    await message.answer(text, reply_markup=markup)
    # In the middle of a questionnaire, the question comes again below the guide (which opens in place).
    await runner.reprompt(bot, message.chat.id, state)


async def on_guide(query: CallbackQuery, callback_data: MenuCb, guides: dict[str, Guide], repo: Repository,
                   family_areas: FamilyAreas | None = None) -> None:
    user = await repo.get_user(query.from_user.id)
    role = user.role if user else None
    guide = _guide_for(guides, role)
    key, age = _split(callback_data.v)
    if role == "child" and age is None:
        age = await child_age(repo, query.from_user.id)
    elif role != "child":
        age = None
    screen = None
    if guide is not None and not key:
        screen = contents(guide, age)
    elif guide is not None:
        page = guide.page(key, age)
        # Only a page that depends on the reader looks up their area.
        area = (await family_areas.area_of(query.from_user.id)
                if page is not None and "%(" in page.text and family_areas is not None else "national")
        screen = page_screen(guide, key, area, age)
    if screen is None or not isinstance(query.message, Message):
        await query.answer(_("This button no longer works. Send /start to carry on."))
        return
    await query.answer()
    await query.message.edit_text(screen[0], reply_markup=screen[1])


def setup() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_guide, Command("guide"))
    router.callback_query.register(on_guide, MenuCb.filter(F.a == "guide"))
    return router
