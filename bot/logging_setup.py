"""Process logging: one line per record, with secrets and phone numbers redacted everywhere,
and no library's record that carries people's data (SQL parameters, FSM data) at any level.

Redaction happens on the fully formatted record (message, arguments and traceback alike), so
a token inside an exception text, a URL or a `repr()` never reaches a log sink. Two formats:
"text" (`time LEVEL logger: message`, a traceback folded into the same line with `\\n`
escapes) and "json" (one JSON object per line). Uncaught exceptions (main thread, other
threads) and `warnings` go through the same redacting handler instead of raw stderr.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import TextIO
from urllib.parse import quote

# Anything shaped like a bot token, also URL-encoded (":" as %3A) and glued to a prefix
# ("bot123:…" in an API URL).
TOKEN_SHAPE = re.compile(r"\d{5,}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")
BOT_URL_TOKEN = re.compile(r"/bot\d{1,20}(?::|%3[Aa])[^/\s\"']+")
# "+7 916 123-45-67", "+79161234567", "89161234567": a plus sign (also URL-encoded), or 11
# digits from 7/8. Bare 10-digit numbers are left alone: Telegram ids look just like them.
PHONE_SHAPE = re.compile(
    r"(?<![\w/])(?:(?:\+|%2[Bb])\d[\d\s()-]{8,16}\d"
    r"|[78][\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2})(?!\w)"
)
REDACTED = "[REDACTED]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATA_LOGGERS = ("aiosqlite", "aiogram.scene")
"""Libraries whose records below INFO carry the data itself: aiosqlite logs every statement
with its parameters (names, companies, answers, phones), aiogram's scenes the FSM data."""


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
            quoted = quote(secret, safe="")
            if quoted != secret:
                text = text.replace(quoted, REDACTED)
    text = BOT_URL_TOKEN.sub("/bot" + REDACTED, text)
    text = TOKEN_SHAPE.sub(REDACTED, text)
    return PHONE_SHAPE.sub("[PHONE]", text)


def one_line(text: str) -> str:
    """Fold a multi-line text (a traceback, a pasted message) into one physical line."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


class NoDataRecords(logging.Filter):
    """Drops the debug records of `DATA_LOGGERS` at the handler, whatever level a logger is
    set to: no pattern can recognise a name or a company, so they must never be written.
    Our own code logs ids and counts only, never the values people typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO:
            return True
        name = record.name
        return not any(name == quiet or name.startswith(quiet + ".") for quiet in DATA_LOGGERS)


class RedactingFormatter(logging.Formatter):
    """`time LEVEL logger: message`, one line per record, redacted."""

    def __init__(self, fmt: str = TEXT_FORMAT, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return one_line(redact(super().format(record), self.secrets))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, and exc when there is one."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), self.secrets),
        }
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info), self.secrets)
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info), self.secrets)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        # Belt and braces: nothing can have slipped in through the JSON encoding.
        return redact(line, self.secrets)


def setup_logging(
    level: str, secrets: tuple[str, ...] = (), log_format: str = "text",
    stream: TextIO | None = None,
) -> None:
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    formatter: logging.Formatter = (
        JsonFormatter(secrets) if log_format == "json" else RedactingFormatter(TEXT_FORMAT, secrets)
    )
    handler.setFormatter(formatter)
    handler.addFilter(NoDataRecords())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in DATA_LOGGERS:  # not even built: the filter above is the guarantee
        logging.getLogger(name).setLevel(logging.INFO)
    # aiogram logs every handled update at INFO; keep it for DEBUG runs only.
    logging.getLogger("aiogram.event").setLevel(
        logging.NOTSET if level == "DEBUG" else logging.WARNING
    )
    logging.captureWarnings(True)
    _route_uncaught_exceptions()


def _route_uncaught_exceptions() -> None:
    """Python prints uncaught tracebacks straight to stderr; send them through the handler."""
    log = logging.getLogger("uncaught")

    def excepthook(
        kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("uncaught %s", kind.__name__, exc_info=(kind, value, tb))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        log.critical(
            "uncaught %s in thread %s",
            args.exc_type.__name__,
            name,
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
