"""The consultants' group: binding, who may act, lead cards, statuses, notes and commands."""

from bot.group.routers import build_routers

__all__ = ["build_routers"]
