"""The consultants' side, in rooms: `handlers/` (aiogram handlers), `views/` (what they see),
`rules.py` (which status moves are allowed, by whom), `access.py` (who is a consultant).

Where the group is (`bot/binding.py`) and local times (`bot/local_time.py`) are shared with
the outbox and the reports and live outside.
"""

from bot.group.handlers.routers import build_routers

__all__ = ["build_routers"]
