"""Runs a questionnaire for an owner: asks, takes answers (buttons, text, contacts), goes
back, edits from the review, leaves, submits.

`FormHandlers(form)` registers one handler per kind of input for every question of `form`;
no handler names a question — what a question accepts, where its answer goes and what comes
next are read from its declaration (bot/flows/diagnostic/form.py). Every answer is written
to the FSM data together with the new state before the next question is asked, in the
update's transaction (bot/runner.py), so a restart between any two steps continues at the
same step with earlier answers intact. Anything a question cannot take gets a hint and the
same question again; nothing given is lost.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from markupsafe import Markup

from bot import keyboards as main_kb
from bot.callbacks import DiagCb, EditCb, MenuAction, MenuCb
from bot.clock import Clock
from bot.domain import OPEN_STATUSES, FunnelStep
from bot.filters import InChat, Magic
from bot.flows.conversation import Conversation
from bot.flows.diagnostic import keyboards as kb
from bot.flows.diagnostic import submission
from bot.flows.diagnostic.draft import Draft
from bot.flows.diagnostic.form import Form, Kind, Leave, Position, Problem, Question
from bot.input_kind import input_kind
from bot.nudges import policy as followups
from bot.phone import normalize_phone
from bot.text_input import clean_text, parse_number

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Step(Conversation):
    """What answering needs, gathered once per update: the conversation and the form."""

    form: Form

    @classmethod
    def of(cls, talk: Conversation, form: Form) -> Step:
        """The conversation a handler was given (`talk`), answering `form`."""
        return cls(
            talk.reply, talk.chat_id, talk.user_id, talk.state, talk.repo, talk.content,
            talk.settings, form,
        )

    @property
    def clock(self) -> Clock:
        """"Now" (the free times offered after submit): the repositories' clock."""
        return self.repo.clock

    async def draft(self) -> Draft:
        return self.form.load(await self.state.get_data(), self.settings)

    async def position(self, draft: Draft) -> Position | None:
        key = self.form.key_of(await self.state.get_state())
        if key is None:
            return None
        return Position(key, draft.seg if key in self.form.repeated else 0)

    def say(self, template: str, markup: Any = None, **context: Any) -> None:
        self.reply(
            SendMessage(
                chat_id=self.chat_id,
                text=self.content.render(template, **context),
                reply_markup=markup,
            )
        )

    async def save(self, draft: Draft, at: Position | None) -> None:
        """The state (None: out of the form) and the draft, in one write."""
        state = None if at is None else self.form.states[at.key]
        await self.repo.fsm.set_state_and_data(self.state.key, state, draft.dump())


# -- what questions look like ---------------------------------------------------------------


def question_text(step: Step, draft: Draft, at: Position) -> str:
    form = step.form
    question = form.questions[at.key]
    if question.kind is Kind.REVIEW:
        return step.content.render("diagnostic/review.html", lines=review_lines(step, draft))
    number, total = form.numbering(draft, at)
    context = question.context(step, draft, at.index) if question.context else {}
    return step.content.render(question.template, number=number, total=total, **context)


def review_lines(step: Step, draft: Draft) -> list[dict[str, Any]]:
    """The review screen, line by line, from the questions that declare a `review` label."""
    lines = []
    for question in step.form.questions.values():
        if question.review is None or not question.when(draft):
            continue
        value = question.show(draft) if question.show else shown_answer(step, question, draft)
        lines.append({"label": step.content.label(f"review.{question.review}"), "value": value})
    return lines


def shown_answer(step: Step, question: Question, draft: Draft) -> str | None:
    value = getattr(draft, question.field, None)
    if value is None:
        return None
    if question.kind is Kind.CHOICE and str(value) in question.codes and question.labels:
        return step.content.label(f"{question.labels}.{value}")
    return str(value)


def ask(
    step: Step, draft: Draft, at: Position, *, problem: Problem | None = None,
    kind: str | None = None,
) -> None:
    """Send the question at `at`, preceded by a short hint when re-asking."""
    question = step.form.questions[at.key]
    text = question_text(step, draft, at)
    if problem is not None:
        hint = step.content.render(
            "diagnostic/reask.html", problem=problem.value, kind=kind or "text",
            limit=question.limit, low=question.bounds[0], high=question.bounds[1],
        )
        text = f"{hint}\n\n{text}"
    markup = kb.question_markup(step.content, step.form, question, draft)
    step.reply(SendMessage(chat_id=step.chat_id, text=text, reply_markup=markup))


async def go(
    step: Step, draft: Draft, at: Position, *, problem: Problem | None = None,
    kind: str | None = None,
) -> None:
    """Persist where the owner is (and when to remind them of it), then ask (durable before
    visible)."""
    draft.step, draft.seg = at.key, at.index
    if at.key == step.form.review_key:
        draft.editing = None
    await step.save(draft, at)
    await remind_at(step, draft, at)
    ask(step, draft, at, problem=problem, kind=kind)


async def remind_at(step: Step, draft: Draft, at: Position) -> None:
    """The request reminder («вы остановились на вопросе …») waits from now, naming `at`."""
    place = followups.request_place(step.form, draft, at)
    await followups.request_at(step.repo, step.settings, step.user_id, place)


def mark_answered(step: Step, query: CallbackQuery, answer: str) -> None:
    """Turn the question into a record of the answer: same text, chosen option, no buttons."""
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        return
    step.reply(
        message.edit_text(
            step.content.render(
                "diagnostic/answered.html", question=Markup(message.html_text), answer=answer
            ),
            reply_markup=None,
        )
    )


# -- entering and leaving --------------------------------------------------------------------


async def start(step: Step, *, fresh: bool = False) -> None:
    """Entry from /diagnostic, the menu, lesson CTAs and the `diag` deep link: resume the
    request in progress, show the one already sent, or begin."""
    draft = await step.draft()
    at = await step.position(draft)
    if at is None and draft.in_progress:
        at = step.form.position(draft)  # left for the lessons or /cancel: pick it up
    if at is not None and not fresh:
        step.say("diagnostic/resume.html")
        await step.save(draft, at)
        await followups.request_opened(step.repo, step.user_id)
        await remind_at(step, draft, at)
        ask(step, draft, at)
        return
    lead = await step.repo.leads.for_user(step.user_id)
    if lead is not None and lead.qualified and lead.status in OPEN_STATUSES and not fresh:
        step.say(
            "diagnostic/existing_lead.html",
            kb.existing_lead(step.content),
            status_label=step.content.label(f"lead_status.{lead.status}"),
        )
        return
    await step.repo.funnel.record(step.user_id, FunnelStep.diagnostic_started)
    await followups.request_opened(step.repo, step.user_id)
    step.say("diagnostic/intro.html", **submission.conditions(step.settings))
    draft = step.form.begin(step.settings, draft=uuid.uuid4().hex[:16])
    await go(step, draft, step.form.first(draft))


async def leave(step: Step, draft: Draft, why: Leave) -> None:
    """End the form before the review (the answers stay for /diagnostic to pick up)."""
    draft.editing = None
    if why is Leave.unqualified:
        corrections = await submission.store_unqualified(step, draft)
        await step.save(draft, None)
        step.say(
            "diagnostic/unqualified.html",
            kb.corrections(step.content, corrections),
            **submission.verdict_context(step, draft),
        )
        return
    await step.save(draft, None)
    await followups.request_left(step.repo, step.user_id)
    if why is Leave.declined:
        step.say("diagnostic/declined.html", kb.declined(step.content, draft.step or ""))
    else:
        step.say(
            "messages/cancel.html", main_kb.greeting(step.content), had_state=True
        )


async def back(step: Step, draft: Draft, at: Position) -> None:
    target = step.form.before(draft, at)
    if target is None:
        await leave(step, draft, Leave.cancelled)
        return
    await go(step, draft, target)


async def take(
    step: Step, draft: Draft, at: Position, value: Any, *,
    answered: tuple[CallbackQuery, str] | None = None,
) -> None:
    """Store a well-formed answer at `at` (unless the question's own rule refuses it), then
    go where the declaration leads: its hook's verdict, or the next position."""
    question = step.form.questions[at.key]
    if question.check is not None and value is not None:
        problem = question.check(draft, at.index, value)
        if problem is not None:
            await go(step, draft, at, problem=problem)
            return
    store(step.form, question, draft, at.index, value)
    if answered is not None:
        mark_answered(step, *answered)
    if question.kind is Kind.CONTACT:
        step.say("diagnostic/phone_saved.html", ReplyKeyboardRemove(), phone=value)
    outcome = await question.then(step, draft, value) if question.then else None
    if isinstance(outcome, Leave):
        await leave(step, draft, outcome)
        return
    await go(step, draft, outcome if isinstance(outcome, Position) else step.form.after(draft, at))


def store(form: Form, question: Question, draft: Draft, index: int, value: Any) -> None:
    """Where the declaration says: its own `store`, the field of the repeated item, or the
    draft's field."""
    if question.store is not None:
        question.store(draft, index, value)
    elif question.key in form.items:
        setattr(getattr(draft, form.items[question.key])[index], question.field, value)
    else:
        setattr(draft, question.field, value)


def not_own(message: Message) -> bool:
    """Forwarded from someone, or sent through another bot: not the owner's answer."""
    return message.forward_origin is not None or message.via_bot is not None


# Takes a message where a question waits, with the owner's step, draft, position and question.
Answer = Callable[[Message, Step, Draft, Position, Question], Awaitable[None]]


class FormHandlers:
    """The handlers of one form, registered on a router (`router()` and `fallback()`)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.back_label: str | None = None

    def _answering(self, answer: Answer) -> Callable[..., Awaitable[None]]:
        """A message handler for where a question waits: `answer` gets the message with the
        owner's step, the draft, the position and the question waiting for an answer (nothing
        happens when the owner is not in the form)."""

        async def on_message(message: Message, talk: Conversation) -> None:
            step = Step.of(talk, self.form)
            draft = await step.draft()
            at = await step.position(draft)
            if at is not None:
                await answer(message, step, draft, at, self.form.questions[at.key])

        return on_message

    def router(self) -> Router:
        router = Router(name="diagnostic")
        router.message.filter(InChat("private"))
        router.callback_query.filter(InChat("private"))
        states = StateFilter(*self.form.states.values())
        contacts = [
            self.form.states[key] for key, q in self.form.questions.items()
            if q.kind is Kind.CONTACT
        ]
        router.message.register(self.on_command, Command("diagnostic"))
        router.callback_query.register(
            self.on_menu, MenuCb.filter(F.a == MenuAction.diagnostic)
        )
        router.callback_query.register(self.on_button, DiagCb.filter())
        router.callback_query.register(self.on_edit, EditCb.filter())
        router.message.register(
            self._answering(self.answer_contact), StateFilter(*contacts), Magic(F.contact)
        )
        router.message.register(self._answering(self.answer_text), states, Magic(F.text))
        return router

    def fallback(self) -> Router:
        """Re-asks the current question; goes after every router that handles commands."""
        router = Router(name="diagnostic-fallback")
        router.message.filter(InChat("private"))
        router.message.register(
            self._answering(self.answer_unexpected), StateFilter(*self.form.states.values())
        )
        return router

    # -- entry -----------------------------------------------------------------------------

    async def on_command(self, message: Message, talk: Conversation) -> None:
        await start(Step.of(talk, self.form))

    async def on_menu(self, query: CallbackQuery, talk: Conversation) -> None:
        talk.reply(query.answer())
        await start(Step.of(talk, self.form))

    # -- buttons ---------------------------------------------------------------------------

    async def on_button(
        self, query: CallbackQuery, callback_data: DiagCb, talk: Conversation
    ) -> None:
        step = Step.of(talk, self.form)
        reply, content = talk.reply, talk.content
        key, value = callback_data.s, callback_data.v
        draft = await step.draft()
        at = await step.position(draft)
        if key == kb.ENTRY and value == kb.UPDATE:
            reply(query.answer())
            await start(step, fresh=True)
            return
        if value == kb.RETRY and at is None and key in self.form.questions and draft.draft:
            reply(query.answer())
            await self._ask_again(step, draft, key)
            return
        if at is None or key != at.key:
            sent = key == self.form.review_key and value == kb.SUBMIT and draft.submitted is not None
            alert = "diag_alerts.already_sent" if sent else "diag_alerts.stale"
            reply(query.answer(content.label(alert), show_alert=not sent))
            return
        question = self.form.questions[key]
        if value == kb.BACK and question.back:
            reply(query.answer())
            await back(step, draft, at)
            return
        taken = self._button_answer(step, question, draft, value)
        if taken is None:
            reply(query.answer(content.label("diag_alerts.stale"), show_alert=True))
            return
        reply(query.answer())
        if question.kind is Kind.REVIEW:
            await submission.submit(step, draft, query)
            return
        stored, label = taken
        await take(step, draft, at, stored, answered=(query, label))

    def _button_answer(
        self, step: Step, question: Question, draft: Draft, value: str
    ) -> tuple[Any, str] | None:
        """What a pressed button means for this question: (value to store, its label)."""
        content = step.content
        if value == kb.SKIP and question.skip:
            return None, content.label("diag_buttons.skip")
        if question.kind is Kind.CHOICE and value in question.codes:
            label = content.label(f"{question.labels}.{value}") if question.labels else value
            return value, label
        if question.kind is Kind.PICK and question.pick is not None and value.isdigit():
            options = question.pick(draft)
            if int(value) < len(options):
                return int(value), options[int(value)]
        if question.kind is Kind.REVIEW and value == kb.SUBMIT:
            return value, ""
        return None

    async def _ask_again(self, step: Step, draft: Draft, key: str) -> None:
        """«Я передумал(а)» / «Исправить …» under a message that ended the form: that
        question again, the other answers kept. A request already stored as not qualified
        goes on as a new draft (its next submission updates the same lead)."""
        if draft.submitted is not None and draft.submitted == draft.draft:
            draft.draft, draft.submitted = uuid.uuid4().hex[:16], None
        draft.editing = None
        at = Position(key)
        if at not in self.form.path(draft):
            await start(step)
            return
        await go(step, draft, at)

    async def on_edit(
        self, query: CallbackQuery, callback_data: EditCb, talk: Conversation
    ) -> None:
        step = Step.of(talk, self.form)
        reply, content = talk.reply, talk.content
        draft = await step.draft()
        at = await step.position(draft)
        first = self.form.group_start(callback_data.f)
        if (
            at is None or at.key != self.form.review_key or first is None
            or callback_data.f not in self.form.edit_groups(draft)
        ):
            reply(query.answer(content.label("diag_alerts.stale"), show_alert=True))
            return
        reply(query.answer())
        draft.editing = callback_data.f
        await go(step, draft, Position(first))

    # -- typed answers, contacts, everything else ------------------------------------------

    async def answer_text(
        self, message: Message, step: Step, draft: Draft, at: Position, question: Question
    ) -> None:
        assert message.text is not None
        text = message.text
        if text.strip() == step.content.label("diag_buttons.back") and question.back:
            await back(step, draft, at)
            return
        if not_own(message):
            await go(step, draft, at, problem=Problem.forwarded)
            return
        if text.startswith("/"):
            need = Problem.need_button if question.buttons else Problem.need_text
            await go(step, draft, at, problem=need, kind="command")
            return
        value: Any
        if question.kind is Kind.NUMBER:
            value = parse_number(text, *question.bounds)
            if value is None:
                await go(step, draft, at, problem=Problem.bad_number)
                return
        elif question.kind is Kind.CONTACT:
            value = normalize_phone(text)
            if value is None:
                await go(step, draft, at, problem=Problem.bad_phone)
                return
        elif question.kind is Kind.TEXT or question.free_text:
            check = clean_text(text, question.limit)
            if check.problem is not None:
                await go(step, draft, at, problem=Problem(check.problem))
                return
            value = check.value
        else:
            await go(step, draft, at, problem=Problem.need_button, kind="text")
            return
        await take(step, draft, at, value)

    async def answer_contact(
        self, message: Message, step: Step, draft: Draft, at: Position, question: Question
    ) -> None:
        assert message.from_user is not None and message.contact is not None
        if not_own(message):
            await go(step, draft, at, problem=Problem.forwarded)
            return
        phone = normalize_phone(message.contact.phone_number)
        if phone is None:
            await go(step, draft, at, problem=Problem.bad_phone)
            return
        if message.contact.user_id != message.from_user.id and question.confirm:
            setattr(draft, question.pending, phone)
            step.say("diagnostic/contact_received.html", ReplyKeyboardRemove(), phone=phone)
            await go(step, draft, Position(question.confirm))
            return
        await take(step, draft, at, phone)

    async def answer_unexpected(
        self, message: Message, step: Step, draft: Draft, at: Position, question: Question
    ) -> None:
        """A sticker, photo, voice … where a question waits: a hint, the same question."""
        need = Problem.need_button if question.buttons else Problem.need_text
        ask(step, draft, at, problem=need, kind=input_kind(message))
