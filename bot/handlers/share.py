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


async def send_share(
    bot: Bot, reply: Replies, chat_id: int, user_id: int, repo: Repositories, content: Content
) -> None:
    link = await personal_link(bot, repo, user_id)
    invited = await repo.referrals.invited_count(user_id)
    reply(SendMessage(
        chat_id=chat_id,
        text=content.render("messages/share_intro.html", link=link, invited=invited),
        reply_markup=share_keyboard(content, link),
    ))


async def on_share_command(
    message: Message, bot: Bot, reply: Replies, repo: Repositories, content: Content
) -> None:
    assert message.from_user is not None
    await send_share(bot, reply, message.chat.id, message.from_user.id, repo, content)


async def on_share_button(
    query: CallbackQuery, bot: Bot, reply: Replies, repo: Repositories, content: Content
) -> None:
    reply(query.answer())
    await send_share(bot, reply, query.from_user.id, query.from_user.id, repo, content)


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
