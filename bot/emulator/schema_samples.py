"""Valid Bot API JSON generated from aiogram's types: required fields always, any subset of the
optional ones, nested objects to a bounded depth.

aiogram's types are generated from the Bot API reference, so they are the schema of what
Telegram may send: `SchemaSampler(rng).model(Message)` is a Message Telegram could return,
with a random choice of the optional fields it may carry. `enrich()` adds such fields to an
object that already exists (see `bot.emulator.enrichment`). Every choice comes from the
given `random.Random`, so a seed replays a sample, and Hypothesis can drive it
(`st.randoms()`) to search and shrink.
"""

from __future__ import annotations

import datetime
import enum
import random
import string
import sys
import types
import typing
from typing import Any

from aiogram.client.default import Default
from aiogram.types.base import TelegramObject
from typing_extensions import TypeAliasType

UNKNOWN_FIELD = "emulator_future_field"  # a field no Bot API version has (yet)
_TEXT = string.ascii_letters + string.digits + " _-" + "абвгдеёжзийклмнопрстуфхцчшщэюя" + "😀✅"


class SchemaSampler:
    def __init__(
        self,
        rng: random.Random,
        *,
        max_depth: int = 2,
        optional_share: float = 0.3,
        max_items: int = 2,
    ) -> None:
        self.rng = rng
        self.max_depth = max_depth
        self.optional_share = optional_share
        self.max_items = max_items

    # -- whole objects ----------------------------------------------------------------------

    def model(self, cls: type[TelegramObject], depth: int = 0) -> dict[str, Any]:
        """A JSON object of `cls`: its required fields and a random subset of the optional
        ones (none below `max_depth`)."""
        data: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            tag = typing.get_origin(field.annotation) is typing.Literal  # type, status, source…
            if not field.is_required() and not tag and not self._include(depth):
                continue
            value = self.value(field.annotation, depth + 1, owner=cls)
            if value is not _OMIT:
                data[field.alias or name] = value
        return data

    def enrich(
        self, annotation: Any, value: Any, depth: int = 0, *, unknown: bool = True
    ) -> Any:
        """`value` (JSON of `annotation`) with extra optional fields in every object it holds,
        and, with `unknown`, a field no Bot API version has. Present fields keep their values."""
        if isinstance(value, list):
            item = _list_item(annotation)
            return [self.enrich(item, element, depth, unknown=unknown) for element in value]
        if not isinstance(value, dict):
            return value
        cls = _model_of(annotation, value)
        if cls is None:
            return value
        enriched = dict(value)
        for name, field in cls.model_fields.items():
            key = field.alias or name
            if key in enriched:
                enriched[key] = self.enrich(
                    _resolve(field.annotation, cls), enriched[key], depth + 1, unknown=unknown
                )
            elif not field.is_required() and self._include(depth):
                extra = self.value(field.annotation, depth + 1, owner=cls)
                if extra is not _OMIT:
                    enriched[key] = extra
        if unknown:
            enriched[UNKNOWN_FIELD] = {"since": "Bot API 99.0", "items": [1, "two"]}
        return enriched

    # -- values -----------------------------------------------------------------------------

    def value(self, annotation: Any, depth: int, owner: type | None = None) -> Any:
        annotation = _resolve(annotation, owner)
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            return self.value(typing.get_args(annotation)[0], depth, owner)
        if origin in (typing.Union, types.UnionType):
            choices = [arg for arg in typing.get_args(annotation) if _usable(arg)]
            if depth > self.max_depth:  # deep enough: no further objects where a choice allows
                choices = [arg for arg in choices if not _models_in(arg)] or choices
            if not choices:
                return _OMIT
            return self.value(self.rng.choice(choices), depth, owner)
        if origin is typing.Literal:
            picked = self.rng.choice(typing.get_args(annotation))
            return picked.value if isinstance(picked, enum.Enum) else picked
        if origin in (list, tuple, set, frozenset):
            (item,) = typing.get_args(annotation)[:1] or (Any,)
            count = self.rng.randint(0, self.max_items) if depth <= self.max_depth else 0
            values = [self.value(item, depth, owner) for _ in range(count)]
            return [value for value in values if value is not _OMIT]
        if origin is dict:
            return {}
        return self._leaf(annotation, depth)

    def _leaf(self, annotation: Any, depth: int) -> Any:
        rng = self.rng
        if annotation is Any or annotation is object:
            return rng.choice([{"key": "value"}, "text", 7, True])
        if annotation is type(None):
            return None
        if isinstance(annotation, type):
            if issubclass(annotation, TelegramObject):
                return self.model(annotation, depth)
            if issubclass(annotation, bool):
                return rng.random() < 0.5
            if issubclass(annotation, enum.Enum):
                return rng.choice(list(annotation)).value
            if issubclass(annotation, int):
                return rng.choice([0, 1, 2, 42, 1_000_000, 2**31 + 5, -1_001_234_567_890])
            if issubclass(annotation, float):
                return round(rng.uniform(-90, 90), 6)
            if issubclass(annotation, str):
                return "".join(rng.choice(_TEXT) for _ in range(rng.randint(1, 12)))
            if issubclass(annotation, datetime.datetime):
                return rng.randint(1_600_000_000, 1_900_000_000)
            if issubclass(annotation, datetime.timedelta):
                return rng.randint(1, 86_400)
        return _OMIT  # input-only types (InputFile, Exception…) never come from Telegram

    def _include(self, depth: int) -> bool:
        return depth < self.max_depth and self.rng.random() < self.optional_share


class _Omit:
    def __repr__(self) -> str:
        return "<omit>"


_OMIT: Any = _Omit()


def _usable(annotation: Any) -> bool:
    return annotation is not type(None) and annotation is not Default


def _resolve(annotation: Any, owner: type | None) -> Any:
    """Forward references (strings) as the module that declares `owner` resolves them."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        import aiogram.types

        namespace = dict(vars(aiogram.types))
        if owner is not None:
            namespace.update(vars(sys.modules[owner.__module__]))
        annotation = eval(annotation, namespace)  # a forward reference in aiogram's own types
    if isinstance(annotation, TypeAliasType):  # type X = A | B
        return _resolve(annotation.__value__, owner)
    return annotation


def _list_item(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _list_item(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if typing.get_origin(arg) in (list, tuple):
                return _list_item(arg)
        return Any
    if origin in (list, tuple, set, frozenset):
        return (typing.get_args(annotation) or (Any,))[0]
    return Any


def _model_of(annotation: Any, value: dict[str, Any]) -> type[TelegramObject] | None:
    """The TelegramObject class among `annotation`'s choices that `value` is an instance of:
    the one whose Literal fields (type, status, source…) all match."""
    candidates = [cls for cls in _models_in(annotation) if _matches(cls, value)]
    return candidates[0] if candidates else None


def _models_in(annotation: Any) -> list[type[TelegramObject]]:
    annotation = _resolve(annotation, None)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [cls for arg in typing.get_args(annotation) for cls in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, TelegramObject):
        return [annotation]
    return []


def _matches(cls: type[TelegramObject], value: dict[str, Any]) -> bool:
    for name, field in cls.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        if typing.get_origin(annotation) is typing.Literal:
            allowed = {a.value if isinstance(a, enum.Enum) else a for a in typing.get_args(annotation)}
            if key in value and value[key] not in allowed:
                return False
            if key not in value and field.is_required():
                return False
        elif field.is_required() and key not in value:
            return False
    return True
