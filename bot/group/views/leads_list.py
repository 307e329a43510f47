"""/leads: which leads a filter means, and one page of the list as a message with a pager;
a page sent earlier rendered again without a lead that was erased since."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.repos import Repositories
from bot.domain import OPEN_STATUSES, LeadStatus
from bot.group.views.card import shorten, status_label
from bot.group.views.keyboards import pager
from bot.local_time import stamp

FILTERS: dict[str, tuple[str, ...]] = {
    "open": OPEN_STATUSES,
    "all": tuple(LeadStatus),
    **{status: (status,) for status in LeadStatus},
}
MAX_PAGE = 1_000_000
NAME_LIMIT = 60


def parse_filter(argument: str | None, content: Content) -> str | None:
    """A filter code from the command argument: empty, a code or a status label; else None."""
    text = (argument or "").strip().casefold()
    if not text:
        return "open"
    if text in FILTERS:
        return text
    for code in FILTERS:
        if text == filter_label(code, content).casefold():
            return code
    return None


def filter_label(code: str, content: Content) -> str:
    if code in ("open", "all"):
        return content.label(f"group_filters.{code}")
    return status_label(content, code)


@dataclass(frozen=True, slots=True)
class Page:
    text: str
    markup: InlineKeyboardMarkup | None
    code: str  # the filter
    number: int  # 0-based
    pages: int
    lead_ids: list[int]  # the leads it lists, as shown

    @property
    def detail(self) -> str:
        """What to remember with the page to render it again (see `without`)."""
        return json.dumps({"s": self.code, "p": self.number, "n": self.pages})


async def render_page(
    code: str, page: int, repo: Repositories, content: Content, settings: Settings
) -> Page:
    size = settings.leads_page_size
    statuses = FILTERS[code]
    rows, total = await repo.pipeline.page(statuses, page * size, size)
    pages = max(math.ceil(total / size), 1)
    if page >= pages and total:
        page = pages - 1
        rows, total = await repo.pipeline.page(statuses, page * size, size)
    return _page(code, page, pages, rows, content, settings)


async def without(
    detail: str | None, lead_ids: list[int], repo: Repositories, content: Content,
    settings: Settings,
) -> Page | None:
    """A page as it was sent, listing only `lead_ids` (the erased lead's line dropped, the
    other leads' lines as they are now); None when `detail` is not a page's."""
    try:
        meta = json.loads(detail or "")
        code, number, pages = meta["s"], int(meta["p"]), int(meta["n"])
    except (ValueError, TypeError, KeyError):
        return None
    if code not in FILTERS:
        return None
    leads = [lead for lead in [await repo.leads.get(i) for i in lead_ids] if lead is not None]
    return _page(code, number, pages, leads, content, settings)


def _page(
    code: str, page: int, pages: int, rows: list[LeadRow], content: Content, settings: Settings
) -> Page:
    items = [
        {
            "id": lead.id,
            "created": stamp(lead.created_at, settings.timezone),
            "status": status_label(content, lead.status),
            "assignee": shorten(lead.assignee_name, NAME_LIMIT),
            "name": shorten(lead.name, NAME_LIMIT),
            "company": shorten(lead.company, NAME_LIMIT),
        }
        for lead in rows
    ]
    text = content.render(
        "group/leads_list.html",
        filter=filter_label(code, content), page=page + 1, pages=pages, items=items,
    )
    return Page(
        text, pager(code, page, pages, content), code, page, pages, [lead.id for lead in rows]
    )
