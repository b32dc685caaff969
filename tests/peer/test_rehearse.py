"""The rehearsal with real strongSwan daemons in two network namespaces (documentation ranges).

Each case is one rehearsal (about 0.3-0.5 s; the IKEv1 wrong-key case waits for phase 1
retransmissions, about 2.5 s). Skipped without root or strongSwan, except under CI=true.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from rehearse_lab import CUSTOMER_IP, GATEWAY_IP, idc_text, need_lab, one_pair, tunnel

from vpnkit.peer.rehearse import rehearse

KEY = "rehearsal-test-key-4c1d"
FQDN = {"LocalIdentity": "FQDN", "LocalFqdnName": "vpngw.example.com",
        "RemoteIdentity": "FQDN", "RemoteFqdnName": "idc.example.net"}


@pytest.fixture(autouse=True)
def _lab() -> None:
    need_lab()


def run(conn: Any, **kwargs: Any) -> Any:
    return rehearse(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, **kwargs)


@pytest.mark.parametrize("conn", [
    tunnel(),  # IKEv2, PFS group 14, 3 pairs (two sharing a VPC range), active
    one_pair(ike={"IKEVersion": "IKEV1", "ExchangeMode": "MAIN"},
             ipsec={"PfsDhGroup": "NULL"}),
    tunnel(ike={"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE", **FQDN}),
    one_pair(ike=FQDN, NegotiationType="passive", ipsec={"PfsDhGroup": "NULL"}),
    tunnel(ike={"IKEVersion": "IKEV1"}, NegotiationType="passive"),
    tunnel(ike={"PropoEncryAlgorithm": "AES256GCM128", "DhGroupName": "GROUP19"},
           ipsec={"EncryptAlgorithm": "AES128GCM128"}, NegotiationType="flowTrigger"),
], ids=["ikev2-pfs-3pairs", "ikev1-main-nopfs-1pair", "ikev1-aggressive-fqdn-3pairs",
        "ikev2-passive-fqdn-1pair", "ikev1-passive-3pairs", "ikev2-gcm-flowtrigger"])
def test_generated_configs_carry_traffic_on_every_pair(conn: Any) -> None:
    """vpnkit's IDC config against the tunnel's own side: every SPD pair UP with traffic."""
    result = run(conn)
    assert result.ok, result.table()
    assert len(result.pairs) == sum(len(r.remote_cidr_blocks)
                                    for r in conn.security_policy_databases)


def test_passive_tunnel_is_started_by_the_idc_side() -> None:
    """NegotiationType passive: the IDC side initiates (and still every pair comes up)."""
    result = run(one_pair(NegotiationType="passive"))
    assert result.initiator == "idc" and result.ok, result.table()


@pytest.mark.parametrize(("conn", "wrong", "statuses"), [
    (tunnel(), {"ipsec": {"PfsDhGroup": "NULL"}},
     {("IPSEC_PHASE2_FAILED", "NO_PROPOSAL_CHOSEN")}),
    (one_pair(ike={"IKEVersion": "IKEV1"}), {"ipsec": {"PfsDhGroup": "NULL"}},
     {("IPSEC_PHASE2_FAILED", "NO_PROPOSAL_CHOSEN")}),
    (tunnel(), {"ike": {"PropoEncryAlgorithm": "AES-CBC-256"}},
     {("IKE_PHASE1_FAILED", "NO_PROPOSAL_CHOSEN")}),
    (one_pair(ike={"IKEVersion": "IKEV1"}), {"ipsec": {"EncryptAlgorithm": "3DES-CBC"}},
     {("IPSEC_PHASE2_FAILED", "NO_PROPOSAL_CHOSEN")}),
    (one_pair(ike={"IKEVersion": "IKEV1", "ExchangeMode": "AGGRESSIVE"}),
     {"ike": {"IKEVersion": "IKEV1", "ExchangeMode": "MAIN"}},
     {("IKE_PHASE1_FAILED", "EXCHANGE_MODE_MISMATCH")}),
    (one_pair(ike=FQDN), {"ike": {**FQDN, "RemoteFqdnName": "other.example.net"}},
     {("IKE_PHASE1_FAILED", "IDENTITY_MISMATCH")}),
    (one_pair(ike={"IKEVersion": "IKEV1", **FQDN}),
     {"ike": {**FQDN, "RemoteFqdnName": "other.example.net"}},
     {("IKE_PHASE1_FAILED", "IDENTITY_MISMATCH")}),
], ids=["pfs-off-ikev2", "pfs-off-ikev1", "ike-cipher", "esp-cipher-ikev1", "main-vs-aggr",
        "fqdn-id-ikev2", "fqdn-id-ikev1"])
def test_a_deliberate_mismatch_fails_with_its_reason(conn: Any, wrong: dict[str, Any],
                                                    statuses: set[tuple[str, str]]) -> None:
    """The IDC side rendered from a slightly different tunnel fails every pair, for that reason."""
    idc = idc_text(tunnel_like(conn, **wrong), KEY)
    result = run(conn, idc_config=idc, psk=KEY)
    assert not result.ok
    assert {(p.status, p.reason) for p in result.pairs} == statuses, result.table()
    if "PfsDhGroup" in str(wrong):
        assert all("PFS" in p.detail for p in result.pairs), result.table()


def tunnel_like(conn: Any, **changes: Any) -> Any:
    """``conn`` with IKE/IPsec option changes (same SPD)."""
    spd = [{"LocalCidrBlock": r.local_cidr_block, "RemoteCidrBlock": list(r.remote_cidr_blocks)}
           for r in conn.security_policy_databases]
    ike = {"IKEVersion": conn.ike_options.version,
           "ExchangeMode": conn.ike_options.exchange_mode, **changes.pop("ike", {})}
    ipsec = {"PfsDhGroup": conn.ipsec_options.pfs_dh_group, **changes.pop("ipsec", {})}
    return tunnel(SecurityPolicyDatabaseSet=spd, ike=ike, ipsec=ipsec,
                  NegotiationType=conn.negotiation_type, **changes)


@pytest.mark.parametrize("version", ["IKEV2", "IKEV1"])
def test_wrong_key_is_a_key_mismatch(version: str) -> None:
    """The IDC side holding another pre-shared key: IKE_PHASE1_KEY_MISMATCH on every pair."""
    conn = one_pair(ike={"IKEVersion": version})
    result = run(conn, idc_config=idc_text(conn, "some-other-key-9a2b"), psk=KEY)
    assert {(p.status, p.reason) for p in result.pairs} == {
        ("IKE_PHASE1_KEY_MISMATCH", "AUTHENTICATION_FAILED")}, result.table()
    assert KEY not in result.table() and "some-other-key-9a2b" not in result.table()


def test_a_missing_pair_is_ts_unacceptable_and_the_others_stay_up() -> None:
    """IDC config without one of three pairs: that pair TS_UNACCEPTABLE, the other two UP."""
    conn = tunnel()
    two = tunnel(SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "198.18.0.0/24", "RemoteCidrBlock": ["198.19.1.0/24",
                                                                "198.19.2.0/24"]}])
    result = run(conn, idc_config=idc_text(two, KEY), psk=KEY)
    assert [(p.status, p.reason) for p in result.pairs] == [
        ("UP", ""), ("UP", ""), ("IPSEC_PHASE2_FAILED", "TS_UNACCEPTABLE")], result.table()


def test_a_missing_pair_on_a_passive_tunnel_is_never_initiated() -> None:
    """Passive tunnel, IDC config without a pair: nobody starts it (NOT_INITIATED)."""
    conn = tunnel(NegotiationType="passive")
    two = tunnel(NegotiationType="passive", SecurityPolicyDatabaseSet=[
        {"LocalCidrBlock": "198.18.0.0/24", "RemoteCidrBlock": ["198.19.1.0/24"]},
        {"LocalCidrBlock": "198.18.10.0/24", "RemoteCidrBlock": ["198.19.1.0/24"]}])
    result = run(conn, idc_config=idc_text(two, KEY), psk=KEY)
    assert [p.reason for p in result.pairs] == ["", "NOT_INITIATED", ""], result.table()


def test_nothing_is_left_behind() -> None:
    """After a rehearsal (passing or failing) no namespace of this process and no charon remain."""
    import os

    run(one_pair(), idc_config=idc_text(one_pair(), "another-key-123"), psk=KEY)
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                           check=True).stdout
    assert f"vkr-{os.getpid()}-" not in names
    tag = f"vkr-{os.getpid()}-".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            assert tag not in environ.read_bytes(), f"{environ.parent.name} is still running"
        except OSError:  # the process ended while we looked
            continue


@pytest.mark.parametrize(("idc_changes", "reasons"), [
    ({}, {""}),
    ({"ipsec": {"PfsDhGroup": "NULL"}}, {"NO_PROPOSAL_CHOSEN"}),
], ids=["same", "pfs-off"])
def test_a_libreswan_file_is_rehearsed_as_its_strongswan_form(
        idc_changes: dict[str, Any], reasons: set[str]) -> None:
    """vpnkit's Libreswan file for the tunnel: UP; with PFS off: NO_PROPOSAL_CHOSEN (noted)."""
    from vpnkit.peer import render

    conn = tunnel()
    text = render(tunnel(**idc_changes), "libreswan", gateway_ip=GATEWAY_IP,
                  customer_ip=CUSTOMER_IP).files["ipsec.conf"]
    result = run(conn, idc_config=text, psk=KEY)
    assert {p.reason for p in result.pairs} == reasons, result.table()
    assert any("Libreswan cannot carry traffic" in n for n in result.notes)


HOLD = """
import sys, time
from vpnkit.peer.netns import Lab
with Lab(["198.18.1.0/24"], ["198.19.1.0/24"]) as lab:
    print(lab.tag, lab.tencent.pid, lab.idc.pid, flush=True)
    time.sleep(30)
"""


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_stops_the_daemons_and_removes_the_namespaces(sig: str) -> None:
    """A lab interrupted mid-way still stops both charons by PID and deletes its namespaces."""
    import signal
    import sys

    proc = subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        tag, *pids = proc.stdout.readline().split()
        assert all(Path(f"/proc/{p}").exists() for p in pids)
        proc.send_signal(getattr(signal, sig))
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
    assert not any(Path(f"/proc/{p}").exists() for p in pids), pids
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                           check=True).stdout
    assert tag not in names


def test_the_daemons_logs_never_hold_the_key_and_the_work_dir_goes() -> None:
    """Both charons' logs and swanctl's answer hold no key; the lab's files are removed."""
    from vpnkit.peer.netns import Lab
    from vpnkit.peer.rehearse import prepare

    sentinel = "SENTINEL-rehearse-log-5e7a"
    conn = one_pair()
    setup = prepare(conn, gateway_ip=GATEWAY_IP, customer_ip=CUSTOMER_IP, psk=sentinel)
    with Lab(["198.18.0.0/24"], ["198.19.1.0/24"], tencent_ip=GATEWAY_IP,
             idc_ip=CUSTOMER_IP) as lab:
        loaded = lab.tencent.load(setup.tencent_conf) + lab.idc.load(setup.idc_conf)
        code, out = lab.tencent.swanctl("--initiate", "--child",
                                        f"{conn.vpn_connection_id}-1", "--timeout", "5")
        assert code == 0, out
        logs = lab.tencent.log() + lab.idc.log()
        work = lab.workdir
        assert work is not None and oct(work.stat().st_mode)[-3:] == "700"
    assert sentinel not in logs + out + loaded and "loaded ike secret" in loaded.lower()
    assert not work.exists()


def test_after_kill_9_the_next_lab_sweeps_what_was_left() -> None:
    """kill -9 of a rehearsal leaves charons and namespaces; sweep_stale() removes them all."""
    import signal
    import sys

    from vpnkit.peer.netns import sweep_stale

    proc = subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        tag, *pids = proc.stdout.readline().split()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.stdout is not None:
            proc.stdout.close()
    assert all(Path(f"/proc/{p}").exists() for p in pids)  # orphans: what kill -9 leaves
    removed = sweep_stale()
    assert f"{tag}-t" in removed and f"{tag}-i" in removed
    for pid in pids:  # SIGKILLed by PID; gone once reaped by init (bounded wait)
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"charon {pid} survived the sweep")
    assert not list(Path(tempfile.gettempdir()).glob(f"{tag}-*"))


def alive(pid: str) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent counts as gone)."""
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return False


def test_a_file_that_does_not_load_is_a_config_error_with_swanctls_words() -> None:
    """An IDC swanctl.conf with an unknown cipher: CONFIG_ERROR naming the bad setting."""
    bad = ("connections {\n  x {\n    version = 2\n    children {\n      c {\n"
           "        esp_proposals = bogus-cipher\n      }\n    }\n  }\n}\n")
    result = run(one_pair(), idc_config=bad, psk=KEY)
    (pair,) = result.pairs
    assert (pair.status, pair.reason) == ("CONFIG_ERROR", "CONFIG_NOT_LOADED")
    assert "esp_proposals" in pair.detail and "/tmp" not in pair.detail, pair.detail


def test_a_wider_idc_selector_on_a_passive_tunnel_leaves_pairs_without_an_sa() -> None:
    """IDC child 198.19.0.0/16 === 198.18.0.0/16 starting a passive 3-pair tunnel: TS_NARROWED."""
    conn = tunnel(NegotiationType="passive")
    wide = idc_text(one_pair(NegotiationType="passive"), KEY).replace(
        "local_ts = 198.19.1.0/24", "local_ts = 198.19.0.0/16").replace(
        "remote_ts = 198.18.0.0/24", "remote_ts = 198.18.0.0/16")
    result = run(conn, idc_config=wide, psk=KEY)
    assert [p.reason for p in result.pairs].count("TS_NARROWED") == 2, result.table()
    assert sum(p.up for p in result.pairs) == 1, result.table()
