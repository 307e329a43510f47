"""/export: leads as a CSV file Excel opens correctly.

UTF-8 with a BOM (Excel's cue for UTF-8), ";" between cells (Russian Excel's list
separator) through a csv dialect, quoting by the csv module. A cell that starts with
= + - @ (or tab / carriage return) gets a leading apostrophe, so Excel never runs it as a
formula (CSV injection).
"""

from __future__ import annotations

import csv
import io

from bot.config import Settings
from bot.content import Content
from bot.db.models import LeadRow
from bot.group.views.card import option_label, plain, status_label
from bot.local_time import stamp

COLUMNS = (
    "id", "created", "updated", "status", "assignee", "name", "company", "position", "phone",
    "call_time", "turnover", "years", "qualification", "dept_type", "lead_source", "segments",
    "strategic", "source", "referrer", "submissions", "lost_reason",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExcelSemicolon(csv.excel):
    """Excel's CSV with ";" as the delimiter (what Excel expects in a Russian locale)."""

    delimiter = ";"


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _segments(lead: LeadRow) -> tuple[str, str]:
    raw = lead.answers.get("segments")
    items = [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
    lines = []
    for item in items:
        share = item.get("share")
        name = str(item.get("name") or "")
        lines.append(f"{name} — {share}%" if isinstance(share, int | float) else name)
    strategic = lead.answers.get("strategic")
    chosen = (
        str(items[strategic].get("name") or "")
        if isinstance(strategic, int) and 0 <= strategic < len(items) else ""
    )
    return "\n".join(lines), chosen


def lead_cells(
    lead: LeadRow, lost_reason: str | None, content: Content, settings: Settings
) -> dict[str, str]:
    """One lead as export cells, before neutralising (what a reader should get back)."""
    segments, strategic = _segments(lead)
    answers = lead.answers
    return {
        "id": str(lead.id),
        "created": stamp(lead.created_at, settings.timezone),
        "updated": stamp(lead.updated_at, settings.timezone),
        "status": status_label(content, lead.status),
        "assignee": lead.assignee_name or "",
        "name": lead.name or "",
        "company": lead.company or "",
        "position": lead.position or "",
        "phone": lead.phone or "",
        "call_time": lead.call_time or "",
        "turnover": option_label(content, "turnover", answers.get("turnover")),
        "years": option_label(content, "years", answers.get("years")),
        "qualification": plain(lead.qualification),
        "dept_type": option_label(content, "dept_type", answers.get("dept_type")),
        "lead_source": option_label(content, "lead_source", answers.get("lead_source")),
        "segments": segments,
        "strategic": strategic,
        "source": lead.source or "",
        "referrer": str(lead.referrer_id) if lead.referrer_id is not None else "",
        "submissions": str(lead.submissions),
        "lost_reason": lost_reason or "",
    }


def export_csv(
    rows: list[tuple[LeadRow, str | None]], content: Content, settings: Settings
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect=ExcelSemicolon)
    writer.writerow([neutralise(content.label(f"group_export.{column}")) for column in COLUMNS])
    for lead, lost_reason in rows:
        cells = lead_cells(lead, lost_reason, content, settings)
        writer.writerow([neutralise(cells[column]) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
