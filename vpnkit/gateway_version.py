"""VPN gateway versions, compared as numbers: the one test of "is this gateway new enough".

A gateway's ``Version`` (DescribeVpnGateways, ref §3.2) is text such as ``"2.0"``, ``"4.0"``
or, in an official example, ``"ver3.1"``. :func:`parse` reads it as a tuple of integers
(``"4.10"`` is above ``"4.9"``, ``"5.0"`` above ``"4.1"``, ``"4"`` equals ``"4.0"``);
:func:`at_least` compares. A version that cannot be read (missing, ``"IKEV1"`` as in another
example) is never "at least" anything, so what needs a newer gateway stays refused.

Two API rules use it, with the same threshold:

* GCM algorithms (``AES128GCM128`` ...) for IKE and IPsec: "仅4.0VPN网关支持" (only 4.0 VPN
  gateways support them; PYSDK IKEOptionsSpecification / IPSECOptionsSpecification, ref §2.2,
  §2.3). The docs name the 4.0 generation and document no later one; a later version is
  taken to keep 4.0's features, as the Modify doc says outright for the rule below.
* changing a tunnel's CustomerGatewayId: "4.0及以上网关" (gateways of 4.0 and above, ref §3.6).

Pure, no imports from the rest of vpnkit: the emulator uses it as the client side does.
"""

from __future__ import annotations

import re

__all__ = ["CUSTOMER_GATEWAY_CHANGE", "GCM", "at_least", "parse"]

#: The first gateway version with GCM algorithms (ref §2.2, §2.3).
GCM = "4.0"
#: The first gateway version whose tunnels may change CustomerGatewayId (ref §3.6).
CUSTOMER_GATEWAY_CHANGE = "4.0"

_VERSION = re.compile(r"(?:ver|v)?\s*([0-9]{1,9}(?:\.[0-9]{1,9})*)\Z", re.IGNORECASE)


def parse(version: object) -> tuple[int, ...] | None:
    """``"4.0"`` -> ``(4,)``, ``"ver3.1"`` -> ``(3, 1)`` (trailing zeros dropped, so equal
    versions give equal tuples); ``None`` for anything else."""
    if isinstance(version, bool) or not isinstance(version, str | int | float):
        return None
    found = _VERSION.match(str(version).strip())
    if found is None:
        return None
    parts = [int(p) for p in found.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def at_least(version: object, minimum: str) -> bool:
    """Whether gateway ``version`` is ``minimum`` or later (False when it cannot be read)."""
    have, want = parse(version), parse(minimum)
    if want is None:
        raise ValueError(f"minimum {minimum!r} is not a version")
    return have is not None and have >= want
