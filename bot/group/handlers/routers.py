"""Routers of the consultants' side, with the filters that keep chats apart.

* setup — any group or supergroup: /bind, supergroup upgrades, the bot's own membership,
  and (in the bound group) other members' changes, which grant or revoke access at once;
* group — the bound group only: commands (/send writes to a lead's owner), notes (replies,
  and everything in a lead's topic), refusal reasons, edits of what went to an owner and
  buttons; messages count only from consultants, buttons answer everyone (with an alert);
* private — a consultant's private chat: the same commands and a hint on /start and /help;
* group leftovers — any other button pressed in a group gets a short alert.

The three group-chat routers sit under one parent (`group-chats`) that only group chats pass.
Handlers that need most of the services take the consultants' side of the update as `desk`
(bot/group/desk.py): `DeskMiddleware` is registered here, once, on both parents.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart

from bot.filters import InChat, Magic
from bot.group.access import InConsultantsGroup, IsConsultant
from bot.group.callbacks import CardCb, LeadsPageCb, PassCb
from bot.group.desk import DeskMiddleware
from bot.group.handlers import (
    agenda,
    buttons,
    commands,
    duty,
    members,
    private,
    relay,
    replies,
    setup,
)

GROUP_TYPES = {"group", "supergroup"}


def build_routers() -> list[Router]:
    """In this order, before the private-chat routers and their fallbacks; the handlers
    under both get `desk` (an inner middleware: it runs for the handler that matched only)."""
    group_chats, private_chats = build_group_chats_router(), build_private_router()
    desk = DeskMiddleware()
    for observer in (
        group_chats.message, group_chats.callback_query, group_chats.my_chat_member,
        private_chats.message, private_chats.callback_query,
    ):
        observer.middleware(desk)
    return [group_chats, private_chats]


def build_group_chats_router() -> Router:
    """setup, group and group leftovers, behind one filter on the chat type: an owner's
    update is turned away once, not by each of them (a router costs ~13 µs to pass by)."""
    router = Router(name="group-chats")
    for observer in (
        router.message, router.edited_message, router.callback_query, router.my_chat_member,
        router.chat_member,
    ):
        observer.filter(InChat(*GROUP_TYPES))
    router.include_routers(
        build_setup_router(), build_group_router(), build_group_leftovers_router()
    )
    return router


def build_setup_router() -> Router:
    router = Router(name="group-setup")
    router.message.filter(InChat(*GROUP_TYPES))
    router.my_chat_member.filter(InChat(*GROUP_TYPES))
    router.message.register(setup.on_bind, Command("bind"))
    router.message.register(setup.on_migrated_to, Magic(F.migrate_to_chat_id))
    router.message.register(setup.on_migrated_from, Magic(F.migrate_from_chat_id))
    router.my_chat_member.register(setup.on_bot_membership)
    router.chat_member.register(members.on_member_change, InConsultantsGroup())
    return router


def build_group_router() -> Router:
    router = Router(name="group")
    router.message.filter(InChat(*GROUP_TYPES), InConsultantsGroup(), IsConsultant())
    router.callback_query.filter(InChat(*GROUP_TYPES), InConsultantsGroup())
    _register_commands(router)
    router.message.register(commands.on_help, Command("help"))
    router.message.register(relay.on_send, Command("send"))
    router.message.register(
        relay.on_topic_toggled, Magic(F.forum_topic_closed | F.forum_topic_reopened)
    )
    router.message.register(replies.on_reply, Magic(F.reply_to_message))
    router.edited_message.filter(InChat(*GROUP_TYPES), InConsultantsGroup(), IsConsultant())
    router.edited_message.register(relay.on_group_edit)
    router.callback_query.register(buttons.on_card_button, CardCb.filter())
    router.callback_query.register(duty.on_pass, PassCb.filter())
    router.callback_query.register(commands.on_leads_page, LeadsPageCb.filter())
    return router


def build_private_router() -> Router:
    router = Router(name="group-private")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.message.register(private.on_consultant_start, CommandStart(), IsConsultant())
    router.message.register(private.on_consultant_help, Command("help"), IsConsultant())
    router.message.register(setup.on_bind_in_private, Command("bind"), IsConsultant())
    _register_commands(router, IsConsultant())
    router.callback_query.register(commands.on_leads_page, LeadsPageCb.filter())
    return router


def build_group_leftovers_router() -> Router:
    router = Router(name="group-leftovers")
    router.callback_query.filter(InChat(*GROUP_TYPES))
    router.callback_query.register(buttons.on_unknown_button)
    return router


def _register_commands(router: Router, *filters: object) -> None:
    router.message.register(commands.on_leads, Command("leads"), *filters)
    router.message.register(commands.on_lead, Command("lead"), *filters)
    router.message.register(commands.on_export, Command("export"), *filters)
    router.message.register(commands.on_stats, Command("stats"), *filters)
    router.message.register(agenda.on_agenda, Command("agenda"), *filters)
    router.message.register(agenda.on_busy, Command("busy"), *filters)
    router.message.register(agenda.on_free, Command("free"), *filters)
    router.message.register(duty.on_duty, Command("duty"), *filters)
