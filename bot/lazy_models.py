"""Import aiogram with pydantic's deferred model building left in effect.

aiogram declares its ~450 Bot API types with `defer_build=True`, but `aiogram.types` then
calls `model_rebuild()` on every one of them at import to resolve forward references, which
builds them all: `import aiogram` costs ~110 MB of resident memory and ~2 s of CPU
(aiogram issue #1513). A bot uses a few dozen of those types.

`import_aiogram()` imports aiogram while that loop only records, on each type, the
namespace it was given; pydantic consults a model's recorded parent namespace when it
builds the model on first use, so every type still resolves and validates exactly as
before, only later and only if used. Two kinds of models are not built where that namespace
is at hand, and are seen to here:

* method classes that could not be built at class creation (their types were not built
  yet) get the same namespace, and build on first use like the types;
* every type a method returns is built now: aiogram wraps answers in `Response[<type>]`, a
  generic model created at run time where no namespace is in reach, so the wrapped type
  must be complete already.

`tests/test_lazy_models.py` builds every type, method and answer envelope this way, in the
least favourable order, and compares them with aiogram's own eager build.

It must run before anything else imports aiogram (`bot/__init__.py` calls it); if aiogram
was imported already, it does nothing.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

_REBUILD = BaseModel.__dict__["model_rebuild"]  # the classmethod itself, restored as is
_original_rebuild = _REBUILD.__func__


_recorded: dict[str, dict[str, Any]] = {}  # "namespace": what aiogram.types rebuilds with


def _record_namespace(
    cls: type[BaseModel],
    *,
    force: bool = False,
    raise_errors: bool = True,
    _parent_namespace_depth: int = 2,
    _types_namespace: dict[str, Any] | None = None,
) -> bool | None:
    """Stands in for `BaseModel.model_rebuild` while aiogram is imported."""
    if _types_namespace is not None and not force and not cls.__pydantic_complete__:
        cls.__pydantic_parent_namespace__ = _types_namespace
        _recorded["namespace"] = _types_namespace
        return None
    return _original_rebuild(  # type: ignore[no-any-return]
        cls,
        force=force,
        raise_errors=raise_errors,
        _parent_namespace_depth=_parent_namespace_depth,
        _types_namespace=_types_namespace,
    )


def import_aiogram() -> bool:
    """Import aiogram with its models built on first use; False if it was imported already."""
    if "aiogram" in sys.modules:
        return False
    BaseModel.model_rebuild = classmethod(_record_namespace)  # type: ignore[assignment,method-assign]
    try:
        import aiogram  # noqa: F401
    finally:
        BaseModel.model_rebuild = _REBUILD  # type: ignore[method-assign]
    if "namespace" in _recorded:  # absent: aiogram no longer rebuilds its types at import
        _complete_methods(_recorded["namespace"])
    return True


def _complete_methods(namespace: dict[str, Any]) -> None:
    import aiogram.methods
    from aiogram.methods.base import TelegramMethod

    for name in aiogram.methods.__all__:
        method = getattr(aiogram.methods, name)
        if not (isinstance(method, type) and issubclass(method, TelegramMethod)):
            continue
        if not method.__pydantic_complete__:
            method.__pydantic_parent_namespace__ = namespace
        for model in _models_in(getattr(method, "__returning__", None)):
            model.model_rebuild(raise_errors=True)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation names (`list[Update]`, `Message | bool`, …)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _models_in(argument)
