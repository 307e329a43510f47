"""Start payloads: where an owner came from (source, campaign) and who invited them.

The scheme (Telegram allows 1–64 characters of A–Z a–z 0–9 _ -):

* ``diag``                      — open the diagnostic request right away;
* ``r_<code>``                  — a personal invitation link; ``<code>`` is the inviter's
  opaque referral code (8 characters);
* ``src_<source>``              — a channel, e.g. ``src_vk``, ``src_site``;
* ``src_<source>__<campaign>``  — a channel and a campaign, e.g. ``src_vk__spring26``.

Sources and campaigns are lower-case ``[a-z0-9-]``, 1–24 characters each. Anything else is
ignored (the owner still gets the greeting); a self-referral is ignored too.
"""

from __future__ import annotations

import re

from bot.domain import REF_CODE_ALPHABET, REF_CODE_LENGTH, REFERRAL_SOURCE, Touch, new_ref_code

__all__ = ["Touch", "new_ref_code", "parse_payload", "source_payload"]

_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REF_RE = re.compile(rf"^r_([{REF_CODE_ALPHABET}]{{{REF_CODE_LENGTH}}})$")
_SRC_RE = re.compile(r"^src_([a-z0-9-]{1,24})(?:__([a-z0-9-]{1,24}))?$")
DIAGNOSTIC = "diag"


def parse_payload(payload: str | None) -> Touch:
    if not payload or not _PAYLOAD_RE.match(payload):
        return Touch()
    if payload == DIAGNOSTIC:
        return Touch(diagnostic=True)
    if match := _REF_RE.match(payload):
        return Touch(source=REFERRAL_SOURCE, ref_code=match.group(1))
    if match := _SRC_RE.match(payload):
        return Touch(source=match.group(1), campaign=match.group(2))
    return Touch()


def source_payload(source: str, campaign: str | None = None) -> str | None:
    """The payload of a tracked link, or None if the names do not fit the scheme."""
    payload = f"src_{source}" + (f"__{campaign}" if campaign else "")
    touch = parse_payload(payload)
    return payload if touch.source == source and touch.campaign == campaign else None
