"""Counts for /stats: leads per status and how many reached each stage of the pipeline."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db.repository import Repository


class StatsRepo(Repository):
    async def counts(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT status, count(*) FROM leads GROUP BY status")
        return {str(status): int(count) for status, count in rows}

    async def reached(self, chain: Sequence[str]) -> dict[str, int]:
        """For each stage of `chain`: qualified leads that are at it or past it now, or were
        at it or past it at some time (by their history). Every qualified lead reached the
        first stage."""
        result: dict[str, int] = {}
        for index, stage in enumerate(chain):
            if index == 0:
                count = await self.db.fetchval("SELECT count(*) FROM leads WHERE qualified = 1")
                result[stage] = int(count or 0)
                continue
            later = tuple(chain[index:])
            marks = ", ".join("?" for _ in later)
            count = await self.db.fetchval(
                "SELECT count(*) FROM leads l WHERE l.qualified = 1 AND "
                f"(l.status IN ({marks}) OR EXISTS (SELECT 1 FROM lead_history h "
                f"WHERE h.lead_id = l.id AND h.to_status IN ({marks})))",
                (*later, *later),
            )
            result[stage] = int(count or 0)
        return result
