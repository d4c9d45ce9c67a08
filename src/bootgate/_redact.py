"""Keeping secrets out of everything people and machines read: secrets become ***.

Two passes. By value: every secret bootgate has seen (the passwords and tokens of parsed
targets, values a user registered with `remember_secret`/`boot.secret`) is replaced wherever
it appears, raw or percent-encoded. By pattern: `user:password@` in URLs, a NATS token,
`password=...`, `DB_PASSWORD=...`, `client_secret: ...`, `{"password": "..."}` and
`Authorization: Bearer ...` lose their values even when bootgate never saw the secret.
"""

from __future__ import annotations

import re

#: Values shorter than this are not scrubbed by value: a two-letter "secret" would blank out
#: every word that holds those letters. The pattern pass still removes them where they sit.
MIN_SECRET_LENGTH = 4


class _Lazy:
    """A regular expression compiled on first use: `bootgate check` imports this module, and
    a check of a target that is up never redacts anything."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def get(self) -> re.Pattern[str]:
        """The compiled expression."""
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled


_KEY_WORDS = r"pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|credentials?"
_SECRET_KEY = _Lazy(rf"(?:{_KEY_WORDS}|auth)", re.IGNORECASE)
# user:password@ inside any URL-like text; the user stays, the password goes. The password
# runs to the last '@' of the word, so one holding '@' or '/' goes whole.
_URL_PASSWORD = _Lazy(
    r"(?P<head>(?<![a-zA-Z0-9+.\-])[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*):(?P<secret>\S*)@"
)
_URL_TOKEN = _Lazy(r"(?P<head>\bnats://)(?P<secret>[^\s:/@]+)@", re.IGNORECASE)
# password=..., DB_PASSWORD: ..., "client_secret": "...", in DSNs, query strings, JSON, env.
# A key starts at a word's start (the lookbehind): tried from inside a word too, the pattern
# would backtrack at every letter of a long token, quadratic in its length.
_KEY_VALUE = _Lazy(
    rf"(?P<key>(?<![\w.-])[\"']?[\w.-]*(?:{_KEY_WORDS})[\w.-]*[\"']?\s*[=:]\s*)"
    r"(?P<secret>\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s&;'\",}]+)",
    re.IGNORECASE,
)
_AUTHORIZATION = _Lazy(
    r"(?P<key>\b(?:proxy-)?authorization[\"']?\s*[=:]\s*[\"']?(?:(?:bearer|basic|token|digest)\s+)?)"
    r"(?P<secret>[^\s\"',}]+)",
    re.IGNORECASE,
)

_secrets: dict[str, None] = {}
"""Every secret seen, in insertion order, each with its percent-encoded spellings."""
_pattern: re.Pattern[str] | None = None


def remember_secret(value: str) -> None:
    """Scrub `value` (and its percent-encoded forms) from everything `redact` sees from now on."""
    global _pattern
    if len(value) < MIN_SECRET_LENGTH or value in _secrets:
        return
    from urllib.parse import quote, quote_plus

    for spelling in (value, quote(value, safe=""), quote_plus(value), quote(value)):
        _secrets[spelling] = None  # matched case-insensitively: %2f and %2F alike
    _pattern = None


def forget_secrets() -> None:
    """Forget every remembered secret (for test isolation; a process never needs it)."""
    global _pattern
    _secrets.clear()
    _pattern = None


def secret_key(name: str) -> bool:
    """True for a key whose value is a secret: password, DB_PASSWORD, client_secret, token..."""
    return _SECRET_KEY.get().search(name) is not None


def redact(text: str) -> str:
    """Return `text` with every known secret and every secret-looking value replaced by ***."""
    global _pattern
    text = _URL_PASSWORD.get().sub(r"\g<head>:***@", text)
    text = _URL_TOKEN.get().sub(r"\g<head>***@", text)
    text = _AUTHORIZATION.get().sub(r"\g<key>***", text)
    text = _KEY_VALUE.get().sub(_keep_quotes, text)
    if _secrets:
        if _pattern is None:
            longest_first = sorted(_secrets, key=len, reverse=True)
            _pattern = re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE)
        text = _pattern.sub("***", text)
    return text


def _keep_quotes(match: re.Match[str]) -> str:
    secret = match.group("secret")
    quote = secret[0] if secret[:1] in ("'", '"') else ""
    return f"{match.group('key')}{quote}***{quote}"


def describe(exc: BaseException) -> str:
    """One redacted line for an exception: "IntegrityError: FOREIGN KEY constraint failed"."""
    text = str(exc).strip()
    name = type(exc).__name__
    return redact(f"{name}: {text.splitlines()[0]}" if text else name)
