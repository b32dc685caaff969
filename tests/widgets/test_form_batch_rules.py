"""The form and the batch apply the same rules between a gateway's tunnels, with the same codes.

Each case of the batch-level agreement catalogue (tests/test_agreement.py) becomes: every
tunnel before the last row put on the gateway through the emulator, one by one (what it
refuses stays off), then the last row checked three ways: the form with it loaded, the batch's
dry run of that one row, and the emulator itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_agreement import BATCH_CASES
from vpnkit import ApiError, VpcClient
from vpnkit.batch.io import read_rows
from vpnkit.batch.preflight import check_rows, lookup_targets
from vpnkit.validate import Issue
from vpnkit.widgets import form

#: the codes of vpnkit.gateway_rules, and the paths they are reported at
RULE_CODES = frozenset({"InvalidParameterValue.Duplicate", "UnsupportedOperation",
                        "InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
                        "InvalidParameterValue.VpnConnCidrConflict", "IdcRangeReachedTwice",
                        "LimitExceeded"})
RULE_PATHS = ("vpn_connection_name", "route_type", "bgp_config.tunnel_cidr",
              "security_policy_databases")
#: a batch row whose name is already on the gateway is resumed (done), not sent: the form
#: calls the same name a duplicate, so those cases are not comparable
RESUMED = {"same name twice"}
CASES = [c for c in BATCH_CASES if c not in RESUMED]


def _rule_codes(found: list[Issue]) -> list[tuple[str, str, str]]:
    return sorted((i.path, i.code, i.severity) for i in found
                  if i.code in RULE_CODES and i.path.startswith(RULE_PATHS))


def _send(client: VpcClient, row: dict[str, str]) -> str:
    """Create one row's tunnel through the emulator: "" or the code it answers."""
    (r,), problems = read_rows([row])
    assert problems == [] and r.spec is not None
    try:
        client.call("CreateVpnConnection", r.spec.to_wire())
    except ApiError as exc:
        return exc.code
    return ""


@pytest.mark.parametrize("case", CASES)
def test_form_and_batch_give_the_same_codes(case: str, client: VpcClient,
                                            monkeypatch: Any, tmp_path: Any) -> None:
    """For the last row of each case, the form and the batch report the same rule issues,
    and the emulator refuses the row when they report an error, with one of the codes."""
    monkeypatch.setenv("VPNKIT_BATCH_STATE", str(tmp_path / "journal.sqlite3"))
    before, rows = BATCH_CASES[case]
    *earlier, last = [*before, *rows]
    for row in earlier:
        _send(client, row)
    (r,), problems = read_rows([last])
    assert problems == [] and r.spec is not None
    targets, lookup = lookup_targets(client, [r.vpn_gateway_id])
    assert lookup == [] and targets.known
    check_rows([r], targets)
    batch = _rule_codes(r.issues)
    f = form(client)
    try:
        f.load(r.spec)
        shown = _rule_codes(f.issues)
        live = _rule_codes(f.live)
    finally:
        f.close()
    assert shown == batch, f"form {shown}, batch {batch}"
    assert live == batch  # ... and the form's come from its pre-flight, not validation
    refused = _send(client, last)
    if any(severity == "error" for _, _, severity in batch):
        assert refused, f"emulator accepted what form and batch refuse: {batch}"
    if refused:  # with one of the batch's codes (its reference checks included)
        assert refused in {i.code for i in r.issues if i.severity == "error"}, refused
