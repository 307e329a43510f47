"""Routers of the bot, in the one place that fixes their order.

The consultants' routers go first: group chats are theirs alone, and consultants' private
commands must win over any flow's state. Then the owners' routers, inside one parent that
hands their handlers the conversation as `talk` (`ConversationMiddleware`): commands and
buttons, then each flow's answers, then the relay of an owner's messages to the consultants
(after a request was sent, outside the diagnostic's questions), then per-state fallbacks that
re-ask, and last the global fallback, so a command works in any state.
"""

from __future__ import annotations

from aiogram import Router

from bot import group
from bot.flows import booking, diagnostic, lessons
from bot.flows.diagnostic.form import Form
from bot.handlers import fallback, nudges, privacy, relay, share, start
from bot.middlewares import ConversationMiddleware


def build_routers(questionnaire: Form = diagnostic.QUESTIONNAIRE) -> list[Router]:
    """Fresh routers, most specific first; fallbacks last."""
    owners = Router(name="owners")
    talk = ConversationMiddleware()
    owners.message.middleware(talk)
    owners.callback_query.middleware(talk)
    owners.include_routers(
        start.build_router(),
        nudges.build_router(),
        privacy.build_router(),
        share.build_router(),
        lessons.build_router(),
        diagnostic.build_router(questionnaire),
        booking.build_router(),
        relay.build_router(),
        lessons.build_fallback_router(),
        diagnostic.build_fallback_router(questionnaire),
        fallback.build_router(),
    )
    return [*group.build_routers(), owners]
