"""Cisco parsers on broken input: every statement cut short, or dropped, gives a report or a
ValueError (never another exception), and the key in the file never shows in either."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import test_parse_cisco_asa as asa
import test_parse_cisco_ios as ios

from vpnkit.peer import check

TEXTS = {"ios-ikev2": (ios.HAND_V2, ios.KEY), "ios-ikev1": (ios.HAND_V1, ios.KEY),
         "ios-vti": (ios.HAND_VTI, ios.KEY), "asa": (asa.HAND, asa.KEY)}


def variants(text: str) -> Iterator[str]:
    """The text with one line cut after each of its words, and with one line dropped."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        words = line.split()
        indent = line[: len(line) - len(line.lstrip())]
        for k in range(len(words)):
            yield "\n".join([*lines[:i], indent + " ".join(words[:k]), *lines[i + 1:]]) + "\n"
        yield "\n".join([*lines[:i], *lines[i + 1:]]) + "\n"


@pytest.mark.parametrize("name", list(TEXTS))
def test_every_cut_statement_is_a_report_or_a_value_error_without_the_key(name: str) -> None:
    """No IndexError/KeyError from a truncated line; the key is in no row and no message."""
    text, key = TEXTS[name]
    want = ios.expected(**ios.POLICY_CLEAR)
    count = 0
    for variant in variants(text):
        count += 1
        try:
            report = check(want, variant)
        except ValueError as exc:
            assert key not in str(exc)
            continue
        assert key not in json.dumps(report.rows()) + repr(report)
    assert count > 100
