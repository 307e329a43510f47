"""What the bot says to Telegram in answer to an update: collected by handlers, committed with
the update, then delivered in order per chat (see bot/delivery/replies.py)."""

from bot.delivery.replies import Replies, Track
from bot.delivery.sender import ReplySender

__all__ = ["Replies", "ReplySender", "Track"]
