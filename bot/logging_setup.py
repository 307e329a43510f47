"""Process logging: one line per record, with secrets and phone numbers redacted everywhere.

Redaction happens on the fully formatted line (message, arguments and traceback alike), so
a token inside an exception text or a URL never reaches a log sink.
"""

from __future__ import annotations

import logging
import re
import sys

TOKEN_SHAPE = re.compile(r"\b\d{5,20}:[A-Za-z0-9_-]{30,100}\b")
BOT_URL_TOKEN = re.compile(r"/bot\d{1,20}:[^/\s]+")
# "+7 916 123-45-67", "+79161234567", "89161234567": a plus sign, or 11 digits from 7/8.
PHONE_SHAPE = re.compile(r"(?<![\w/])(?:\+\d[\d\s()-]{8,16}\d|[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2})(?!\w)")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    text = BOT_URL_TOKEN.sub("/bot[REDACTED]", text)
    text = TOKEN_SHAPE.sub("[REDACTED]", text)
    return PHONE_SHAPE.sub("[PHONE]", text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def setup_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs every handled update at INFO; keep it for DEBUG runs only.
    if level != "DEBUG":
        logging.getLogger("aiogram.event").setLevel(logging.WARNING)
