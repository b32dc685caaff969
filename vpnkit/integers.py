"""The one strict integer parser: for wire values, CSV cells, CLI arguments and form fields.

Python's ``int()`` accepts far more than the API does (``"²"``, ``"٣"``, ``" 3 "``,
``"1_000"``) and raises a bare ``ValueError`` on ``"--30"`` or a 5,000-digit string.
:func:`strict_int` accepts only an ``int`` (not a ``bool``) or an ASCII decimal string with
an optional sign and at most :data:`MAX_DIGITS` digits; anything else raises
:class:`NotAnInteger` (a ``ValueError``) whose message names the value, never crashes.

:func:`parse_int` is the same with a field path: it raises :class:`~vpnkit.errors.SpecError`
holding one ``InvalidParameter`` issue naming the field and the value, so a CSV row or a
CLI option reports it like any other validation problem. :func:`int_issue` returns that
issue instead of raising, for readers that collect every problem of a row.
"""

from __future__ import annotations

import math
import re

from vpnkit.issue import Issue
from vpnkit.redact import shown

__all__ = ["MAX_DIGITS", "NotAnInteger", "int_issue", "parse_int", "strict_int"]

#: The widest API integer is uint64 (§2.2, §2.3): 18446744073709551615 has 20 digits.
MAX_DIGITS = 20
_DECIMAL = re.compile(r"[+-]?[0-9]+\Z")  # re's [0-9] is ASCII only, unlike str.isdigit()


class NotAnInteger(ValueError):
    """``value`` is not a strict integer; the message names it (shortened, secrets masked)."""


def strict_int(value: object, *, allow_float: bool = False) -> int:
    """``value`` as an ``int``: an int, or an ASCII decimal string such as ``"-30"``.

    ``allow_float=True`` also takes integral floats (``30.0``: what pandas makes of an integer
    column with blanks). Never accepted: bools, surrounding whitespace, other digits
    (``"²"``), ``"--30"``, ``"1_000"``, more than :data:`MAX_DIGITS` digits.
    """
    if isinstance(value, bool):
        raise NotAnInteger(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and allow_float:
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise NotAnInteger(f"expected an integer, got {value!r}")
    if isinstance(value, str):
        if _DECIMAL.match(value):
            digits = len(value.lstrip("+-"))
            if digits > MAX_DIGITS:
                raise NotAnInteger(f"expected an integer, got a {digits}-digit number "
                                   f"{shown(value)}")
            return int(value)
        raise NotAnInteger(f"expected an integer, got {shown(value)}")
    raise NotAnInteger(f"expected an integer, got {type(value).__name__} {shown(value)}")


def int_issue(value: object, path: str, *, allow_float: bool = False
              ) -> tuple[int | None, Issue | None]:
    """``(int, None)``, or ``(None, Issue)`` naming ``path`` and the value."""
    try:
        return strict_int(value, allow_float=allow_float), None
    except NotAnInteger as exc:
        message = str(exc).replace("expected an integer", "must be an integer", 1)
        return None, Issue(path, "InvalidParameter", message)


def parse_int(value: object, path: str, *, allow_float: bool = False) -> int:
    """``value`` as an int, or ``SpecError`` naming ``path`` and the value."""
    number, issue = int_issue(value, path, allow_float=allow_float)
    if issue is not None:
        from vpnkit.errors import SpecError

        raise SpecError([issue])
    assert number is not None
    return number
