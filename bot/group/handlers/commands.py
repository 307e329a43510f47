"""Consultants' commands, in the group or in a private chat with the bot: /leads (paged),
/lead N, /export [period], /stats and /help."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.analytics import bookings as booking_stats
from bot.analytics import nudges as nudges_view
from bot.analytics.chart import funnel_png
from bot.analytics.periods import parse_period, period_start
from bot.analytics.report import collect_report, render_report
from bot.content import Content
from bot.db.pipeline import valid_id
from bot.delivery.replies import Replies, Track
from bot.group.callbacks import LeadsPageCb
from bot.group.desk import Desk
from bot.group.handlers.buttons import canonical
from bot.group.views import first_contact
from bot.group.views import stats as stats_view
from bot.group.views.export import export_csv
from bot.group.views.lead_view import lead_messages
from bot.group.views.leads_list import FILTERS, MAX_PAGE, parse_filter, render_page
from bot.local_time import local


def _argument(
    parse: Callable[[str | None, Content], str | None], message: Message,
    command: CommandObject, desk: Desk, usage: str, **context: Any,
) -> str | None:
    """The code the command's argument names, as `parse` reads it; None (an argument it does
    not know) after answering with the command's usage (the template `usage`)."""
    code = parse(command.args, desk.content)
    if code is None:
        desk.reply(message.answer(desk.content.render(usage, **context)))
    return code


async def on_leads(message: Message, command: CommandObject, desk: Desk) -> None:
    code = _argument(parse_filter, message, command, desk, "group/leads_usage.html",
                     codes=list(FILTERS))
    if code is None:
        return
    page = await render_page(code, 0, desk.repo, desk.content, desk.settings)
    desk.reply(
        message.answer(page.text, reply_markup=page.markup),
        track=Track.lead_page(page.lead_ids, page.detail),
    )


async def on_leads_page(query: CallbackQuery, callback_data: LeadsPageCb, desk: Desk) -> None:
    reply, content = desk.reply, desk.content
    if not await desk.consultants.is_consultant(desk.bot, desk.user.id):
        reply(query.answer(content.label("group_alerts.not_consultant"), show_alert=True))
        return
    code, number = callback_data.s, callback_data.p
    if (
        code not in FILTERS or not 0 <= number <= MAX_PAGE
        or not canonical(query, callback_data) or not isinstance(query.message, Message)
        or not _has_pager(query.message)  # e.g. a lead card: it must not become a list
    ):
        reply(query.answer(content.label("group_alerts.forged"), show_alert=True))
        return
    reply(query.answer())
    page = await render_page(code, number, desk.repo, content, desk.settings)
    reply(
        query.message.edit_text(page.text, reply_markup=page.markup),
        track=Track.lead_page(page.lead_ids, page.detail),
    )


def _has_pager(message: Message) -> bool:
    """The pressed message is a /leads page (only those carry pager buttons)."""
    prefix = f"{LeadsPageCb.__prefix__}{LeadsPageCb.__separator__}"
    markup = message.reply_markup
    return markup is not None and any(
        (button.callback_data or "").startswith(prefix)
        for row in markup.inline_keyboard for button in row
    )


async def on_lead(message: Message, command: CommandObject, desk: Desk) -> None:
    reply, repo, content = desk.reply, desk.repo, desk.content
    argument = (command.args or "").strip().lstrip("№#")
    if not argument.isdigit() or not valid_id(int(argument)):
        reply(message.answer(content.render("group/lead_usage.html")))
        return
    lead = await repo.leads.get(int(argument))
    if lead is None:
        reply(message.answer(content.render("group/lead_not_found.html", id=int(argument))))
        return
    for part in await lead_messages(lead, repo, content, desk.settings):
        # On record wherever it went, so erasing the lead replaces it.
        reply(message.answer(part), track=Track.lead_message(lead.id, "view"))


async def on_export(message: Message, command: CommandObject, desk: Desk) -> None:
    code = _argument(parse_period, message, command, desk, "group/export_usage.html")
    if code is None:
        return
    content, settings = desk.content, desk.settings
    rows = await desk.repo.pipeline.created_since(period_start(code, settings))
    data = export_csv(rows, content, settings)
    today = local(dt.datetime.now(dt.UTC).timestamp(), settings.timezone).strftime("%Y-%m-%d")
    name = content.label("group_export.file_name", period=code, date=today)
    desk.reply(message.answer_document(
        BufferedInputFile(data, filename=name),
        caption=content.render(
            "group/export_caption.html",
            period=content.label(f"group_periods.{code}"), count=len(rows),
        ),
    ))


async def on_stats(message: Message, command: CommandObject, desk: Desk) -> None:
    """Leads per status, the funnel for the period, the time to first contact, its
    reminders, how booked diagnostics ended (booked → held → no-show, by source), then the
    funnel's chart: /stats [period]."""
    code = _argument(parse_period, message, command, desk, "group/stats_usage.html")
    if code is None:
        return
    reply, repo, content = desk.reply, desk.repo, desk.content
    reply(message.answer(stats_view.render(await stats_view.collect(repo), content)))
    since = period_start(code, desk.settings)
    report = await collect_report(repo, code, since)
    reply(message.answer(render_report(report, content)))
    reply(message.answer(await first_contact.render(repo, content, code, since)))
    reply(message.answer(nudges_view.render(await nudges_view.collect(repo, since), code, content)))
    bookings = await booking_stats.collect(repo, code, since)
    reply(message.answer(booking_stats.render(bookings, content)))
    labels = [content.label(f"funnel_steps.{step.step}") for step in report.steps]
    title = content.label("funnel_chart.title", period=content.label(f"group_periods.{code}"))
    png = await asyncio.to_thread(funnel_png, report, labels, title)  # keep the loop free
    reply(message.answer_photo(BufferedInputFile(png, filename=f"funnel-{code}.png")))


async def on_help(message: Message, reply: Replies, content: Content) -> None:
    reply(message.answer(
        content.render("group/help.html", in_group=message.chat.type != "private")
    ))
