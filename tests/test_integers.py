"""The one strict integer parser and its users: bad integers are issues, never crashes."""

from __future__ import annotations

from typing import Any

import pytest

from vpnkit import SpecError, VpnConnectionSpec
from vpnkit.integers import MAX_DIGITS, NotAnInteger, int_issue, parse_int, strict_int
from vpnkit.wire import connection_from_wire, spec_from_wire

BAD = ["²", "٣", "--30", "1_000", " 30", "3.0", "", "9" * 5000, "0x1e"]
BASE: dict[str, Any] = {"VpnGatewayId": "vpngw-demo0001", "CustomerGatewayId": "cgw-demo0001",
                        "VpnConnectionName": "ints", "PreShareKey": "ints-psk-123"}


@pytest.mark.parametrize("text", BAD)
def test_strict_int_refuses_what_int_accepts_or_crashes_on(text: str) -> None:
    """Unicode digits, doubled signs, underscores, spaces and huge strings are refused."""
    with pytest.raises(NotAnInteger) as info:
        strict_int(text)
    assert isinstance(info.value, ValueError)
    assert len(str(info.value)) < 200  # a 5,000-digit value is shortened in the message


def test_strict_int_accepts_plain_integers() -> None:
    """Ints, signed ASCII decimals up to 20 digits, and integral floats when allowed."""
    assert strict_int(30) == 30 and strict_int("-30") == -30 and strict_int("+7") == 7
    assert strict_int("18446744073709551615") == 2**64 - 1
    assert strict_int(30.0, allow_float=True) == 30
    for bad in (True, 30.0, float("nan")):
        with pytest.raises(NotAnInteger):
            strict_int(bad, allow_float=bad != 30.0)
    with pytest.raises(NotAnInteger):
        strict_int("1" * (MAX_DIGITS + 1))


def test_parse_int_names_field_and_value() -> None:
    """parse_int raises SpecError with one InvalidParameter issue at the given path."""
    with pytest.raises(SpecError) as info:
        parse_int("²", "ike_options.sa_lifetime_seconds")
    (issue,) = info.value.issues
    assert issue.path == "ike_options.sa_lifetime_seconds"
    assert issue.code == "InvalidParameter" and "'²'" in issue.message
    assert int_issue("42", "x") == (42, None)


@pytest.mark.parametrize("text", ["²", "--30", "9" * 5000])
def test_connection_from_wire_reads_bad_integers_as_not_set(text: str) -> None:
    """A response with junk integers loads (they become None) instead of raising."""
    conn = connection_from_wire({
        "VpnConnectionId": "vpnx-00000001", "DpdEnable": text, "DpdTimeout": text,
        "IKEOptionsSpecification": {"IKESaLifetimeSeconds": text},
        "IPSECOptionsSpecification": {"IPSECSaLifetimeTraffic": text}})
    assert conn.dpd_enable is None and conn.dpd_timeout is None
    assert conn.ike_options is not None and conn.ike_options.sa_lifetime_seconds is None


@pytest.mark.parametrize("text", ["²", "--30", "9" * 5000])
@pytest.mark.parametrize("where", ["DpdTimeout", "DpdEnable", "IKEOptionsSpecification",
                                   "IPSECOptionsSpecification", "HealthCheckConfig"])
def test_spec_from_wire_bad_integers_are_issues(text: str, where: str) -> None:
    """Each bad integer is an InvalidParameter issue naming the field and the value."""
    nested = {"IKEOptionsSpecification": ("IKESaLifetimeSeconds", text),
              "IPSECOptionsSpecification": ("IPSECSaLifetimeSeconds", text),
              "HealthCheckConfig": ("ProbeInterval", text)}
    if where in nested:
        key, value = nested[where]
        body = {**BASE, where: {key: value}}
        path = f"{where}.{key}"
    else:
        body, path = {**BASE, where: text}, where
    with pytest.raises(SpecError) as info:
        spec_from_wire(body)
    (issue,) = info.value.issues
    assert (issue.path, issue.code) == (path, "InvalidParameter")
    assert text[:20] in issue.message and len(issue.message) < 200


def test_spec_from_wire_string_integers_still_read() -> None:
    """DpdTimeout as the API's string, and ints given as decimal strings, become ints."""
    spec = spec_from_wire({**BASE, "DpdEnable": 1, "DpdTimeout": "40",
                           "IKEOptionsSpecification": {"IKESaLifetimeSeconds": "3600"}})
    assert spec.dpd_timeout == 40
    assert spec.ike_options is not None and spec.ike_options.sa_lifetime_seconds == 3600
    assert isinstance(spec, VpnConnectionSpec)
