"""Headless tests of the widget form against a real emulator (no browser)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import ipywidgets as W
import pandas as pd
import pytest
from form_helpers import PSK, fill, synced_state

from vpnkit import VpcClient, options
from vpnkit.emulator import Emulator, serve
from vpnkit.models import IkeOptions, VpnConnectionSpec
from vpnkit.widgets import VpnForm, form
from vpnkit.widgets.fields import BAD_CLASS, OptionPanel
from vpnkit.widgets.presets import CUSTOM, profiles
from vpnkit.widgets.spd import parse_spd_text


def paths(f: VpnForm) -> dict[str, str]:
    return {i.path: i.message for i in f.issues}


def test_targets_list_names_ids_cidrs_and_filter_gateways(vform: VpnForm) -> None:
    """Pickers show name, id and CIDR/IP, and gateways are filtered to the chosen VPC."""
    t = vform.targets
    labels = [label for label, _ in t.vpc_w.options]
    assert any("vpc-demo0001" in x and "10.0.0.0/16" in x for x in labels)
    assert [v for _, v in t.gw_w.options if v] == ["vpngw-demo0001"]
    assert any("198.51.100.10" in label for label, _ in t.cgw_w.options)
    t.vpc_w.value = "vpc-demo0002"
    assert [v for _, v in t.gw_w.options if v] == ["vpngw-demo0002"]
    assert t.vpc_cidr == "172.16.0.0/16"
    t.gw_w.value = "vpngw-demo0002"
    assert t.gateway_version == "4.0"


def test_region_switch_lists_that_regions_targets(vform: VpnForm) -> None:
    """Choosing another region re-lists its VPCs through a client for that region."""
    t = vform.targets
    t.region_w.value = "ap-shanghai"
    assert [v for _, v in t.vpc_w.options if v] == ["vpc-demo0101"]
    assert t.client.region == "ap-shanghai"


def test_empty_account_says_so_and_typed_ids_still_work() -> None:
    """An account with nothing says so clearly; typed ids still reach the spec."""
    with serve(seed="empty") as emu:
        client = VpcClient("ap-guangzhou", endpoint=emu.url, credential=emu.credential)
        f = form(client)
        assert "no VPCs, VPN gateways, customer gateways" in f.targets.message.value
        f.targets.gw_other.value = "vpngw-abcd1234"
        f.targets.cgw_other.value = "cgw-abcd1234"
        assert (f.spec.vpn_gateway_id, f.spec.customer_gateway_id) == (
            "vpngw-abcd1234", "cgw-abcd1234")


def test_host_bits_cidr_is_marked_with_a_suggestion(vform: VpnForm) -> None:
    """A CIDR with host bits set marks its cell and suggests the network address beside it."""
    fill(vform)
    vform.spd.set_cell(1, local="10.0.2.1/24")
    assert "did you mean 10.0.2.0/24" in paths(vform)[
        "security_policy_databases[1].local_cidr_block"]
    row = vform.spd.row_widget(1)
    assert BAD_CLASS in row.local._dom_classes and BAD_CLASS not in row.remote._dom_classes
    assert "did you mean 10.0.2.0/24" in row.msg.value and "VPC side" in row.msg.value
    assert "SPD rule 2, VPC side" in vform.checks.value  # numbered from 1 for people
    vform.spd.set_cell(1, local="10.0.2.0/24")
    assert not vform.issues and "Ready to submit" in vform.checks.value
    assert BAD_CLASS not in row.local._dom_classes and row.msg.value == ""


def test_remote_overlapping_the_vpc_is_flagged(vform: VpnForm) -> None:
    """An IDC-side CIDR inside the VPC's CIDR (shown above the SPD) is an error on that cell."""
    fill(vform)
    assert "10.0.0.0/16" in vform.spd.vpc_label.value
    vform.spd.set_cell(0, remote="192.168.0.0/24, 10.0.200.0/24")
    found = [i for i in vform.issues
             if i.path == "security_policy_databases[0].remote_cidr_blocks[1]"]
    assert found and found[0].code == "InvalidParameterValue.VpcCidrConflict"
    assert BAD_CLASS in vform.spd.row_widget(0).remote._dom_classes
    assert "IDC range 2:" in vform.spd.row_widget(0).msg.value
    assert "SPD rule 1, IDC range 2" in vform.issues_html.value


def test_long_name_counts_and_blocks_submit(vform: VpnForm) -> None:
    """A 61-character name shows 61/60 and a TooLong message under it; Submit sends nothing."""
    fill(vform, name="x" * 61)
    assert "61/60" in vform.basics.counter.value
    assert paths(vform)["vpn_connection_name"].startswith("is 61 characters")
    assert BAD_CLASS in vform.basics.name._dom_classes
    assert "is 61 characters" in vform.basics.slots["vpn_connection_name"].msg.value
    assert vform.submit() is None and vform.result is None
    assert "fix the 1 error first" in vform.output.value


def test_the_refusal_line_follows_the_errors_as_they_are_fixed(vform: VpnForm) -> None:
    """After a refused Submit the "fix the N errors" line counts the errors left, then goes."""
    fill(vform, name="x" * 61)
    vform.load_spd("10.0.1.1/24 -> 192.168.0.0/24")
    assert vform.submit() is None
    assert "fix the 2 errors first" in vform.output.value
    vform.basics.name.value = "fixed-name"
    assert "fix the 1 error first" in vform.output.value
    vform.load_spd("10.0.1.0/24 -> 192.168.0.0/24")
    assert "Not sent" not in vform.output.value


def test_warnings_do_not_block_submit(vform: VpnForm) -> None:
    """Warnings (weak crypto of the legacy profile) are listed but Submit still sends."""
    fill(vform)
    vform.security.profile.value = "api-defaults"
    if not any(i.severity == "warning" for i in vform.issues):
        pytest.skip("validation gives no weak-crypto warnings yet (issue 13 §1)")
    assert not vform.has_errors
    assert "warning" in vform.checks.value and "Ready to submit" in vform.checks.value
    assert vform.submit() is not None


def test_gcm_needs_a_4_0_gateway(vform: VpnForm) -> None:
    """The gateway version reaches validation: GCM on a 2.0 gateway is an error."""
    fill(vform)
    vform.crypto.ike.fields["encryption_algorithm"].value = "AES256GCM128"
    assert paths(vform)["ike_options.encryption_algorithm"].startswith("AES256GCM128 needs")


def test_submit_creates_the_tunnel_and_records_it(vform: VpnForm, client: VpcClient) -> None:
    """Submit creates the tunnel, waits for AVAILABLE and appends a row to form.results."""
    fill(vform)
    conn = vform.submit()
    assert conn is not None and conn.state == "AVAILABLE" and vform.result == conn
    found = client.find_vpn_connection("vpngw-demo0001", "gz-to-hq")
    assert found is not None and found.vpn_connection_id == conn.vpn_connection_id
    assert [r.remote_cidr_blocks for r in found.security_policy_databases] == [
        ("192.168.0.0/24", "192.168.1.0/24"), ("192.168.2.0/24",)]
    assert list(vform.results["vpn_connection_id"]) == [conn.vpn_connection_id]
    shown = vform.output.value + vform.results_html.value
    assert shown.count(conn.vpn_connection_id) == 1  # one row, shown once
    assert " UTC" in shown and "+08:00" not in shown  # one time zone, as the audit log
    assert shown.count("<table") == 1 and "ike_sa_lifetime_traffic" not in shown
    vform.full_toggle.value = True  # the full frame on demand, in its own scroll box
    assert "ipsec_sa_lifetime_traffic" in vform.results_html.value
    assert "+08:00" not in vform.results_html.value
    assert "overflow-x:auto" in vform.results_html.value
    vform.basics.name.value = "gz-to-hq-2"
    vform.load_spd("10.0.3.0/24 -> 192.168.3.0/24")  # SPDs on one gateway must not conflict
    second = vform.submit()
    assert second is not None and len(vform.results) == 2


def test_double_submit_creates_one_tunnel(vform: VpnForm, client: VpcClient) -> None:
    """Two clicks, a repeat submit() and concurrent submits create exactly one tunnel."""
    fill(vform)
    threads = [threading.Thread(target=vform.submit) for _ in range(3)]
    for t in threads:
        t.start()
    vform.submit_button.click()
    for t in threads:
        t.join()
    vform.submit_button.click()
    assert vform.submit() is None and "already created" in vform.output.value
    assert len(client.describe_vpn_connections(filters={"vpn-gateway-id": "vpngw-demo0001"})) \
        == 1


def test_api_error_shows_code_and_request_id(vform: VpnForm, emu: Emulator) -> None:
    """An API refusal shows code, message and RequestId; values are kept for a retry."""
    fill(vform, name="refused")
    emu.faults.update(internal_error=1.0, actions="CreateVpnConnection")
    assert vform.submit() is None
    out = vform.output.value
    assert "InternalError" in out and "RequestId" in out and "refused" in vform.progress.value
    assert "Traceback" not in out and PSK not in out
    assert vform.basics.name.value == "refused" and vform.basics.key.value == PSK
    assert not vform.submit_button.disabled  # a retry stays possible
    emu.faults.update(internal_error=0.0)
    assert vform.submit() is not None


def test_load_clones_an_existing_tunnel(vform: VpnForm, client: VpcClient) -> None:
    """load(VpnConnection) fills every field; the clone differs only by its name."""
    fill(vform, name="orig")
    vform.crypto.profile.value = next(iter(profiles()))
    vform.extras.dpd_enable.value = True
    vform.extras.dpd_action.value = "restart"
    vform.basics.tags.value = "env=prod"
    original = vform.submit()
    assert original is not None
    other = form(client)
    other.load(client.describe_vpn_connections([original.vpn_connection_id])[0])
    spec = other.spec
    assert spec.vpn_connection_name == "orig-copy" and other.basics.key.value == PSK
    assert "kept from tunnel" in other.basics.key.state.value
    assert PSK not in synced_state(other)  # load() kept the key out of every widget
    assert spec.ike_options is not None and spec.ike_options.version == "IKEV2"
    assert (spec.dpd_enable, spec.dpd_action) == (1, "restart")
    assert spec.security_policy_databases == original.security_policy_databases
    assert [(t.key, t.value) for t in spec.tags] == [("env", "prod")]
    other.load_spd("10.0.3.0/24 -> 192.168.3.0/24")  # SPDs on one gateway must not conflict
    clone = other.submit()
    assert clone is not None and clone.vpn_connection_id != original.vpn_connection_id


def test_load_spec_round_trips(vform: VpnForm) -> None:
    """load(spec) then form.spec gives back the same spec."""
    spec = VpnConnectionSpec(
        "vpngw-demo0001", "cgw-demo0002", "rt", "key-12345", vpc_id="vpc-demo0001",
        security_policy_databases={"10.0.3.0/24": ["172.31.0.0/24"]},
        ike_options=IkeOptions(**{**options.defaults("ike"), "local_identity": "FQDN",
                                  "local_fqdn_name": "gz.example", "remote_address":
                                  "198.51.100.20"}),
        ipsec_options=vform.crypto.ipsec_options(), route_type="STATIC",
        negotiation_type="passive", tags={"a": "1"}, dpd_enable=0)
    vform.load(spec)
    assert vform.spec == spec
    assert not vform.has_errors  # API-default crypto may warn (weak), never an error


def test_preview_and_outputs_never_show_the_key(vform: VpnForm) -> None:
    """The preview, tccli text, reprs, results, outputs and widget state never hold the PSK."""
    fill(vform)
    assert '"PreShareKey": "***"' in vform.preview_text
    assert "POST " + vform.targets.client.endpoint in vform.preview_text
    tccli = vform.tccli_text
    assert "tccli vpc CreateVpnConnection --region ap-guangzhou --cli-input-json " \
        "file://request.json" in tccli
    vform.submit()
    vform.submit()  # refused: output again
    shown = [vform.preview_text, tccli, repr(vform.spec), vform.output.value,
             vform.results_html.value, vform.results.to_string(), vform.issues_html.value,
             vform.status.value, repr(vform.result), synced_state(vform)]
    assert all(PSK not in s for s in shown)


def test_generate_key_is_held_on_the_python_side(vform: VpnForm) -> None:
    """Generate makes a new 32-character key each time; no widget ever holds it."""
    vform.basics.key.generate.click()
    first = vform.basics.key.value
    assert "key set (generated)" in vform.basics.key.state.value
    vform.basics.key.generate.click()
    assert len(first) == 32 and vform.basics.key.value not in (first, "")
    state = synced_state(vform)
    assert first not in state and vform.basics.key.value not in state
    assert vform.spec.pre_share_key == vform.basics.key.value


def test_typed_key_is_moved_out_of_the_widget(vform: VpnForm) -> None:
    """A typed key is read once and cleared from the Password model at once."""
    vform.basics.key.entry.value = PSK
    assert vform.basics.key.entry.value == "" and vform.basics.key.value == PSK
    assert "key set (entered)" in vform.basics.key.state.value
    assert PSK not in synced_state(vform) and vform.spec.pre_share_key == PSK


def test_save_key_replaces_a_readable_file_or_a_symlink(tmp_path: Path) -> None:
    """A readable old .psk or a symlink at the path is replaced by a new 0600 file."""
    import stat

    from vpnkit.widgets.keys import save_key

    folder = tmp_path / "keys"
    folder.mkdir()
    old = folder / "t.psk"
    old.write_text("old\n")
    old.chmod(0o644)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not a key\n")
    (folder / "u.psk").symlink_to(elsewhere)
    for name in ("t", "u"):
        path = save_key("k3y-value-123", name, folder)
        assert path.read_text() == "k3y-value-123\n" and not path.is_symlink()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert elsewhere.read_text() == "not a key\n"
    assert sorted(p.name for p in folder.iterdir()) == ["t.psk", "u.psk"]


def test_save_key_to_a_private_file(vform: VpnForm, tmp_path: pytest.TempPathFactory) -> None:
    """Save key writes 0600 in a 0700 folder and shows only the path."""
    import stat

    vform.basics.key.key_dir = tmp_path / "keys"  # type: ignore[operator]
    vform.basics.name.value = "gz/hq 1"
    vform.basics.key.generate.click()
    path = vform.basics.key.save_to_file()
    assert path is not None and path.name == "gz_hq_1.psk"
    assert path.read_text().strip() == vform.basics.key.reveal()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert str(path) in vform.basics.key.saved.value
    assert vform.basics.key.value not in synced_state(vform)


def test_profiles_apply_and_follow_edits(vform: VpnForm) -> None:
    """The strong profile is the default; each profile sets allowed values; edits -> custom."""
    sec = vform.security
    assert sec.profile.value == next(iter(profiles())) and vform.spec.ike_options is not None
    assert vform.spec.ike_options.version == "IKEV2" and vform.spec.dpd_enable == 1
    for name, profile in profiles().items():
        sec.profile.value = name
        for section, panel in (("ike", sec.ike), ("ipsec", sec.ipsec)):
            for opt_name, value in sec.expected(name)[section].items():
                opt = options.get(section, opt_name)
                assert not opt.choices or value in opt.choices
                assert panel.fields[opt_name].value == value
        assert sec.matching() == name, profile
    legacy = "api-defaults"
    sec.profile.value = legacy
    assert vform.spec.ike_options is not None and vform.spec.ike_options.dh_group == "GROUP1"
    fill(vform)
    sec.ike.fields["dh_group"].value = "GROUP14"
    assert sec.profile.value == CUSTOM
    assert vform.spec.ike_options.dh_group == "GROUP14" if vform.spec.ike_options else False
    assert vform.issues == [] or not vform.has_errors  # the identity survived the profile
    assert sec.advanced.selected_index is None  # individual options stay collapsed


def test_option_widgets_come_from_the_options_table() -> None:
    """Every IKE/IPsec/health-check option has its allowed values or range, default, tooltip."""
    for section in ("ike", "ipsec", "health_check_config", "bgp"):
        panel = OptionPanel(section, lambda: None)
        assert set(panel.fields) == {o.name for o in options.by_section(section)}
        for name, widget in panel.fields.items():
            opt = panel.opts[name]
            assert widget.tooltip == opt.help
            if opt.choices:
                assert tuple(v for _, v in widget.options) == opt.choices
                assert widget.value == opt.default
            elif isinstance(widget, W.BoundedIntText):
                assert (widget.min, widget.max, widget.value) == (
                    opt.minimum, opt.maximum, opt.default)


def test_identity_fields_follow_identity_type(vform: VpnForm) -> None:
    """Address fields show for ADDRESS identities and FQDN fields for FQDN ones."""
    ike = vform.crypto.ike
    assert ike.visible("remote_address") and not ike.visible("remote_fqdn_name")
    ike.fields["remote_identity"].value = "FQDN"
    assert not ike.visible("remote_address") and ike.visible("remote_fqdn_name")
    assert "ike_options.remote_fqdn_name" in paths(vform)
    ike.fields["version"].value = "IKEV1"
    assert ike.visible("exchange_mode")  # an IKEv1-only option
    ike.fields["exchange_mode"].value = "AGGRESSIVE"
    ike.fields["version"].value = "IKEV2"
    assert not ike.visible("exchange_mode")  # hidden, and its value is not sent for IKEv2
    assert vform.spec.ike_options is not None
    assert vform.spec.ike_options.exchange_mode != "AGGRESSIVE"
    assert vform.spec.ike_options is not None and vform.spec.ike_options.remote_address is None


def test_dpd_health_check_and_bgp_appear_only_when_enabled(vform: VpnForm) -> None:
    """DPD, health-check and BGP settings are hidden and not sent until switched on."""
    x, t = vform.security, vform.tunnel
    x.dpd_enable.value = False
    assert [b.layout.display for b in (x.dpd_box, x.hc_box, t.bgp_box)] == ["none"] * 3
    assert vform.spec.dpd_timeout is None and vform.spec.bgp_config is None
    x.dpd_enable.value = True
    x.hc_enable.value = True
    vform.basics.route_type.value = "Bgp"
    assert [b.layout.display for b in (x.dpd_box, x.hc_box, t.bgp_box)] == [None] * 3
    spec = vform.spec
    assert (spec.dpd_enable, spec.dpd_timeout, spec.enable_health_check) == (1, 30, True)
    assert spec.health_check_config is not None and spec.bgp_config is not None
    t.bgp.fields["tunnel_cidr"].value = "169.254.10.0/29"
    assert "bgp_config.tunnel_cidr" in paths(vform)


def test_spd_rows_add_duplicate_remove_and_table(vform: VpnForm) -> None:
    """Rows can be added, duplicated (flagged as duplicate local), removed and tabulated."""
    fill(vform)
    spd = vform.spd
    spd.row_widget(0).dup.click()
    assert spd.pairs()[1] == spd.pairs()[0]
    assert paths(vform)["security_policy_databases[1].local_cidr_block"].startswith(
        "10.0.1.0/24 is already the local side")
    spd.row_widget(1).remove.click()
    spd.add_row("10.0.9.0/24", "192.168.9.0/24")
    assert len(spd.pairs()) == 3 and vform.issues == []
    spd.table_toggle.value = True
    assert spd.table.value.count("<tr>") == 4  # one per (local, remote) pair
    assert list(spd.frame().columns) == ["local_cidr_block", "remote_cidr_block"]


def test_spd_paste_text_dataframe_and_csv(vform: VpnForm, tmp_path: pytest.TempPathFactory
                                          ) -> None:
    """Pasted lines, a DataFrame and a CSV of pairs all load (pairs sharing a local merge)."""
    assert parse_spd_text("10.0.1.0/24 -> 192.168.0.0/24, 192.168.1.0/24\n# note\n"
                          "10.0.2.0/24=192.168.2.0/24;192.168.3.0/24") == [
        ("10.0.1.0/24", "192.168.0.0/24, 192.168.1.0/24"),
        ("10.0.2.0/24", "192.168.2.0/24, 192.168.3.0/24")]
    with pytest.raises(ValueError, match="line 1"):
        parse_spd_text("10.0.1.0/24 ->")
    vform.spd.paste.value = "10.0.5.0/24 -> 192.168.5.0/24"
    vform.spd.apply_paste()
    assert vform.spd.pairs() == [("10.0.5.0/24", "192.168.5.0/24")]
    df = pd.DataFrame({"local_cidr_block": ["10.0.1.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                       "remote_cidr_block": ["192.168.0.0/24", "192.168.1.0/24",
                                             "192.168.2.0/24"]})
    vform.load_spd(df)
    assert vform.spd.pairs() == [("10.0.1.0/24", "192.168.0.0/24, 192.168.1.0/24"),
                                 ("10.0.2.0/24", "192.168.2.0/24")]
    path = tmp_path / "spd.csv"  # type: ignore[operator]
    df.to_csv(path, index=False)
    vform.load_spd(str(path), append=True)
    assert len(vform.spd.pairs()) == 4


def test_many_spd_rows_are_paged(vform: VpnForm) -> None:
    """300 rows load into a paged editor; a problem far down is named in the pager."""
    text = "\n".join(f"10.0.{i // 4}.{i % 4 * 64}/26 -> 192.168.{i // 4}.{i % 4 * 64}/26"
                     for i in range(300))
    fill(vform)
    vform.load_spd(text)
    assert len(vform.spec.security_policy_databases) == 300 and vform.issues == []
    vform.spd.set_cell(250, remote="10.0.0.0/8")
    assert "251" in vform.spd.pager.value  # rows count from 1 on screen
    assert BAD_CLASS in vform.spd.row_widget(250).remote._dom_classes


def test_form_without_client_cannot_submit() -> None:
    """With no client the form still builds specs and validates, but does not send."""
    f = form(spec=VpnConnectionSpec("vpngw-demo0001", "cgw-demo0001", "n", "key-12345",
                                    ike_options=IkeOptions(remote_address="198.51.100.10")))
    assert f.spec.vpn_gateway_id == "vpngw-demo0001" and not f.has_errors
    assert f.submit() is None and "no client" in f.output.value


def test_typed_key_is_not_echoed_to_other_front_ends(vform: VpnForm) -> None:
    """A synced key is answered with the cleared value only, never echoed to other views."""
    entry = vform.basics.key.entry
    sent: list[Any] = []
    original = entry._send
    entry._send = lambda msg, buffers=None: (sent.append(msg), original(msg, buffers))
    entry.set_state({"value": PSK})  # what the kernel does when the browser syncs the field
    assert vform.basics.key.value == PSK and entry.value == ""
    assert sent and PSK not in repr(sent)
    assert any(m.get("state", {}).get("value") == "" for m in sent)
