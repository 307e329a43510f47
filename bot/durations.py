"""Durations as settings write them: `90s`, `45m`, `24h`, `3d` (a number and a unit).

One parser for every duration setting (reminders, booking notice); a malformed value is a
ValueError whose message the settings turn into their one-line configuration error.
"""

from __future__ import annotations

import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_RE = re.compile(r"^(\d{1,7}(?:\.\d+)?)\s*([smhd])$")
HINT = "expected a duration such as 90s, 45m, 24h or 3d (0 turns it off)"


def parse_duration(value: object) -> object:
    """Seconds in `value` («0» alone is zero; numbers are seconds already); ValueError with a
    hint when malformed. Anything else is left to the field's own type check."""
    if isinstance(value, bool):
        raise ValueError(HINT)
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("expected a duration that is not negative")
        return float(value)
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text == "0":
        return 0.0
    match = _DURATION_RE.match(text)
    if match is None:
        raise ValueError(HINT)
    return float(match.group(1)) * UNITS[match.group(2)]
