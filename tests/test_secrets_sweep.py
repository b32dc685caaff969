"""The sentinel sweep: a full run with sentinel secrets leaves them in no artifact at all."""

from __future__ import annotations

import io
import logging
import pickle
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vpnkit import VpcClient, VpnConnectionSpec
from vpnkit.audit import AuditLog
from vpnkit.credentials import Credential
from vpnkit.emulator import DEMO_SECRET_ID, serve
from vpnkit.errors import VpnkitError
from vpnkit.frames import connections_frame, spd_frame
from vpnkit.redact import MASK
from vpnkit.wire import connection_from_wire

REGION = "ap-guangzhou"
RUN = uuid.uuid4().hex[:12]
PSK = f"SENTINEL-PSK-{RUN}"
SECRET_KEY = f"SENTINEL-SK-{RUN}"
SENTINELS = (PSK, SECRET_KEY, "SENTINEL-PSK", "SENTINEL-SK")


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged anywhere (root, DEBUG) during the test, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def _spec(name: str, psk: str = PSK) -> VpnConnectionSpec:
    return VpnConnectionSpec(
        vpn_gateway_id="vpngw-demo0001", customer_gateway_id="cgw-demo0001",
        vpn_connection_name=name, pre_share_key=psk, vpc_id="vpc-demo0001",
        security_policy_databases={"10.0.1.0/24": [f"192.168.{10 + int(name[-1])}.0/24"]})


def _errors_of(run: Any) -> list[BaseException]:
    try:
        run()
    except VpnkitError as exc:
        return [exc]
    return []


def _texts_of(obj: Any) -> list[str]:
    out = [str(obj), repr(obj)]
    html = getattr(obj, "_repr_html_", None)
    if html is not None:
        out.append(html())
    if isinstance(obj, BaseException):
        out.append("".join(traceback.format_exception(obj)))
        out.append(repr(pickle.loads(pickle.dumps(obj))))
    return out


def test_sentinel_secrets_appear_in_no_artifact(tmp_path: Path,
                                                captured_logs: io.StringIO) -> None:
    """PSK and SecretKey sentinels: not in the DB (+WAL), CSV, logs, reprs, errors, frames."""
    artifacts: dict[str, str | bytes] = {}
    db_path = tmp_path / "audit.sqlite3"
    log = AuditLog(db_path)
    with serve(seed="demo", create_delay=0.2, secret_id=DEMO_SECRET_ID,
               secret_key=SECRET_KEY) as emu:
        credential = Credential(DEMO_SECRET_ID, SECRET_KEY, source="test")
        client = VpcClient(REGION, endpoint=emu.url, credential=credential, audit=log)
        try:
            spec = _spec("sweep-1")
            created = client.create_vpn_connection(spec, wait=True, timeout=30)
            raw = client.describe_vpn_connections_raw([created.vpn_connection_id])
            assert raw and raw[0].get("PreShareKey") == PSK  # the API returns it in clear
            conns = [connection_from_wire(d) for d in raw]
            errors: list[BaseException] = []
            # the API rejects a duplicate name; an unknown field; a value the API echoes
            errors += _errors_of(lambda: client.create_vpn_connection(spec))
            errors += _errors_of(lambda: client.call("CreateVpnConnection", {
                **_spec("sweep-2").to_wire(), "Bogus": PSK}))
            errors += _errors_of(lambda: client.call("DescribeVpnGateways", {
                "VpnGatewayIds": [PSK]}))
            # a longer key containing the sentinel; then a spec invalid before sending
            long_key = client.create_vpn_connection(_spec("sweep-3", psk=PSK + " \u00e9" * 40))
            errors += _errors_of(lambda: client.create_vpn_connection(
                _spec("sweep-6").replace(vpn_gateway_id="gw", vpc_id=PSK)))
            # a lost answer, reconciled by lookup
            emu.faults.update(drop_after_commit=1.0, actions=["CreateVpnConnection"])
            reconciled = client.create_vpn_connection(_spec("sweep-4"))
            emu.faults.clear()
            # a transport error
            dead = VpcClient(REGION, endpoint="http://127.0.0.1:9", credential=credential,
                             audit=log, max_attempts=1, timeout=2)
            errors += _errors_of(lambda: dead.call("CreateVpnConnection",
                                                   _spec("sweep-5").to_wire()))
            dead.session.close()
            assert len(errors) == 5, [type(e).__name__ + ":" + str(e)[:80] for e in errors]
            objs = [spec, created, reconciled, long_key, client, credential, log, *conns]
            for obj in [*objs, *errors]:
                for i, text in enumerate(_texts_of(obj)):
                    artifacts[f"{type(obj).__name__}:{i}"] = text
            for name, frame in (("connections", connections_frame(raw)),
                                ("connections-objects", connections_frame(conns)),
                                ("spd", spd_frame(raw))):
                artifacts[f"{name}.to_string"] = frame.to_string()
                artifacts[f"{name}.to_html"] = frame.to_html()
                artifacts[f"{name}.to_csv"] = frame.to_csv()
                artifacts[f"{name}.repr"] = repr(frame)
        finally:
            client.session.close()
    audit_frame = log.frame()
    assert set(audit_frame["outcome"]) >= {"ok", "error", "reconciled", "transport-error"}
    artifacts["audit.frame"] = audit_frame.to_csv()
    artifacts["audit.csv"] = log.export(tmp_path / "audit.csv").read_bytes()
    for suffix in ("", "-wal", "-shm"):  # read while open: the WAL still holds the pages
        part = Path(f"{db_path}{suffix}")
        if part.exists():
            artifacts[part.name] = part.read_bytes()
    log.close()
    artifacts["audit.sqlite3 (closed)"] = db_path.read_bytes()
    artifacts["logs"] = captured_logs.getvalue()
    assert artifacts["logs"], "expected some log output to sweep"

    leaks = [(name, sentinel) for name, data in artifacts.items() for sentinel in SENTINELS
             if (sentinel.encode() if isinstance(data, bytes) else sentinel) in data]
    assert leaks == [], [(n, s, str(artifacts[n])[:300]) for n, s in leaks[:3]]


def test_rich_display_masks_the_key() -> None:
    """_repr_html_ of a spec and a described tunnel shows the mask, never the key."""
    spec = _spec("html-1")
    conn = connection_from_wire({**spec.to_wire(), "VpnConnectionId": "vpnx-00000001"})
    for html in (spec._repr_html_(), conn._repr_html_()):
        assert PSK not in html and MASK in html


def test_short_key_never_masks_ids_in_the_audit_log(tmp_path: Path) -> None:
    """A short key such as 0001 is masked by field, and ids containing 0001 stay intact."""
    from vpnkit.redact import redact

    spec = _spec("short-1", psk="0001")
    body = spec.to_wire()
    masked = redact(body)
    assert masked["PreShareKey"] == MASK
    assert masked["VpnGatewayId"] == "vpngw-demo0001" and masked["VpcId"] == "vpc-demo0001"
    with AuditLog(tmp_path / "audit.sqlite3") as log:
        token = log.begin(action="CreateVpnConnection", region=REGION, endpoint="http://e",
                          params=body)
        log.finish(token, outcome="ok", resource_id="vpnx-demo0001",
                   error_message="tunnel vpngw-demo0001 ok")
        (row,) = log.rows()
    assert "vpngw-demo0001" in row["params"] and '"PreShareKey": "***"' in row["params"]
    assert row["resource_id"] == "vpnx-demo0001"
    assert row["error_message"] == "tunnel vpngw-demo0001 ok"


@pytest.mark.parametrize("name", ["PreShareKey", "pre_share_key", "pre_shared_key",
                                  "PreSharedKey", "SecretKey", "secret_key", "TmpSecretKey",
                                  "Token", "token", "X-TC-Token", "SessionToken"])
def test_secrets_masked_by_field_name_whatever_the_value(name: str) -> None:
    """Every spelling of a secret field is masked, however short or typed its value."""
    from vpnkit.redact import redact

    for value in ("k", "0001", 12345, ["a", "b"], {"x": "y"}):
        out = redact({"outer": [{name: value, "VpcId": "vpc-demo0001"}]})
        assert out == {"outer": [{name: MASK, "VpcId": "vpc-demo0001"}]}


def test_dict_keys_are_scrubbed() -> None:
    """A mapping keyed by a secret value (e.g. rows grouped by key) does not leak it."""
    from vpnkit.redact import redact, remember

    secret = f"SENTINEL-PSK-dictkey-{RUN}"
    remember(secret)
    out = redact({secret: 1, "plain": {f"x{secret}": 2}})
    assert secret not in repr(out) and "SENTINEL-PSK" not in repr(out)


def test_a_key_pasted_into_a_cidr_field_is_masked_in_issues() -> None:
    """CIDR parse messages are scrubbed too: a key in the wrong field never shows."""
    from vpnkit import issues

    spec = _spec("paste-1").replace(security_policy_databases={"10.0.1.0/24": [PSK]},
                                    health_check_local_ip=PSK)
    text = " ".join(i.message for i in issues(spec))
    assert "Malformed" not in text and PSK not in text and "SENTINEL-PSK" not in text
    assert MASK in text
