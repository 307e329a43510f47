"""The base of the repositories: the database they use, and typed reads (a SELECT's rows as a
model, matched by column name — see `from_row`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from bot.db.database import Database
from bot.db.models import from_row

T = TypeVar("T")


class Repository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def fetch_model(
        self, model: type[T], sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> T | None:
        """The first row of the SELECT as a `model`, or None when there is none."""
        row = await self.db.fetchone(sql, params)
        return None if row is None else from_row(model, row)

    async def fetch_models(
        self, model: type[T], sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[T]:
        """Every row of the SELECT as a `model`, in the order the SELECT gives them."""
        return [from_row(model, row) for row in await self.db.fetchall(sql, params)]
