"""Inline keyboards of the group: status buttons on a card and the /leads pager."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import Content
from bot.db.models import LeadRow
from bot.db.pipeline import MAX_ID
from bot.domain import Assignment, LeadStatus
from bot.group.callbacks import CardCb, LeadsPageCb, PassCb
from bot.group.rules import ALLOWED, Action, actions


def card_keyboard(
    lead: LeadRow, content: Content, assignment: str = Assignment.manual
) -> InlineKeyboardMarkup | None:
    """The buttons allowed from the lead's status: the main move first, the rest below;
    with round-robin assignment, «Передать» for a lead someone has and has not closed."""
    passable = (
        assignment == Assignment.round_robin and lead.assignee_id is not None
        and lead.status in PASSABLE
    )
    return status_keyboard(lead.id, lead.status, content, lead.assignee_id, passable=passable)


PASSABLE = (LeadStatus.new, LeadStatus.claimed)
"""Statuses in which a lead may be passed on to the next consultant on duty."""


def status_keyboard(
    lead_id: int, status: str, content: Content, assignee_id: int | None = None, *,
    passable: bool = False,
) -> InlineKeyboardMarkup | None:
    shown = actions(status, assignee_id)
    if not shown:
        return None
    buttons = [
        InlineKeyboardButton(
            text=content.label(f"group_buttons.{action.name}"),
            callback_data=CardCb(id=lead_id, a=action).pack(),
        )
        for action in shown
    ]
    rest = buttons[1:]
    rows = [buttons[:1], *(rest[i : i + 2] for i in range(0, len(rest), 2))]
    if passable:
        rows.append([InlineKeyboardButton(
            text=content.label("group_buttons.pass_on"),
            callback_data=PassCb(id=lead_id).pack(),
        )])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def pager(filter_code: str, page: int, pages: int, content: Content) -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(
            text=content.label("group_buttons.prev_page"),
            callback_data=LeadsPageCb(s=filter_code, p=page - 1).pack(),
        ))
    if page < pages - 1:
        row.append(InlineKeyboardButton(
            text=content.label("group_buttons.next_page"),
            callback_data=LeadsPageCb(s=filter_code, p=page + 1).pack(),
        ))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def sample_keyboards(content: Content) -> Iterable[tuple[str, InlineKeyboardMarkup]]:
    """Every group keyboard with extreme values, for the content check."""
    for status, allowed in ALLOWED.items():
        if allowed:
            markup = status_keyboard(MAX_ID, status, content)
            assert markup is not None
            yield f"group card [{status}]", markup
    for status in PASSABLE:
        markup = status_keyboard(MAX_ID, status, content, passable=True)
        assert markup is not None
        yield f"group card passable [{status}]", markup
    for code in ("open", "all", "unqualified"):
        markup = pager(code, 500_000, 1_000_000, content)
        assert markup is not None
        yield f"group pager [{code}]", markup
    assert {a for allowed in ALLOWED.values() for a in allowed} == set(Action)
