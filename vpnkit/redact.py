"""The one redaction function, used by reprs, errors, logs, frames, the audit log and the CLI.

Two mechanisms, both needed:

* :func:`redact` walks a JSON-like value and masks every field whose *name* is secret
  (the pre-shared key, SecretKey, tokens, and every option the table marks ``secret``);
* :func:`scrub` masks secret *values* inside free text (an API error message that echoes a
  key, a transport error that prints a URL). Values are learnt with :func:`remember`, which
  credentials and specs call when they are built.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from vpnkit.options import SECRET_WIRE_NAMES

__all__ = ["MASK", "is_secret_key", "redact", "remember", "scrub"]

MASK = "***"

_SECRET_NAMES = frozenset(
    n.lower()
    for n in (
        *SECRET_WIRE_NAMES,
        "pre_share_key",
        "SecretKey",
        "secret_key",
        "secretKey",
        "Token",
        "token",
        "X-TC-Token",
        "TmpSecretKey",
        "Authorization",
        "Signature",
    )
)

_known: set[str] = set()
_lock = threading.Lock()
_MIN_LEN = 4  # shorter strings would mask ordinary words; such keys are refused anyway


def is_secret_key(name: str) -> bool:
    """True if a field with this name (wire or snake_case) holds a secret."""
    return name.lower() in _SECRET_NAMES


def remember(*secrets: str | None) -> None:
    """Register secret values so :func:`scrub` can mask them wherever they appear in text."""
    fresh = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_LEN}
    if fresh - _known:
        with _lock:
            _known.update(fresh)


def scrub(text: str) -> str:
    """Mask every remembered secret value that occurs in ``text``."""
    if not _known or not isinstance(text, str):
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact(value: Any) -> Any:
    """Return a copy of a JSON-like value with secret fields masked and strings scrubbed."""
    if isinstance(value, Mapping):
        return {
            k: (MASK if isinstance(k, str) and is_secret_key(k) and v not in (None, "")
                else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value
