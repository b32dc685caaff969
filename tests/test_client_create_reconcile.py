"""Create reconciliation at its edges: an answer without VpnConnectionId (ref §1.2), and a
duplicate-name refusal on the second send. A lookup that fails is never taken for "absent":
the create ends in OutcomeUnknownError, says how to find the tunnel, and is not sent again.

Every request goes over loopback HTTP to the emulator; trouble comes from its fault injection
(vpnkit.emulator.faults) or from a real HTTP adapter that fails a send on the client's side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.conftest import GATEWAY, REGION
from tests.test_client import spec, tunnels_named
from vpnkit import ApiError, OutcomeUnknownError, VpcClient
from vpnkit.emulator import Emulator

CREATE, DESCRIBE = "CreateVpnConnection", "DescribeVpnConnections"


class Scripted(requests.adapters.HTTPAdapter):
    """A real HTTP adapter that counts sends per action and runs a hook before the n-th
    send of an action; a hook returning "unsent" fails that send before it leaves (the
    client sees a dropped connection), "lost" drops the answer after the server ran it."""

    def __init__(self, hooks: dict[tuple[str, int], Callable[[], str | None]]) -> None:
        super().__init__()
        self.sent: list[str] = []
        self.hooks = hooks

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        action = request.headers["X-TC-Action"]
        self.sent.append(action)
        hook = self.hooks.get((action, self.sent.count(action)))
        what = hook() if hook is not None else None
        if what == "unsent":
            raise requests.ConnectionError("connection reset before the request left (test)")
        response = super().send(request, **kw)
        if what == "lost":
            response.close()  # back to the pool: the socket is not left open
            raise requests.ConnectionError("answer lost on the way back (test)")
        return response


Make = Callable[[Scripted], VpcClient]


@pytest.fixture
def scripted(emu: Emulator) -> Iterator[Make]:
    """Clients on the emulator through a :class:`Scripted` adapter (sessions closed after)."""
    sessions: list[requests.Session] = []

    def make(adapter: Scripted) -> VpcClient:
        session = requests.Session()
        session.mount("http://", adapter)
        sessions.append(session)
        return VpcClient(REGION, endpoint=emu.url, credential=emu.credential,
                         session=session, max_attempts=2)

    yield make
    for session in sessions:
        session.close()


def test_empty_id_is_found_by_name(emu: Emulator, scripted: Make) -> None:
    """An answer with VpnConnectionId "" is completed by a lookup by name; sent once."""
    emu.faults.update(empty_create_id=1.0, actions=CREATE)
    adapter = Scripted({})
    conn = scripted(adapter).create_vpn_connection(spec("no-id"))
    assert emu.faults.injected["empty_create_id"] == 1
    assert conn.vpn_connection_id.startswith("vpnx-") and conn.vpn_connection_name == "no-id"
    assert adapter.sent.count(CREATE) == 1 and tunnels_named(emu, "no-id") == 1


def test_empty_id_then_failed_lookup_is_outcome_unknown(emu: Emulator, scripted: Make) -> None:
    """Empty id and every lookup answer lost: OutcomeUnknownError naming how to find the
    tunnel (not the lookup's TransportError), the create never re-sent."""
    emu.faults.update(empty_create_id=1.0, actions=CREATE)
    adapter = Scripted({(DESCRIBE, n): lambda: "lost" for n in range(1, 10)})
    with pytest.raises(OutcomeUnknownError) as info:
        scripted(adapter).create_vpn_connection(spec("no-id-lost"))
    text = str(info.value)
    assert "no VpnConnectionId" in text and "may exist" in text
    assert f"find_vpn_connection('{GATEWAY}', 'no-id-lost')" in text
    assert adapter.sent.count(CREATE) == 1 and adapter.sent.count(DESCRIBE) >= 1
    assert tunnels_named(emu, "no-id-lost") == 1


def test_empty_id_and_not_listed_yet_is_outcome_unknown(emu: Emulator, scripted: Make) -> None:
    """Empty id, and the listing does not show the tunnel yet: OutcomeUnknownError, never a
    tunnel with an empty id, and never a second create."""
    emu.faults.update(empty_create_id=1.0, actions=CREATE)
    before = emu.backend.dump()

    def listing_lags() -> None:  # the list is read before the new tunnel shows in it
        emu.backend.reset(before)

    adapter = Scripted({(DESCRIBE, 1): listing_lags})
    with pytest.raises(OutcomeUnknownError, match=r"is listed on \S+ yet; do not create it"):
        scripted(adapter).create_vpn_connection(spec("no-id-lag"))
    assert adapter.sent.count(CREATE) == 1


def test_duplicate_on_the_second_send_then_failed_lookup_is_outcome_unknown(
        emu: Emulator, client: VpcClient, scripted: Make) -> None:
    """First send lost; lookup: absent; someone creates the name; the second send is refused
    as a duplicate and the lookup fails: OutcomeUnknownError, not the lookup's ApiError."""

    def someone_else_creates_it() -> None:
        client.create_vpn_connection(spec("raced").replace(pre_share_key="another-psk-123"))
        emu.faults.update(internal_error=1.0, actions=DESCRIBE)  # every lookup fails now

    adapter = Scripted({(CREATE, 1): lambda: "unsent", (CREATE, 2): someone_else_creates_it})
    with pytest.raises(OutcomeUnknownError) as info:
        scripted(adapter).create_vpn_connection(spec("raced"))
    text = str(info.value)
    assert "duplicate name" in text and "InternalError" in text and "may exist" in text
    assert adapter.sent.count(CREATE) == 2  # the refused second send, never a third
    emu.faults.clear()
    assert tunnels_named(emu, "raced") == 1


def test_duplicate_on_the_second_send_with_a_working_lookup_is_reconciled(
        emu: Emulator, client: VpcClient, scripted: Make) -> None:
    """The same race with a lookup that works returns the tunnel holding the name."""

    def someone_else_creates_it() -> None:
        client.create_vpn_connection(spec("raced-ok").replace(pre_share_key="another-psk-123"))

    adapter = Scripted({(CREATE, 1): lambda: "unsent", (CREATE, 2): someone_else_creates_it})
    conn = scripted(adapter).create_vpn_connection(spec("raced-ok"))
    assert conn.vpn_connection_name == "raced-ok" and conn.vpn_connection_id
    assert adapter.sent.count(CREATE) == 2 and tunnels_named(emu, "raced-ok") == 1


def test_failed_lookup_after_a_lost_answer_is_outcome_unknown(emu: Emulator,
                                                              scripted: Make) -> None:
    """A lost answer whose lookup fails stops at once: one send, OutcomeUnknownError."""
    adapter = Scripted({(CREATE, 1): lambda: "lost",
                        **{(DESCRIBE, n): (lambda: "lost") for n in range(1, 10)}})
    with pytest.raises(OutcomeUnknownError, match="may exist"):
        scripted(adapter).create_vpn_connection(spec("lost-both"))
    assert adapter.sent.count(CREATE) == 1 and tunnels_named(emu, "lost-both") == 1
    with pytest.raises(ApiError):  # the emulator is fine: the name is taken by that tunnel
        scripted(Scripted({})).create_vpn_connection(spec("lost-both"))
