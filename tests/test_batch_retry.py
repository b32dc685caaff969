"""The batch's rate-limit rounds (vpnkit.batch.retry): one budget serves create, delete and
the plan's Modify; only RequestLimitExceeded is sent again, never another refusal."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import vpnkit
from vpnkit import VpcClient
from vpnkit.batch import create_many
from vpnkit.batch.delete import delete_one
from vpnkit.batch.retry import RateLimitRetries
from vpnkit.emulator import Emulator
from vpnkit.errors import ApiError

REGION = "ap-guangzhou"
GW, CGW, VPC = "vpngw-demo0001", "cgw-demo0001", "vpc-demo0001"
KEY = "SENTINEL-retry-key-4b7a"


def row(**over: Any) -> dict[str, Any]:
    """One tunnel in the batch layout."""
    return {"name": "br-rl", "vpn_gateway_id": GW, "customer_gateway_id": CGW, "vpc_id": VPC,
            "pre_share_key": KEY, "spd": "10.0.1.0/24=192.168.1.0/24",
            "route_type": "Policy", **over}


@pytest.fixture
def once(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VpcClient:
    """A client that never retries itself (max_attempts=1), so only the batch's rounds
    are left; the journal in the test's directory."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    return VpcClient(REGION, endpoint=emu.url, credential=emu.credential, max_attempts=1)


def executed(emu: Emulator) -> Counter[str]:
    """From now on, how many requests of each action the emulator's backend runs (a
    refused one, rate-limited or not, never reaches it)."""
    ran: Counter[str] = Counter()
    original = emu.backend.handle

    def counting(action: str, *args: Any, **kw: Any) -> dict[str, Any]:
        ran[action] += 1
        return original(action, *args, **kw)

    emu.backend.handle = counting  # type: ignore[method-assign]
    return ran


def test_the_budget_retries_rate_limit_codes_only_and_runs_out() -> None:
    """RequestLimitExceeded(.*) gets ``limit`` rounds, then none; other codes none at all."""
    budget = RateLimitRetries(limit=2)
    limited = ApiError("RequestLimitExceeded", "slow down")
    assert [budget.sleep_if_retryable(limited) for _ in range(3)] == [True, True, False]
    assert budget.rounds == 2
    for code in ("InternalError", "LimitExceeded", "UnauthorizedOperation",
                 "InvalidParameterValue.Duplicate"):
        assert not RateLimitRetries().sleep_if_retryable(ApiError(code, "no"))
    assert RateLimitRetries().sleep_if_retryable(
        ApiError("RequestLimitExceeded.UinLimitExceeded", "slow down"))


def test_create_modify_and_delete_ride_out_a_rate_limit_burst(emu: Emulator,
                                                              once: VpcClient) -> None:
    """Past the client's attempts, each sender re-sends a rate-limited call and makes its
    change once (the backend runs each mutating call one time)."""
    ran = executed(emu)
    emu.faults.update(rate_limit_burst=2, actions="CreateVpnConnection")
    result = create_many(once, [row()], progress=False)
    assert result.ok and list(result.frame["status"]) == ["created"]
    emu.faults.update(rate_limit_burst=2, actions="ModifyVpnConnectionAttribute")
    applied = vpnkit.plan(once, [row(dpd_timeout="40", dpd_enable="1")]).apply()
    assert applied.ok, applied.frame.to_string()
    emu.faults.update(rate_limit_burst=2, actions="DeleteVpnConnection")
    vid = str(result.frame["vpn_connection_id"][0])
    assert delete_one(once, vid, GW, wait=True, timeout=30).status == "deleted"
    assert emu.faults.injected["rate_limit_burst"] == 6
    assert (ran["CreateVpnConnection"], ran["ModifyVpnConnectionAttribute"],
            ran["DeleteVpnConnection"]) == (1, 1, 1)


def test_a_refusal_that_is_not_a_rate_limit_is_sent_once(emu: Emulator,
                                                         once: VpcClient) -> None:
    """An UnauthorizedOperation answer to a Modify or a Delete is the outcome: one request."""
    created = create_many(once, [row()], progress=False)
    emu.faults.update(unauthorized=1.0,
                      actions="ModifyVpnConnectionAttribute,DeleteVpnConnection")
    modify = vpnkit.plan(once, [row(dpd_timeout="40", dpd_enable="1")]).apply()
    assert list(modify.frame["status"]) == ["failed"]
    assert list(modify.frame["error_code"]) == ["UnauthorizedOperation"]
    vid = str(created.frame["vpn_connection_id"][0])
    out = delete_one(once, vid, GW, wait=False, timeout=1)
    assert (out.status, out.error_code) == ("failed", "UnauthorizedOperation")
    assert emu.faults.injected["unauthorized"] == 2
