"""Edit a lead's current card in place after its status or data changed."""

from __future__ import annotations

from aiogram.methods import EditMessageText
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.group.views.card import card_text, load_extras
from bot.group.views.keyboards import card_keyboard


async def refresh_card(
    reply: Replies, repo: Repositories, content: Content, settings: Settings, lead: LeadRow
) -> None:
    """The edit goes out with the update's other replies (an unchanged card is no error)."""
    card = await repo.cards.get(lead.id)
    if card is None:
        return
    text = card_text(lead, await load_extras(repo, lead), content, settings)
    markup = card_keyboard(lead, content, settings.assignment) or InlineKeyboardMarkup(
        inline_keyboard=[]
    )
    reply(EditMessageText(
        text=text, chat_id=card.chat_id, message_id=card.message_id, reply_markup=markup
    ))
