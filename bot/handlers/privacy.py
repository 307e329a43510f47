"""/privacy (what is stored and the policy) and /delete_me (erase personal data, 152-FZ)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.callbacks import PrivacyCb
from bot.config import Settings
from bot.content import Content
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.filters import InChat
from bot.local_time import DATE_FORMAT, local


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
    message: Message, reply: Replies, repo: Repositories, content: Content, settings: Settings
) -> None:
    assert message.from_user is not None
    stored = await repo.privacy.stored(message.from_user.id)
    first_seen = (
        local(stored.first_seen, settings.timezone).strftime(DATE_FORMAT)
        if stored.first_seen
        else ""
    )
    reply(message.answer(
        content.render(
            "messages/privacy.html",
            policy_url=settings.privacy_policy_url,
            consent_url=settings.consent_doc_url,
            profile=[content.label(f"privacy_profile.{name}") for name in stored.profile],
            first_seen=first_seen,
            lesson=stored.lesson,
            arrival=[content.label(f"privacy_arrival.{name}") for name in stored.arrival],
            has_ref_code=stored.has_ref_code,
            invited=stored.invited,
            events=stored.events,
            has_lead=stored.has_lead,
            lead_fields=[content.label(f"privacy_fields.{name}") for name in stored.lead_fields],
            consents=stored.consents,
            draft=stored.draft or "",
            reminders=stored.reminders,
            reminders_off=stored.reminders_off,
            backup_days=backup_days(settings),
        )
    ))


def backup_days(settings: Settings) -> int:
    """How long erased data may live on in the daily backups (0: no backups are made)."""
    return settings.backup_keep if settings.backup_dir is not None else 0


async def on_delete_me(
    message: Message, reply: Replies, content: Content, settings: Settings
) -> None:
    reply(message.answer(
        content.render("messages/delete_confirm.html", backup_days=backup_days(settings)),
        reply_markup=confirm_keyboard(content),
    ))


async def on_delete_confirm(
    query: CallbackQuery,
    callback_data: PrivacyCb,
    reply: Replies,
    repo: Repositories,
    content: Content,
) -> None:
    reply(query.answer())
    if isinstance(query.message, Message):
        reply(query.message.edit_reply_markup(reply_markup=None))
    if not callback_data.ok:
        reply(SendMessage(chat_id=query.from_user.id, text=content.render("messages/delete_kept.html")))
        return
    await repo.erase_person(query.from_user.id)  # FSM rows included: no state.clear()
    reply(SendMessage(chat_id=query.from_user.id, text=content.render("messages/delete_done.html")))
