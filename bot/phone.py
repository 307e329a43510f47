"""Phone numbers: parse what a person typed or shared, validate, normalise to E.164."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "RU"


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a valid number, or None. "8 (916) 123-45-67" -> "+79161234567"."""
    text = raw.strip()
    if not text or len(text) > 40:
        return None
    if text[0].isdigit() and len(text) > 11 and not text.startswith(("8", "7")):
        text = "+" + text  # shared contacts sometimes come without the plus sign
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
