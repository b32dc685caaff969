"""vpnkit.gateway_version: gateway versions read and compared as numbers."""

from __future__ import annotations

import pytest

from vpnkit.gateway_version import at_least, parse


@pytest.mark.parametrize(("version", "minimum", "expected"), [
    ("4.0", "4.0", True), ("4", "4.0", True), ("4.0.0", "4", True), ("4.1", "4.0", True),
    ("4.10", "4.9", True), ("4.9", "4.10", False), ("5.0", "4.1", True), ("10.0", "4.0", True),
    ("3.9", "4.0", False), ("40", "4.0", True), ("ver3.1", "4.0", False), ("VER4.2", "4.0", True),
    (" 4.0 ", "4.0", True), ("", "4.0", False), ("IKEV1", "4.0", False), ("4.x", "4.0", False),
    (None, "4.0", False), (True, "1", False)])
def test_versions_compare_numerically(version: object, minimum: str, expected: bool) -> None:
    """4.10 is above 4.9, 4 equals 4.0, and an unreadable version is never new enough."""
    assert at_least(version, minimum) is expected


def test_parse_drops_trailing_zeros_and_refuses_a_bad_minimum() -> None:
    """Equal versions parse equal; a minimum that is not a version is a programming error."""
    assert parse("4.0") == parse("4") == parse("v4.0.0") == (4,)
    assert parse("ver3.1") == (3, 1)
    with pytest.raises(ValueError, match="minimum"):
        at_least("4.0", "four")
