"""The one place that turns a URL or an exception into what may be written down.

A webhook URL is a secret: a Telegram bot token or a Slack hook path sits in its path, a password in
its userinfo, a key in its query. The journal, its exports and backups, the log and the metrics only
ever get the scheme and host (and port) of a URL: :func:`safe_url` for one URL, :func:`safe_text`
for any text that may contain some (an exception's message: httpx spells the full URL in its errors),
:func:`safe_error` for an exception. :class:`RedactingFilter` applies :func:`safe_text` to every log
record a handler writes, so a library that logs a URL is cut down too.

A leaf module: it imports nothing of kiosk_ui, so every layer may use it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

#: a URL in free text: scheme://anything up to whitespace, a quote or a closing bracket
_URL = re.compile(r"""\b([a-zA-Z][a-zA-Z0-9+.\-]{1,15})://([^\s'"<>()\[\]{}]+)""")

#: loggers of libraries that print whole request URLs at INFO (httpx: every request)
URL_LOGGERS = ("httpx", "httpcore", "hpack", "urllib3")


def safe_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: no userinfo, path, query or fragment."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<url>"
    if not parts.scheme or not host:
        return "<url>"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def safe_text(text: str) -> str:
    """``text`` with every URL in it reduced to :func:`safe_url`."""
    return _URL.sub(lambda match: safe_url(match.group(0)), text)


def safe_error(exc: BaseException) -> str:
    """What may be written about ``exc``: an HTTP status (its response, if it has one), its kind, and its
    message with every URL cut to its host."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status}"
    message = safe_text(str(exc))
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


class RedactingFilter(logging.Filter):
    """A handler filter: the record's final message with its URLs cut to their hosts (and no traceback
    text that could spell one: the traceback is rendered and redacted too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = safe_text(message)
        record.args = None
        return True


def install_log_redaction(root: logging.Logger | None = None) -> None:
    """Redact every handler of ``root`` (default: the root logger) and quiet the URL-printing libraries."""
    root = root or logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    for name in URL_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).level))
