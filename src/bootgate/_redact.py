"""Keeping secrets out of everything people and machines read: passwords become ***."""

from __future__ import annotations

import re

# user:password@ inside any URL-like text; the user stays, the password goes.
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*):(?P<secret>[^\s@/]*)@")
# password=..., passwd: ..., token=..., in DSNs, query strings and messages.
_KEY_VALUE = re.compile(
    r"(?P<key>\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token)\b\s*[=:]\s*)"
    r"(?P<secret>'[^']*'|\"[^\"]*\"|[^\s&;'\",]+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Return `text` with URL passwords and password-like key=value secrets replaced by ***."""
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    return _KEY_VALUE.sub(r"\g<key>***", text)


def describe(exc: BaseException) -> str:
    """One redacted line for an exception: "IntegrityError: FOREIGN KEY constraint failed"."""
    text = str(exc).strip()
    name = type(exc).__name__
    return redact(f"{name}: {text.splitlines()[0]}" if text else name)
