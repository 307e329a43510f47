"""Callback data of the group's buttons: a short ASCII prefix, ids and codes, never labels.

Prefixes in use elsewhere: m, ls, lp, dg, de, pv (bot/callbacks.py). Callback data is untrusted:
handlers re-check the lead, the message and the presser's rights.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.group.rules import Action


class CardCb(CallbackData, prefix="gc"):
    """A status button on the card of lead `id`."""

    id: int
    a: Action


class LeadsPageCb(CallbackData, prefix="gp"):
    """Page `p` (0-based) of /leads filtered by `s` (a status, "open" or "all")."""

    s: str
    p: int


class PassCb(CallbackData, prefix="gh"):
    """«Передать» on the card of lead `id`: its consultant hands it to the next on duty."""

    id: int
