"""Personal data of one owner: what is stored (for /privacy) and erasure (for /delete_me)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.db.leads import Notification, enqueue
from bot.db.nudges import erase_owner as erase_nudges
from bot.db.repository import Repository
from bot.domain import OutboxKind

# Where a Telegram user id can appear inside a stored update.
_INBOX_USER_PATHS = (
    "$.message.from.id",
    "$.message.chat.id",
    "$.message.contact.user_id",
    "$.edited_message.from.id",
    "$.callback_query.from.id",
    "$.inline_query.from.id",
    "$.my_chat_member.from.id",
)


PROFILE_FIELDS = ("first_name", "last_name", "username", "language_code")
LEAD_FIELDS = ("name", "company", "position", "phone", "call_time")
# Keys of the questionnaire's answers wherever they sit in the FSM data (the draft).
DRAFT_ANSWER_KEYS = frozenset(
    {"name", "company", "position", "phone", "call_time", "segments", "turnover", "years",
     "dept_type", "lead_source", "strategic"}
)


@dataclass(frozen=True, slots=True)
class StoredData:
    """What the database holds about one person right now, field by field."""

    profile: list[str]  # PROFILE_FIELDS that are set
    first_seen: float | None
    lesson: int
    arrival: list[str]  # "link" (the link's tag), "referrer" (who invited them)
    has_ref_code: bool
    invited: int  # people who came by their link
    events: int  # their funnel marks
    has_lead: bool
    lead_fields: list[str]  # LEAD_FIELDS set, "answers", then "notes", "history", "lost_reason",
    # "relay" (ids of the messages relayed between the owner and the consultants)
    consents: int
    draft: str | None  # None, "open" (an unfinished request) or "copy" (of the one sent)
    reminders: int = 0  # follow-ups planned for them or sent to them (bot/nudges)
    reminders_off: bool = False  # they asked for none (/stop)


class PrivacyRepo(Repository):
    async def stored(self, user_id: int) -> StoredData:
        """Computed from the rows themselves, so /privacy lists exactly what is there."""
        user = await self.db.fetchone(
            "SELECT first_name, last_name, username, language_code, first_seen, lesson, "
            "source, campaign, start_payload, last_source, last_campaign, referrer_id, ref_code, "
            "nudges_off_at FROM users WHERE id = ?",
            (user_id,),
        )
        lead = await self.db.fetchone(
            "SELECT id, name, company, position, phone, call_time, answers, lost_reason, draft_id "
            "FROM leads WHERE user_id = ?",
            (user_id,),
        )
        lead_fields: list[str] = []
        if lead is not None:
            lead_fields = [n for n, v in zip(LEAD_FIELDS, lead[1:6], strict=True) if v]
            if _has_answers(_loads(lead[6])):
                lead_fields.append("answers")
            for name, sql in (
                ("notes", "SELECT count(*) FROM lead_notes WHERE lead_id = ?"),
                ("history", "SELECT count(*) FROM lead_history WHERE lead_id = ?"),
                ("bookings", "SELECT count(*) FROM bookings WHERE lead_id = ?"),
            ):
                if await self.db.fetchval(sql, (lead[0],)):
                    lead_fields.append(name)
            if lead[7]:
                lead_fields.append("lost_reason")
            if await self.db.fetchval(
                "SELECT count(*) FROM relay_messages WHERE lead_id = ?", (lead[0],)
            ):
                lead_fields.append("relay")
        draft = None
        for row in await self.db.fetchall("SELECT data FROM fsm WHERE user_id = ?", (user_id,)):
            data = _loads(row[0])
            if _has_answers(data):
                sent = lead is not None and isinstance(data, dict) and data.get("draft") == lead[8]
                draft = "copy" if sent and draft is None else "open"
        arrival = []
        if user is not None and any(user[6:11]):
            arrival.append("link")
        if user is not None and user[11] is not None:
            arrival.append("referrer")
        count = "SELECT count(*) FROM {} WHERE {} = ?"
        return StoredData(
            profile=[n for n, v in zip(PROFILE_FIELDS, user[:4], strict=True) if v] if user else [],
            first_seen=user[4] if user else None,
            lesson=user[5] if user else 0,
            arrival=arrival,
            has_ref_code=bool(user and user[12]),
            invited=int(await self.db.fetchval(count.format("users", "referrer_id"), (user_id,))),
            events=int(await self.db.fetchval(count.format("events", "user_id"), (user_id,))),
            has_lead=lead is not None,
            lead_fields=lead_fields,
            consents=int(await self.db.fetchval(count.format("consents", "user_id"), (user_id,))),
            draft=draft,
            reminders=int(await self.db.fetchval(count.format("nudges", "user_id"), (user_id,))),
            reminders_off=bool(user is not None and user[13] is not None),
        )

    async def erase(self, user_id: int) -> list[int]:
        """Delete everything personal about the user; return the ids of erased leads."""
        async with self.db.transaction() as conn:
            lead_ids = [
                row[0]
                for row in await conn.execute_fetchall(
                    "SELECT id FROM leads WHERE user_id = ?", (user_id,)
                )
            ]
            needles = await _personal_values(conn, user_id)
            for lead_id in lead_ids:
                # The group card is replaced by a tombstone through the outbox.
                await enqueue(
                    conn,
                    Notification(OutboxKind.lead_erased, None, {"lead_id": lead_id}),
                    None,
                    f"lead_erased:{lead_id}",
                )
            await conn.execute("DELETE FROM leads WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM consents WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM fsm WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            # Replies still owed to the person's chat (Telegram was down) go too.
            await conn.execute("DELETE FROM replies WHERE lane = ?", (user_id,))
            # Their reminders: pending ones go, sent ones stay for /stats pointing to nobody.
            await erase_nudges(conn, user_id)
            # Funnel counts stay true, but nothing links them to the person any more.
            await conn.execute("UPDATE events SET user_id = NULL WHERE user_id = ?", (user_id,))
            await conn.execute(
                "UPDATE funnel SET user_id = ? WHERE user_id = ?",
                (-secrets.randbelow(2**62) - 1, user_id),
            )
            await conn.execute(
                "DELETE FROM referral_thanks WHERE referrer_id = ? OR friend_id = ?",
                (user_id, user_id),
            )
            # Thanks to or about them, sent or not: the payload names the friend.
            await conn.execute(
                "DELETE FROM outbox WHERE kind = 'referrer_thanks' "
                "AND (chat_id = ? OR dedup_key LIKE 'thanks:%:' || ?)",
                (user_id, user_id),
            )
            await conn.execute(
                "UPDATE users SET referrer_id = NULL WHERE referrer_id = ?", (user_id,)
            )
            condition = " OR ".join(
                f"json_extract(payload, '{path}') = ?" for path in _INBOX_USER_PATHS
            )
            await conn.execute(
                # Finished updates keep no payload (''): only valid JSON is looked into.
                f"DELETE FROM inbox WHERE CASE WHEN json_valid(payload) THEN ({condition}) "
                "ELSE 0 END",
                (user_id,) * len(_INBOX_USER_PATHS),
            )
            # Other people's updates kept after a failure may quote them (a consultant's
            # button under the card carries the card): those payloads go too.
            for update_id, payload in await conn.execute_fetchall(
                "SELECT update_id, payload FROM inbox WHERE status = 'failed' AND payload <> ''"
            ):
                if _mentions(_loads(payload), needles):
                    await conn.execute(
                        "UPDATE inbox SET payload = '' WHERE update_id = ?", (update_id,)
                    )
        return lead_ids


async def _personal_values(conn: aiosqlite.Connection, user_id: int) -> list[str]:
    """What would identify the person inside someone else's stored update."""
    rows = await conn.execute_fetchall(
        "SELECT name, company, phone FROM leads WHERE user_id = ? "
        "UNION ALL SELECT username, NULL, NULL FROM users WHERE id = ?",
        (user_id, user_id),
    )
    return [value for row in rows for value in row if isinstance(value, str) and len(value) > 2]


def _mentions(data: Any, needles: list[str]) -> bool:
    if isinstance(data, str):
        return any(needle in data for needle in needles)
    if isinstance(data, dict):
        return any(_mentions(value, needles) for value in data.values())
    if isinstance(data, list):
        return any(_mentions(item, needles) for item in data)
    return False


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text or "null")
    except ValueError:
        return None


def _has_answers(data: Any) -> bool:
    """Whether JSON data holds a questionnaire answer with a value, at any depth."""
    if isinstance(data, dict):
        return any(
            (key in DRAFT_ANSWER_KEYS and value not in (None, "", [], {})) or _has_answers(value)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return any(_has_answers(item) for item in data)
    return False
