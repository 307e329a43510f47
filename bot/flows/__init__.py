"""Conversation flows: one StatesGroup per flow, next to its handlers."""
