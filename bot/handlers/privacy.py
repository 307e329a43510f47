"""/privacy (what is stored and the policy) and /delete_me (erase personal data, 152-FZ)."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import PrivacyCb
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.filters import InChat
from bot.group.times import DATE_FORMAT, local


def build_router() -> Router:
    router = Router(name="privacy")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.message.register(on_privacy, Command("privacy"))
    router.message.register(on_delete_me, Command("delete_me"))
    router.callback_query.register(on_delete_confirm, PrivacyCb.filter())
    return router


def confirm_keyboard(content: Content) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=content.label("privacy_buttons.erase"),
                    callback_data=PrivacyCb(ok=True).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text=content.label("privacy_buttons.keep"),
                    callback_data=PrivacyCb(ok=False).pack(),
                )
            ],
        ]
    )


async def on_privacy(
    message: Message, repo: Repositories, content: Content, settings: Settings
) -> None:
    assert message.from_user is not None
    stored = await repo.privacy.stored(message.from_user.id)
    first_seen = (
        local(stored.first_seen, settings.timezone).strftime(DATE_FORMAT)
        if stored.first_seen
        else ""
    )
    await message.answer(
        content.render(
            "messages/privacy.html",
            policy_url=settings.privacy_policy_url,
            consent_url=settings.consent_doc_url,
            first_seen=first_seen,
            lesson=stored.lesson,
            has_lead=stored.has_lead,
            lead_fields=[content.label(f"privacy_fields.{name}") for name in stored.lead_fields],
            consents=stored.consents,
            has_draft=stored.has_draft,
        )
    )


async def on_delete_me(message: Message, content: Content) -> None:
    await message.answer(
        content.render("messages/delete_confirm.html"), reply_markup=confirm_keyboard(content)
    )


async def on_delete_confirm(
    query: CallbackQuery,
    callback_data: PrivacyCb,
    bot: Bot,
    repo: Repositories,
    content: Content,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    if not callback_data.ok:
        await bot.send_message(query.from_user.id, content.render("messages/delete_kept.html"))
        return
    await repo.erase_person(query.from_user.id)  # FSM rows included: no state.clear()
    await bot.send_message(query.from_user.id, content.render("messages/delete_done.html"))
    # The replay journal has just kept a copy of that farewell (with the chat's name); this
    # update cannot be replayed any more (its inbox row went with the erasure): drop it.
    await repo.journal.forget_chat(query.from_user.id)
