"""Keyboards built once per content and shared (a workaround of aiogram's per-object cost).

A keyboard that depends only on the content and small arguments (a lesson index, a step) is
built once per content: building one costs tens of microseconds of pydantic models and
callback data, on every step of every owner (measured: part of the −18 % CPU per update of
the second load round, docs/benchmarks.md). It relies on aiogram never changing a markup it
sends; tests/test_keyboards.py walks a whole journey and checks every shared keyboard still
equals a fresh build, so an aiogram that starts mutating them fails it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from bot.content import Content

P = ParamSpec("P")
K = TypeVar("K")
_built: WeakKeyDictionary[Content, dict[tuple[Any, ...], Any]] = WeakKeyDictionary()


def built_once(build: Callable[P, K]) -> Callable[P, K]:
    """Memoize a keyboard builder per content. Only for builders whose other arguments are
    few and small (indexes, step names), never a person's text: the cache is not bounded."""

    @wraps(build)
    def cached(*args: P.args, **kwargs: P.kwargs) -> K:
        content = args[0]
        assert isinstance(content, Content)
        per_content = _built.setdefault(content, {})
        key = (build.__qualname__, build.__module__, args[1:], tuple(sorted(kwargs.items())))
        try:
            return per_content[key]  # type: ignore[no-any-return]
        except KeyError:
            made = per_content[key] = build(*args, **kwargs)
            return made

    return cached
