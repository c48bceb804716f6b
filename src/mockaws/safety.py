"""Text from files, servers and models made safe to show and to save.

- `clean` drops control characters (a terminal obeys escape sequences: window titles,
  clipboard writes, cursor moves), keeping newlines and tabs.
- `redact` removes secrets: every API key this process has loaded, and anything shaped like one,
  so a server that echoes the key in an error message never gets it onto the screen or the disk.
- `without_userinfo` takes `user:password@` out of a URL before it is stored or shown.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit, urlunsplit

# C0 controls except tab and newline, DEL, and the C1 range (ESC's 8-bit twins).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# OpenAI-style keys (sk-..., sk-proj-...), and bearer tokens quoted back in error messages.
_KEY_SHAPED = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8,}|Bearer\s+[A-Za-z0-9._\-]{12,})")
REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 6  # shorter "keys" (placeholders such as "none") would redact ordinary words

_secrets: set[str] = set()
_secrets_guard = threading.Lock()


def clean(text: str) -> str:
    """`text` without control characters (escape sequences lose their ESC and do nothing)."""
    return _CONTROLS.sub("", text)


def register_secret(secret: str | None) -> None:
    """Remember a secret this process holds, so `redact` removes it wherever it turns up."""
    if secret and len(secret) >= _MIN_SECRET_LENGTH:
        with _secrets_guard:
            _secrets.add(secret)


def redact(text: str) -> str:
    """`text` with every known secret and every key-shaped string replaced by [redacted]."""
    with _secrets_guard:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _KEY_SHAPED.sub(REDACTED, text)


def without_userinfo(url: str) -> str:
    """The URL with any `user:password@` removed (keys sometimes ride in the userinfo)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.rpartition("@")[2]
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
