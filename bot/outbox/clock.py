"""The injectable clock of the background workers lives in bot/clock.py (the database layer
stamps scheduled reminders with it too); imported from here by older code."""

from bot.clock import Clock, ShiftedClock

__all__ = ["Clock", "ShiftedClock"]
