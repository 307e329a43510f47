"""Sharing: the owner's personal link (/share and the «Поделиться» buttons), inline-mode
invitations (`@bot` in any chat), and tracked links for admins (/link <source> [campaign])."""

from __future__ import annotations

from urllib.parse import urlencode

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.methods import SendMessage
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
)

from bot.attribution import source_payload
from bot.callbacks import MenuAction, MenuCb
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.filters import InChat, IsAdmin
from bot.flows.conversation import Conversation


def build_router() -> Router:
    router = Router(name="share")
    router.message.register(on_share_command, Command("share"), InChat("private"))
    router.message.register(on_link_command, Command("link"), InChat("private"), IsAdmin())
    router.callback_query.register(
        on_share_button, MenuCb.filter(F.a == MenuAction.share), InChat("private")
    )
    router.inline_query.register(on_inline_query)
    return router


async def personal_link(bot: Bot, repo: Repositories, user_id: int) -> str:
    me = await bot.me()
    code = await repo.referrals.ref_code(user_id)
    return f"https://t.me/{me.username}?start=r_{code}"


def share_keyboard(content: Content, link: str) -> InlineKeyboardMarkup:
    sheet = "https://t.me/share/url?" + urlencode(
        {"url": link, "text": content.label("share_texts.prefilled")}
    )
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=content.label("share_buttons.share_sheet"), url=sheet)],
            [
                InlineKeyboardButton(
                    text=content.label("share_buttons.send_to_chat"), switch_inline_query=""
                )
            ],
        ]
    )


async def send_share(bot: Bot, talk: Conversation) -> None:
    repo, content = talk.repo, talk.content
    link = await personal_link(bot, repo, talk.user_id)
    invited = await repo.referrals.invited_count(talk.user_id)
    talk.reply(SendMessage(
        chat_id=talk.chat_id,
        text=content.render("messages/share_intro.html", link=link, invited=invited),
        reply_markup=share_keyboard(content, link),
    ))


async def on_share_command(message: Message, bot: Bot, talk: Conversation) -> None:
    await send_share(bot, talk)


async def on_share_button(query: CallbackQuery, bot: Bot, talk: Conversation) -> None:
    talk.reply(query.answer())
    await send_share(bot, talk)


async def on_inline_query(
    query: InlineQuery, bot: Bot, reply: Replies, repo: Repositories, content: Content
) -> None:
    """Typing @bot in any chat offers an invitation card with the person's own link."""
    await repo.users.seen(
        query.from_user.id,
        query.from_user.first_name,
        query.from_user.last_name,
        query.from_user.username,
        query.from_user.language_code,
    )
    link = await personal_link(bot, repo, query.from_user.id)
    card = InlineQueryResultArticle(
        id="invite",
        title=content.label("share_texts.inline_title"),
        description=content.label("share_texts.inline_description"),
        input_message_content=InputTextMessageContent(
            message_text=content.render("messages/share.html", link=link), parse_mode="HTML"
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=content.label("share_buttons.open_bot"), url=link)]
            ]
        ),
    )
    reply(query.answer([card], cache_time=60, is_personal=True))


async def on_link_command(
    message: Message, command: CommandObject, bot: Bot, reply: Replies, content: Content
) -> None:
    """An admin builds a tracked link: /link vk spring26 → t.me/<bot>?start=src_vk__spring26."""
    parts = (command.args or "").split()
    payload = (
        source_payload(parts[0], parts[1] if len(parts) > 1 else None)
        if 1 <= len(parts) <= 2
        else None
    )
    if payload is None:
        reply(message.answer(content.render("messages/link_usage.html")))
        return
    me = await bot.me()
    reply(message.answer(
        content.render(
            "messages/tracked_link.html",
            source=parts[0],
            campaign=parts[1] if len(parts) > 1 else "",
            link=f"https://t.me/{me.username}?start={payload}",
        )
    ))
