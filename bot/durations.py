"""Durations as settings write them: `90s`, `45m`, `24h`, `3d` (a whole number and a unit).

One parser for every duration setting; a malformed value is a ValueError whose message the
settings turn into their one-line configuration error.
"""

from __future__ import annotations

import re

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_RE = re.compile(r"^(\d{1,7})\s*([smhd])$")
HINT = "expected a duration such as 90s, 45m, 24h or 3d"


def parse_duration(text: str) -> int:
    """Seconds in `text` («0» alone is zero); ValueError with a hint when malformed."""
    value = text.strip().lower()
    if value == "0":
        return 0
    match = _DURATION_RE.match(value)
    if match is None:
        raise ValueError(HINT)
    return int(match.group(1)) * UNITS[match.group(2)]
