"""Logging for the bot process: discord.py's loggers kept from writing secrets or message contents.

discord.py logs every REST call at DEBUG with its URL, and an interaction's URLs carry its
token (``/interactions/{id}/{token}/callback``, ``/webhooks/{app}/{token}``) — fifteen minutes
of the right to answer as the bot in that channel. Raw gateway events (at DEBUG) carry the same
tokens and every message's text. So: tokens are redacted from whatever discord.py logs, at
any level, and raw gateway events are never logged.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SECRETS = (
    re.compile(r"(/interactions/\d+/)[^/\s?#'\"]+"),
    re.compile(r"(/webhooks/\d+/)[^/\s?#'\"]+"),
    re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+"""),
)


def redact(text: str) -> str:
    """``text`` with interaction and webhook tokens replaced by ``[redacted]``."""
    for pattern in _SECRETS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def configure_discord_logging() -> None:
    """Attach the redaction to every discord.py logger (and the root handlers, for loggers made later)."""
    redaction = RedactTokens()
    loggers = [logging.getLogger("discord")] + [
        logger
        for name, logger in logging.Logger.manager.loggerDict.items()
        if name.startswith("discord.") and isinstance(logger, logging.Logger)
    ]
    for target in [*loggers, *logging.getLogger().handlers]:
        if not any(isinstance(f, RedactTokens) for f in target.filters):
            target.addFilter(redaction)
    # Raw gateway events hold message contents (other than questions) and tokens: never logged.
    logging.getLogger("discord.gateway").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
