"""The one redaction module, used by reprs, errors, logs, frames, the audit log and the CLI.

Secrets are masked **by field** first: :func:`redact` walks a JSON-like value and masks the
value of every field whose *name* is secret (``PreShareKey``/``pre_share_key``/
``pre_shared_key``, ``SecretKey``, tokens, signatures, and every option the table marks
``secret``), whatever the value's type or length, so a short key is masked too and masking
never eats other values. Dict keys are scrubbed as well (a dict may be keyed by a value).

:func:`scrub` is only the backstop for free text that has no field names (an API message
that echoes a key, a transport error that prints a URL): it masks secret *values* learnt
with :func:`remember`, and only values of at least :data:`MIN_SCRUB_LEN` characters, so a
short key such as ``0001`` can never mask parts of ids (``vpngw-demo0001``). Shorter keys
are covered by the field rule alone.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from vpnkit.options import SECRET_WIRE_NAMES

__all__ = ["MASK", "MIN_SCRUB_LEN", "is_secret_key", "redact", "remember", "scrub", "shown"]

MASK = "***"
#: Secrets shorter than this are masked by field only, never by value in free text.
MIN_SCRUB_LEN = 8


def _norm(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


_SECRET_NAMES = frozenset(
    _norm(n)
    for n in (
        *SECRET_WIRE_NAMES,
        "pre_share_key",
        "pre_shared_key",
        "PreSharedKey",
        "psk",
        "SecretKey",
        "TmpSecretKey",
        "Token",
        "X-TC-Token",
        "SessionToken",
        "SecurityToken",
        "Authorization",
        "Signature",
    )
)

_known: set[str] = set()
_lock = threading.Lock()


def is_secret_key(name: object) -> bool:
    """True if a field with this name (wire, snake_case, header) holds a secret."""
    return isinstance(name, str) and _norm(name) in _SECRET_NAMES


def remember(*secrets: str | None) -> None:
    """Register secret values so :func:`scrub` masks them in free text (long ones only)."""
    fresh = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SCRUB_LEN}
    if fresh - _known:
        with _lock:
            _known.update(fresh)


def scrub(text: str) -> str:
    """Mask every remembered secret value (of at least MIN_SCRUB_LEN chars) in ``text``."""
    if not _known or not isinstance(text, str):
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` for a message: scrubbed, and cut to ``limit`` characters."""
    text = scrub(repr(value))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with secret fields masked, keys and strings scrubbed."""
    if isinstance(value, Mapping):
        return {
            (scrub(k) if isinstance(k, str) else k):
                (MASK if is_secret_key(k) and v not in (None, "") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value
