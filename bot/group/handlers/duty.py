"""Round robin (ASSIGNMENT=round_robin): /duty on|off, and «Передать» on a card.

/duty shows whether one is on duty (admins also see who is); /duty on and /duty off change
it. «Передать» hands a lead its consultant has (new or taken) to the next one on duty: only
that consultant or an admin may, and only on the lead's current card; the new consultant is
named in the thread.
"""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message

from bot.domain import Assignment
from bot.group.callbacks import PassCb
from bot.group.desk import Desk
from bot.group.handlers.buttons import pressed_card, under_card
from bot.group.views.keyboards import PASSABLE
from bot.group.views.refresh import refresh_card

SWITCHES = {"on": True, "off": False}


async def on_duty(message: Message, command: CommandObject, desk: Desk) -> None:
    user, reply, repo, content = desk.user, desk.reply, desk.repo, desk.content
    argument = (command.args or "").strip().lower()
    if argument and argument not in SWITCHES:
        reply(message.answer(content.text("duty_hints.usage")))
        return
    if argument:
        await repo.duty.set(user.id, user.full_name, SWITCHES[argument])
    is_admin = desk.consultants.is_admin(user.id)
    people = [person.name for person in await repo.duty.on_duty()] if is_admin else []
    reply(message.answer(content.render(
        "group/duty.html",
        on=await repo.duty.is_on(user.id),
        manual=desk.settings.assignment == Assignment.manual,
        show_list=is_admin,
        people=people,
    )))


async def on_pass(query: CallbackQuery, callback_data: PassCb, desk: Desk) -> None:
    pressed = await pressed_card(query, callback_data, desk)
    if pressed is None:
        return
    message, lead = pressed
    user, reply, repo, content = desk.user, desk.reply, desk.repo, desk.content
    if desk.settings.assignment != Assignment.round_robin or lead.status not in PASSABLE or (
        lead.assignee_id is None
    ):
        reply(query.answer(content.label("group_alerts.forged"), show_alert=True))
        return
    if lead.assignee_id != user.id and not desk.consultants.is_admin(user.id):
        reply(query.answer(
            content.label("group_alerts.not_yours", name=lead.assignee_name or "—"),
            show_alert=True,
        ))
        return
    assigned = await repo.duty.assign_next(lead.id, passing_from=lead.assignee_id)
    after = await repo.leads.get(lead.id)
    if assigned is None or after is None:
        reply(query.answer(content.label("group_alerts.nobody_on_duty"), show_alert=True))
        return
    reply(query.answer(content.label("group_alerts.passed", id=lead.id, name=assigned.name)))
    await refresh_card(reply, repo, content, desk.settings, after)
    reply(under_card(
        message,
        content.text(
            "duty_hints.passed", id=lead.id, name=assigned.name, user_id=assigned.user_id
        ),
    ))
