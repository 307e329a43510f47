"""Edit a lead's current card in place after its status or data changed."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.group.card import card_text, load_extras
from bot.group.keyboards import card_keyboard

log = logging.getLogger(__name__)


async def refresh_card(
    bot: Bot, repo: Repositories, content: Content, settings: Settings, lead: LeadRow
) -> None:
    card = await repo.cards.get(lead.id)
    if card is None:
        return
    text = card_text(lead, await load_extras(repo, lead), content, settings)
    markup = card_keyboard(lead, content) or InlineKeyboardMarkup(inline_keyboard=[])
    try:
        await bot.edit_message_text(
            text=text, chat_id=card.chat_id, message_id=card.message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if "not modified" not in error.message:
            log.warning("card of lead %d not refreshed: %s", lead.id, error.message)
    except TelegramAPIError as error:
        log.warning("card of lead %d not refreshed: %s", lead.id, error)
