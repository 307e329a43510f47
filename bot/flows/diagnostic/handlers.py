"""Handlers of the diagnostic flow: entry, answers (buttons, text, contact), back, edit, submit.

Every answer is written to FSM data (SQLite) before the next question is sent, so a restart
between any two steps continues at the same step with earlier answers intact. Every state
has a fallback that says what is wrong and asks the same question again.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from markupsafe import Markup

from bot import keyboards as main_kb
from bot.callbacks import DiagCb, EditCb, MenuAction, MenuCb
from bot.config import Settings
from bot.content import Content
from bot.db.leads import LeadDraft, Notification
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.filters import InChat, Magic
from bot.flows.diagnostic import keyboards as kb
from bot.flows.diagnostic.questions import (
    BUTTON_STEPS,
    LIMITS,
    answer_labels,
    ask,
    call_time_label,
    consent_hash,
    segment_names,
)
from bot.flows.diagnostic.states import (
    EDIT_GROUPS,
    FIRST_STEP,
    STATE_OF,
    DiagnosticStates,
    after_answer,
    previous_step,
    step_of,
)
from bot.input_kind import input_kind
from bot.phone import normalize_phone
from bot.qualification import TURNOVER_BANDS, YEARS_BANDS, qualify
from bot.text_input import clean_text, parse_share

log = logging.getLogger(__name__)

CONSENT_SCOPES = ["name", "company", "position", "phone", "call_time", "answers"]
OPEN_STATUSES = frozenset({"new", "claimed", "contacted", "scheduled"})


def build_router() -> Router:
    router = Router(name="diagnostic")
    router.message.filter(InChat("private"))
    router.callback_query.filter(InChat("private"))
    router.message.register(on_diagnostic_command, Command("diagnostic"))
    router.callback_query.register(on_menu_diagnostic, MenuCb.filter(F.a == MenuAction.diagnostic))
    router.callback_query.register(on_button, DiagCb.filter())
    router.callback_query.register(on_edit, EditCb.filter())
    text_steps = StateFilter(
        DiagnosticStates.segment_name,
        DiagnosticStates.segment_share,
        DiagnosticStates.name,
        DiagnosticStates.company,
        DiagnosticStates.position,
        DiagnosticStates.call_time,
        DiagnosticStates.phone,
    )
    router.message.register(on_contact, StateFilter(DiagnosticStates.phone), Magic(F.contact))
    router.message.register(on_text, text_steps, Magic(F.text))
    return router


def build_fallback_router() -> Router:
    """Re-asks the current question; goes after every router that handles commands."""
    router = Router(name="diagnostic-fallback")
    router.message.filter(InChat("private"))
    router.message.register(on_unexpected, StateFilter(*STATE_OF.values()))
    return router


# -- helpers --------------------------------------------------------------------------------


class Ctx:
    """What every step needs, gathered once per update."""

    def __init__(
        self,
        reply: Replies,
        chat_id: int,
        user_id: int,
        state: FSMContext,
        repo: Repositories,
        content: Content,
        settings: Settings,
    ) -> None:
        self.reply, self.chat_id, self.user_id = reply, chat_id, user_id
        self.state, self.repo, self.content, self.settings = state, repo, content, settings

    def say(self, chat_id: int, text: str, reply_markup: Any = None) -> None:
        self.reply(SendMessage(chat_id=chat_id, text=text, reply_markup=reply_markup))

    async def go(
        self,
        step: str,
        data: dict[str, Any],
        *,
        problem: str | None = None,
        kind: str | None = None,
    ) -> None:
        """Persist the state and data, then ask `step` (durable before visible)."""
        data["step"] = step  # survives other flows and /cancel, so /diagnostic resumes here
        await self.repo.fsm.set_state_and_data(self.state.key, STATE_OF[step], data)
        ask(
            step,
            self.reply,
            self.chat_id,
            data,
            self.content,
            self.settings,
            problem=problem,
            kind=kind,
        )

    async def leave(self, data: dict[str, Any], then: str) -> None:
        """End the flow (no state) keeping the answers, in one write; then tell the owner
        `then` (see `_tell`)."""
        await self.repo.fsm.set_state_and_data(self.state.key, None, data)
        await _tell(self, then, data)


async def _tell(c: Ctx, then: str, data: dict[str, Any]) -> None:
    """What the owner is told after the flow ends (`Ctx.leave`)."""
    if then == "confirmation":
        await _send_confirmation(c, data)
    elif then == "verdict":
        verdict = qualify(
            data.get("turnover", ""),
            data.get("years", ""),
            c.settings.min_turnover_mln,
            c.settings.min_years_on_market,
        )
        c.say(
            c.chat_id,
            c.content.render(
                "diagnostic/unqualified.html",
                min_turnover=_number(c.settings.min_turnover_mln),
                min_years=c.settings.min_years_on_market,
                turnover_ok=verdict.turnover_ok,
                years_ok=verdict.years_ok,
            ),
            reply_markup=main_kb.after_lessons(c.content),
        )
    elif then == "declined":
        c.say(
            c.chat_id,
            c.content.render("diagnostic/declined.html"),
            reply_markup=kb.declined(c.content),
        )
    elif then == "cancelled":
        c.say(
            c.chat_id,
            c.content.render("messages/cancel.html", had_state=True),
            reply_markup=main_kb.greeting(c.content),
        )


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _mark_answered(query: CallbackQuery, c: Ctx, answer: str) -> None:
    """Turn the question into a record of the answer: same text, chosen option, no buttons."""
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        return
    c.reply(message.edit_text(
        c.content.render(
            "diagnostic/answered.html", question=Markup(message.html_text), answer=answer
        ),
        reply_markup=None,
    ))


# -- entry ----------------------------------------------------------------------------------


async def start_diagnostic(c: Ctx, *, fresh: bool = False) -> None:
    """Entry from /diagnostic, the menu, lesson CTAs and the `diag` deep link."""
    data = await c.state.get_data()
    current = step_of(await c.state.get_state())
    if current is None and data.get("draft") and data.get("submitted") != data["draft"]:
        current = data.get("step")  # left for the lessons or /cancel: pick up the draft
        if current is not None:
            await c.state.set_state(STATE_OF[current])
    if current is not None and not fresh:
        c.say(c.chat_id, c.content.render("diagnostic/resume.html"))
        ask(current, c.reply, c.chat_id, data, c.content, c.settings)
        return
    lead = await c.repo.leads.for_user(c.user_id)
    if lead is not None and lead.qualified and lead.status in OPEN_STATUSES and not fresh:
        c.say(
            c.chat_id,
            c.content.render(
                "diagnostic/existing_lead.html",
                status_label=c.content.label(f"lead_status.{lead.status}"),
            ),
            reply_markup=kb.existing_lead(c.content),
        )
        return
    await c.repo.funnel.record(c.user_id, "diagnostic_started")
    c.say(c.chat_id, c.content.render("diagnostic/intro.html"))
    await c.go(FIRST_STEP, {"draft": uuid.uuid4().hex[:16]})


async def on_diagnostic_command(
    message: Message,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    assert message.from_user is not None
    await start_diagnostic(
        Ctx(reply, message.chat.id, message.from_user.id, state, repo, content, settings)
    )


async def on_menu_diagnostic(
    query: CallbackQuery,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    reply(query.answer())
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await start_diagnostic(Ctx(reply, chat_id, query.from_user.id, state, repo, content, settings))


# -- button answers -------------------------------------------------------------------------


async def on_button(
    query: CallbackQuery,
    callback_data: DiagCb,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    c = Ctx(reply, chat_id, query.from_user.id, state, repo, content, settings)
    step, value = callback_data.s, callback_data.v
    current = step_of(await state.get_state())
    data = await state.get_data()

    if step == "entry" and value == "update":
        c.reply(query.answer())
        await start_diagnostic(c, fresh=True)
        return
    if step == "consent" and value == "retry" and current is None and data.get("draft"):
        c.reply(query.answer())
        await c.go("consent", data)
        return
    if step != current:
        submitted = step == "review" and value == "submit" and data.get("submitted")
        c.reply(query.answer(
            content.label("diag_alerts.already_sent" if submitted else "diag_alerts.stale"),
            show_alert=not submitted,
        ))
        return
    if value == "back":
        c.reply(query.answer())
        await _go_back(c, current, data)
        return
    handler = _BUTTON_HANDLERS.get(current)
    if handler is None:
        c.reply(query.answer(content.label("diag_alerts.stale"), show_alert=True))
        return
    await handler(query, c, value, data)


async def _go_back(c: Ctx, step: str, data: dict[str, Any]) -> None:
    target = previous_step(step, data)
    if target is None:
        await c.leave(data, "cancelled")
        return
    count = int(data.get("seg_count") or 0)
    seg = int(data.get("seg", 0))
    if target == "segment_share" and step == "segment_name":
        data["seg"] = max(seg - 1, 0)
    elif target == "segment_share" and step in ("strategic", "consent", "name"):
        data["seg"] = max(count - 1, 0)
    if step == "review":
        data.pop("edit_end", None)
    await c.go(target, data)


async def _advance(c: Ctx, step: str, data: dict[str, Any]) -> None:
    """After `step` was answered: check qualification where it is decided, then move on."""
    if step in ("turnover", "years") and data.get("turnover") and data.get("years"):
        verdict = qualify(
            data["turnover"],
            data["years"],
            c.settings.min_turnover_mln,
            c.settings.min_years_on_market,
        )
        if not verdict.qualified:
            await c.repo.funnel.record(c.user_id, "not_qualified")
            await _finish_unqualified(c, data, verdict.turnover_ok, verdict.years_ok)
            return
        await c.repo.funnel.record(c.user_id, "qualified")
    upcoming = after_answer(step, data)
    if upcoming == "review":
        data.pop("edit_end", None)
    if upcoming == "segment_name" and step == "segments_count":
        data["seg"] = 0
    elif upcoming == "segment_name":
        data["seg"] = int(data.get("seg", 0)) + 1
    if upcoming == "consent" and int(data.get("seg_count") or 0) == 1:
        data["strategic"] = 0
    await c.go(upcoming, data)


async def _choose(
    query: CallbackQuery, c: Ctx, data: dict[str, Any], step: str, key: str, value: Any, label: str
) -> None:
    c.reply(query.answer())
    data[key] = value
    _mark_answered(query, c, label)
    await _advance(c, step, data)


async def _on_turnover(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in {b.code for b in TURNOVER_BANDS}:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(
        query, c, data, "turnover", "turnover", value, c.content.label(f"turnover.{value}")
    )


async def _on_years(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in {b.code for b in YEARS_BANDS}:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(query, c, data, "years", "years", value, c.content.label(f"years.{value}"))


async def _on_dept_type(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in kb.DEPT_TYPES:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(
        query, c, data, "dept_type", "dept_type", int(value), c.content.label(f"dept_type.{value}")
    )


async def _on_lead_source(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in kb.LEAD_SOURCES:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(
        query, c, data, "lead_source", "lead_source", value, c.content.label(f"lead_source.{value}")
    )


async def _on_segments_count(
    query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]
) -> None:
    if value not in {str(n) for n in range(1, kb.MAX_SEGMENTS + 1)}:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    count = int(value)
    # Keep names already given (editing): trim or extend to the new count.
    data["segments"] = list(data.get("segments", []))[:count]
    data["seg_count"] = count
    if int(data.get("strategic", 0)) >= count:
        data["strategic"] = 0
    await _choose(query, c, data, "segments_count", "seg_count", count, value)


async def _on_segment_share_skip(
    query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]
) -> None:
    if value != "skip":
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    c.reply(query.answer())
    _set_share(data, None)
    _mark_answered(query, c, c.content.label("diag_buttons.skip"))
    await _advance(c, "segment_share", data)


def _set_share(data: dict[str, Any], share: int | None) -> None:
    seg = int(data.get("seg", 0))
    segments = data.setdefault("segments", [])
    if seg < len(segments):
        segments[seg]["share"] = share


async def _on_strategic(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    names = segment_names(data)
    if not value.isdigit() or int(value) >= len(names):
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    index = int(value)
    await _choose(query, c, data, "strategic", "strategic", index, names[index])


async def _on_consent(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in ("agree", "decline"):
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    c.reply(query.answer())
    decision = "granted" if value == "agree" else "declined"
    consent_id = await c.repo.consents.record(
        c.user_id, decision, consent_hash(c.content, c.settings), CONSENT_SCOPES
    )
    _mark_answered(query, c, c.content.label(f"diag_buttons.{value}"))
    if decision == "declined":
        for key in (
            "name",
            "company",
            "position",
            "phone",
            "pending_phone",
            "call_time",
            "consent_id",
        ):
            data.pop(key, None)
        data.pop("edit_end", None)
        await c.leave(data, "declined")
        return
    data["consent_id"] = consent_id
    await c.repo.funnel.record(c.user_id, "consent")
    await _advance(c, "consent", data)


async def _on_position_skip(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value != "skip":
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(
        query, c, data, "position", "position", None, c.content.label("diag_buttons.skip")
    )


async def _on_phone_confirm(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in ("yes", "no"):
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    c.reply(query.answer())
    pending = data.pop("pending_phone", None)
    if value == "no" or not pending:
        _mark_answered(query, c, c.content.label("diag_buttons.other_phone"))
        await c.go("phone", data)
        return
    data["phone"] = pending
    _mark_answered(query, c, c.content.label("diag_buttons.use_phone"))
    await _phone_saved(c, data)


async def _on_call_time(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value not in kb.CALL_TIMES:
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    await _choose(
        query, c, data, "call_time", "call_time", value, c.content.label(f"call_time.{value}")
    )


async def _on_review(query: CallbackQuery, c: Ctx, value: str, data: dict[str, Any]) -> None:
    if value != "submit":
        c.reply(query.answer(c.content.label("diag_alerts.stale"), show_alert=True))
        return
    c.reply(query.answer())
    await _submit(c, data)
    if isinstance(query.message, Message):
        c.reply(query.message.edit_reply_markup(reply_markup=None))


_BUTTON_HANDLERS = {
    "turnover": _on_turnover,
    "years": _on_years,
    "dept_type": _on_dept_type,
    "lead_source": _on_lead_source,
    "segments_count": _on_segments_count,
    "segment_share": _on_segment_share_skip,
    "strategic": _on_strategic,
    "consent": _on_consent,
    "position": _on_position_skip,
    "phone_confirm": _on_phone_confirm,
    "call_time": _on_call_time,
    "review": _on_review,
}


# -- text and contact answers ---------------------------------------------------------------


async def on_text(
    message: Message,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    assert message.from_user is not None and message.text is not None
    c = Ctx(reply, message.chat.id, message.from_user.id, state, repo, content, settings)
    step = step_of(await state.get_state())
    data = await state.get_data()
    if step is None:
        return
    if message.text.strip() == content.label("diag_buttons.back"):
        await _go_back(c, step, data)
        return
    if message.text.startswith("/"):
        await c.go(
            step,
            data,
            problem="need_text" if step not in BUTTON_STEPS else "need_button",
            kind="command",
        )
        return
    if step == "phone":
        await _on_typed_phone(c, message.text, data)
        return
    if step == "segment_share":
        share = parse_share(message.text)
        if share is None:
            await c.go(step, data, problem="bad_share")
            return
        _set_share(data, share)
        await _advance(c, step, data)
        return
    check = clean_text(message.text, LIMITS[step])
    if check.problem is not None:
        await c.go(step, data, problem=check.problem)
        return
    value = check.value
    if step == "segment_name":
        seg = int(data.get("seg", 0))
        segments = list(data.get("segments", []))
        others = [s["name"].casefold() for i, s in enumerate(segments) if i != seg]
        if value and value.casefold() in others:
            await c.go(step, data, problem="duplicate_segment")
            return
        entry = {"name": value, "share": segments[seg]["share"] if seg < len(segments) else None}
        if seg < len(segments):
            segments[seg] = entry
        else:
            segments.append(entry)
        data["segments"] = segments
    else:
        data[step] = value
    await _advance(c, step, data)


async def _on_typed_phone(c: Ctx, raw: str, data: dict[str, Any]) -> None:
    phone = normalize_phone(raw)
    if phone is None:
        await c.go("phone", data, problem="bad_phone")
        return
    data["phone"] = phone
    await _phone_saved(c, data)


async def _phone_saved(c: Ctx, data: dict[str, Any]) -> None:
    # The reply keyboard with the contact button goes away with this confirmation.
    c.say(
        c.chat_id,
        c.content.render("diagnostic/phone_saved.html", phone=data["phone"]),
        reply_markup=ReplyKeyboardRemove(),
    )
    await _advance(c, "phone_confirm", data)


async def on_contact(
    message: Message,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    assert message.from_user is not None and message.contact is not None
    c = Ctx(reply, message.chat.id, message.from_user.id, state, repo, content, settings)
    data = await state.get_data()
    phone = normalize_phone(message.contact.phone_number)
    if phone is None:
        await c.go("phone", data, problem="bad_phone")
        return
    if message.contact.user_id != message.from_user.id:
        data["pending_phone"] = phone
        c.say(
            c.chat_id,
            content.render("diagnostic/contact_received.html", phone=phone),
            reply_markup=ReplyKeyboardRemove(),
        )
        await c.go("phone_confirm", data)
        return
    data["phone"] = phone
    await _phone_saved(c, data)


async def on_unexpected(
    message: Message,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    """Per-state fallback: a sticker, photo, voice or text where a button is expected."""
    assert message.from_user is not None
    c = Ctx(reply, message.chat.id, message.from_user.id, state, repo, content, settings)
    step = step_of(await state.get_state())
    if step is None:
        return
    data = await state.get_data()
    kind = input_kind(message)
    if message.text and message.text.strip() == content.label("diag_buttons.back"):
        await _go_back(c, step, data)
        return
    problem = "need_button" if step in BUTTON_STEPS else "need_text"
    ask(step, reply, c.chat_id, data, content, settings, problem=problem, kind=kind)


# -- review: edit and submit ----------------------------------------------------------------


async def on_edit(
    query: CallbackQuery,
    callback_data: EditCb,
    reply: Replies,
    state: FSMContext,
    repo: Repositories,
    content: Content,
    settings: Settings,
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    c = Ctx(reply, chat_id, query.from_user.id, state, repo, content, settings)
    if step_of(await state.get_state()) != "review" or callback_data.f not in EDIT_GROUPS:
        c.reply(query.answer(content.label("diag_alerts.stale"), show_alert=True))
        return
    c.reply(query.answer())
    first, last = EDIT_GROUPS[callback_data.f]
    data = await state.get_data()
    data["edit_end"] = last
    if first == "segments_count":
        data["seg"] = 0
    await c.go(first, data)


def _answers(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("turnover", "years", "dept_type", "lead_source", "segments", "strategic")
    return {key: data.get(key) for key in keys}


async def _submit(c: Ctx, data: dict[str, Any]) -> None:
    verdict = qualify(
        data.get("turnover", ""),
        data.get("years", ""),
        c.settings.min_turnover_mln,
        c.settings.min_years_on_market,
    )
    source, referrer_id = await c.repo.referrals.attribution(c.user_id)
    draft = LeadDraft(
        user_id=c.user_id,
        draft_id=str(data["draft"]),
        qualified=verdict.qualified,
        qualification=_qualification_text(c, data, verdict.turnover_ok, verdict.years_ok),
        answers=_answers(data),
        source=source,
        referrer_id=referrer_id,
        name=data.get("name"),
        company=data.get("company"),
        position=data.get("position"),
        phone=data.get("phone"),
        call_time=call_time_label(data, c.content) if data.get("call_time") else None,
        consent_id=data.get("consent_id"),
    )
    notify = Notification("lead_card", None, {}) if verdict.qualified else None
    result = await c.repo.leads.submit(draft, notify)
    log.info("lead %d %s", result.lead.id, "replayed" if result.replayed else "stored")
    if not result.replayed:
        await c.repo.funnel.record(c.user_id, "lead_submitted", lead_id=result.lead.id)
        if verdict.qualified:
            await c.repo.referrals.thank_once(c.user_id, "lead")
    # Committed: only now tell the owner.
    data["submitted"] = data["draft"]
    await c.leave(data, "confirmation")


async def _send_confirmation(c: Ctx, data: dict[str, Any]) -> None:
    """Thanks, when to expect the call, and the preliminary checklist."""
    if not data.get("phone"):  # a not-qualified request: its answer went out with the verdict
        return
    labels = answer_labels(data, c.content)
    c.say(
        c.chat_id,
        c.content.render(
            "diagnostic/submitted.html",
            name=data.get("name") or "",
            expectation=c.settings.callback_expectation
            or c.content.label("diag_texts.callback_expectation"),
            call_time=labels["call_time"] if data.get("call_time") else "",
        ),
    )
    c.say(
        c.chat_id,
        _checklist(c, data),
        reply_markup=main_kb.after_submit(c.content),
    )


def _checklist(c: Ctx, data: dict[str, Any]) -> str:
    names = segment_names(data)
    strategic = int(data.get("strategic", 0))
    return c.content.render(
        "diagnostic/checklist.html",
        dept_type_number=int(data.get("dept_type") or 1),
        lead_source=data.get("lead_source") or "",
        segments=data.get("segments", []),
        strategic_name=names[strategic] if strategic < len(names) else (names[0] if names else ""),
    )


def _qualification_text(c: Ctx, data: dict[str, Any], turnover_ok: bool, years_ok: bool) -> str:
    return c.content.render(
        "diagnostic/qualification.html",
        turnover=c.content.label(f"turnover.{data.get('turnover')}")
        if data.get("turnover")
        else "—",
        years=c.content.label(f"years.{data.get('years')}") if data.get("years") else "—",
        turnover_ok=turnover_ok,
        years_ok=years_ok,
        min_turnover=_number(c.settings.min_turnover_mln),
        min_years=c.settings.min_years_on_market,
    )


async def _finish_unqualified(
    c: Ctx, data: dict[str, Any], turnover_ok: bool, years_ok: bool
) -> None:
    notify = Notification("lead_card", None, {}) if c.settings.notify_unqualified else None
    draft = LeadDraft(
        user_id=c.user_id,
        draft_id=str(data["draft"]),
        qualified=False,
        qualification=_qualification_text(c, data, turnover_ok, years_ok),
        answers=_answers(data),
    )
    await c.repo.leads.submit(draft, notify)
    data.pop("edit_end", None)
    data["submitted"] = data["draft"]
    await c.leave(data, "verdict")
