"""A questionnaire as data: the building blocks and the rules derived from a declaration.

A `Form` is a sequence of `Question`s (and `Repeat`s of questions asked once per item, such
as per segment). Each question is declared once — its key, kind, options, validation, where
its answer goes, when it is asked, its line on the review and the review's edit group it
starts — and everything else follows from the declaration:

* the path: the positions the owner goes through for the answers given so far (a question
  whose `when` is false is not on it; a `Repeat` contributes one position per item);
* forward (the next position on the path), «Назад» (the previous one), and editing from the
  review (back to the review once the edit group is done);
* states (one aiogram `State` per question), keyboards, re-asks and the review screen
  (bot/flows/diagnostic/engine.py and keyboards.py build them from the declaration).

Nothing here knows the diagnostic's own questions: bot/flows/diagnostic/questionnaire.py
declares them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aiogram.fsm.state import State

if TYPE_CHECKING:
    from bot.flows.diagnostic.draft import Draft
    from bot.flows.diagnostic.engine import Step


class Kind(StrEnum):
    CHOICE = "choice"  # buttons with fixed codes; labels from content (`labels` table)
    PICK = "pick"  # buttons made from the answers so far (`pick`), by index
    TEXT = "text"  # free text, cleaned and bounded (`limit`)
    NUMBER = "number"  # a whole number within `bounds`
    CONTACT = "contact"  # a phone number: the contact button or typed
    REVIEW = "review_screen"  # the review screen: submit, or edit a group


class Problem(StrEnum):
    """Why an answer was not taken (the re-ask hint says it; content/diagnostic/reask.html)."""

    need_button = "need_button"
    need_text = "need_text"
    empty = "empty"
    too_long = "too_long"
    no_letters = "no_letters"
    bad_number = "bad_number"
    bad_phone = "bad_phone"
    duplicate = "duplicate"
    over_total = "over_total"
    forwarded = "forwarded"


class Leave(StrEnum):
    """How the owner leaves a form before the review (the engine says the matching text)."""

    cancelled = "cancelled"  # «Назад» from the first question
    declined = "declined"  # consent declined
    unqualified = "unqualified"  # below the thresholds


# A hook after an answer is stored: None goes on along the path, a Position goes there,
# a Leave ends the form.
Hook = Callable[["Step", "Draft", Any], Awaitable["Leave | Position | None"]]
Check = Callable[["Draft", int, Any], "Problem | None"]


def always(draft: Draft) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # the state, the callback data's step, the template content/diagnostic/q_<key>.html
    kind: Kind
    field: str  # the Draft attribute (of the item, for a question in a Repeat) for the answer
    codes: tuple[str, ...] = ()  # CHOICE: the answer codes, in button order
    labels: str = ""  # CHOICE: the content table of option labels (`<labels>.<code>`)
    columns: int = 1  # CHOICE: buttons per row
    pick: Callable[[Draft], list[str]] | None = None  # PICK: the options (stored: the index)
    free_text: bool = False  # CHOICE: a typed answer is taken as well (bounded by `limit`)
    confirm: str | None = None  # CONTACT: the question that confirms someone else's contact
    pending: str = ""  # CONTACT: the Draft attribute where that contact waits meanwhile
    limit: int = 0  # TEXT: the longest answer
    bounds: tuple[int, int] = (0, 0)  # NUMBER: smallest and largest
    skip: bool = False  # a «Пропустить» button stores None
    back: bool = True  # a «Назад» button
    when: Callable[[Draft], bool] = always  # asked at all (for these answers)?
    check: Check | None = None  # a further rule for a well-formed answer
    then: Hook | None = None  # after the answer is stored (may end the form)
    store: Callable[[Draft, int, Any], None] | None = None  # instead of setting `field`
    # More for the question's template (besides `number` and `total`).
    context: Callable[[Step, Draft, int], dict[str, Any]] | None = None
    review: str | None = None  # the review line's label key; None: not on the review
    show: Callable[[Draft], Any] | None = None  # the review's value, instead of the answer's
    edit: str | None = None  # this question starts the review's edit group of this name
    numbered: bool = True  # counts in «Вопрос N из M»

    @property
    def template(self) -> str:
        return f"diagnostic/q_{self.key}.html"

    @property
    def buttons(self) -> bool:
        """Answered only with buttons (typed text is refused with a hint)."""
        return self.kind in (Kind.CHOICE, Kind.PICK, Kind.REVIEW) and not self.free_text


@dataclass(frozen=True, slots=True)
class Repeat:
    """Questions asked once per item, item by item (name 1, share 1, name 2, share 2 …)."""

    items: str  # the Draft attribute holding the list of items
    times: Callable[[Draft], int]
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True, order=True)
class Position:
    key: str
    index: int = 0  # the item, for a question in a Repeat


@dataclass(frozen=True, slots=True, eq=False)
class Form:
    name: str  # the states group (stored states read "<name>:<key>")
    parts: tuple[Question | Repeat, ...]
    draft_model: type[Draft]
    # Draft attributes the settings decide (a question's `when` may read them): set each
    # time a draft is begun or loaded, never stored, so they follow the settings in force.
    from_settings: Callable[[Any], dict[str, Any]] | None = None
    questions: dict[str, Question] = field(init=False)
    review_key: str = field(init=False)  # the last question's key: the review screen
    repeated: frozenset[str] = field(init=False)
    items: dict[str, str] = field(init=False)  # repeated question key -> the Draft's list
    states: dict[str, State] = field(init=False)
    groups: dict[str, str] = field(init=False)  # question key -> its edit group

    def __post_init__(self) -> None:
        questions: dict[str, Question] = {}
        items: dict[str, str] = {}
        for part in self.parts:
            members = part.questions if isinstance(part, Repeat) else (part,)
            for question in members:
                if question.key in questions:
                    raise ValueError(f"question {question.key!r} declared twice")
                questions[question.key] = question
                if isinstance(part, Repeat):
                    items[question.key] = part.items
        if not questions or list(questions.values())[-1].kind is not Kind.REVIEW:
            raise ValueError("a form ends with its review")
        review = list(questions)[-1]
        groups: dict[str, str] = {}
        current = ""
        for key, question in questions.items():
            current = question.edit or (current if key != review else "")
            groups[key] = current
        object.__setattr__(self, "questions", questions)
        object.__setattr__(self, "review_key", review)
        object.__setattr__(self, "repeated", frozenset(items))
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "groups", groups)
        object.__setattr__(
            self, "states", {key: State(key, group_name=self.name) for key in questions}
        )

    # -- drafts ---------------------------------------------------------------------------

    def begin(self, settings: Any, **fields: Any) -> Draft:
        """A new draft, with what the settings decide."""
        return self.draft_model(**fields, **self._settled(settings))

    def load(self, data: dict[str, Any], settings: Any) -> Draft:
        """The stored draft, with what the settings decide now."""
        draft = self.draft_model.load(data)
        for name, value in self._settled(settings).items():
            setattr(draft, name, value)
        return draft

    def _settled(self, settings: Any) -> dict[str, Any]:
        return self.from_settings(settings) if self.from_settings is not None else {}

    # -- where the owner is --------------------------------------------------------------

    def first(self, draft: Draft) -> Position:
        return self.path(draft)[0]

    def path(self, draft: Draft, *, keeping: str | None = None) -> list[Position]:
        """Every position the owner goes through, for the answers given so far (with the
        question `keeping` on it even if its answer took it off, to find what follows)."""
        positions: list[Position] = []
        for part in self.parts:
            if isinstance(part, Repeat):
                for index in range(max(part.times(draft), 0)):
                    positions += [
                        Position(q.key, index)
                        for q in part.questions
                        if q.key == keeping or q.when(draft)
                    ]
            elif part.key == keeping or part.when(draft):
                positions.append(Position(part.key))
        return positions

    def position(self, draft: Draft) -> Position | None:
        """Where the draft says the owner is (None: not in the form)."""
        if draft.step is None or draft.step not in self.questions:
            return None
        return Position(draft.step, draft.seg if draft.step in self.repeated else 0)

    def key_of(self, state: str | None) -> str | None:
        """The question of a stored FSM state of this form."""
        prefix = f"{self.name}:"
        if state is None or not state.startswith(prefix):
            return None
        key = state[len(prefix):]
        return key if key in self.questions else None

    def after(self, draft: Draft, at: Position) -> Position:
        """Where an answer at `at` leads (the draft already holds it)."""
        path = self.path(draft, keeping=at.key)
        following = path[path.index(at) + 1] if at in path else Position(self.review_key)
        if draft.editing and self.groups.get(following.key) != draft.editing:
            return Position(self.review_key)
        return following

    def before(self, draft: Draft, at: Position) -> Position | None:
        """Where «Назад» leads from `at`; None leaves the form (back from the first)."""
        if draft.editing and at.key != self.review_key:
            return Position(self.review_key)
        path = self.path(draft)
        if at not in path:
            return path[-2] if len(path) > 1 else None
        index = path.index(at)
        return path[index - 1] if index > 0 else None

    def edit_groups(self, draft: Draft | None = None) -> list[str]:
        """The review's edit buttons, in the order of the questions they start (with a
        draft: only groups whose first question is asked for its answers)."""
        return [
            q.edit for q in self.questions.values()
            if q.edit and (draft is None or q.when(draft))
        ]

    def group_start(self, group: str) -> str | None:
        return next((key for key, q in self.questions.items() if q.edit == group), None)

    def numbering(self, draft: Draft, at: Position) -> tuple[int, int]:
        """«Вопрос N из M»: N counts numbered questions up to `at` (a repeated question
        counts once), M all of them on the path."""
        seen: list[str] = []
        number = 0
        for position in self.path(draft):
            question = self.questions[position.key]
            if not question.numbered or position.key in seen:
                continue
            seen.append(position.key)
            if position.key == at.key:
                number = len(seen)
        return number, len(seen)

    def answered_keys(self) -> Sequence[str]:
        return [key for key in self.questions if key != self.review_key]
