"""Words for people: field labels with units, route types explained, issue paths numbered from 1.

Pure functions and tables. Machine paths (``security_policy_databases[1].remote_cidr_blocks[0]``)
stay in ``form.issues``; what the form shows is ``SPD rule 2, IDC range 1``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vpnkit import options

__all__ = ["ROUTE_TYPES", "choice_labels", "human_path", "label"]

#: Labels that need a unit or a plainer word than the option's name gives.
_LABELS: dict[tuple[str, str], str] = {
    ("spec", "route_type"): "Route type",
    ("spec", "negotiation_type"): "Who starts IKE",
    ("spec", "dpd_enable"): "Dead peer detection (DPD)",
    ("spec", "dpd_timeout"): "DPD timeout (s)",
    ("spec", "dpd_action"): "On DPD timeout",
    ("spec", "enable_health_check"): "Health check (NQA)",
    ("spec", "health_check_local_ip"): "Cloud-side probe IP",
    ("spec", "health_check_remote_ip"): "IDC-side probe IP",
    ("ike", "version"): "IKE version",
    ("ike", "encryption_algorithm"): "Encryption",
    ("ike", "authentication_algorithm"): "Integrity (hash)",
    ("ike", "exchange_mode"): "Exchange mode (IKEv1)",
    ("ike", "dh_group"): "DH group",
    ("ike", "sa_lifetime_seconds"): "SA lifetime (s)",
    ("ike", "local_identity"): "Cloud-side identity",
    ("ike", "remote_identity"): "IDC-side identity",
    ("ike", "local_address"): "Cloud-side address",
    ("ike", "remote_address"): "IDC-side address",
    ("ike", "local_fqdn_name"): "Cloud-side FQDN",
    ("ike", "remote_fqdn_name"): "IDC-side FQDN",
    ("ipsec", "encryption_algorithm"): "Encryption",
    ("ipsec", "integrity_algorithm"): "Integrity (hash)",
    ("ipsec", "pfs_dh_group"): "PFS DH group",
    ("ipsec", "sa_lifetime_seconds"): "SA lifetime (s)",
    ("ipsec", "sa_lifetime_traffic"): "SA lifetime traffic (KB)",
    ("bgp", "tunnel_cidr"): "BGP tunnel CIDR (/30)",
    ("bgp", "local_bgp_ip"): "Cloud-side BGP IP",
    ("bgp", "remote_bgp_ip"): "IDC-side BGP IP",
    ("health_check_config", "probe_interval"): "Probe interval (ms)",
    ("health_check_config", "probe_timeout"): "Probe timeout (ms)",
    ("health_check_config", "probe_threshold"): "Failed probes before down",
}

#: Route types in plain words (ref §1.1 #13: STATIC is the API's default value).
ROUTE_TYPES: dict[str | int, str] = {
    "Policy": "policy-based (SPD)",
    "StaticRoute": "route-based (static routes)",
    "Bgp": "BGP (dynamic routes)",
    "STATIC": "STATIC (API default; SPD rules)",
}
_CHOICES: dict[tuple[str, str], dict[str | int, str]] = {
    ("spec", "route_type"): dict(ROUTE_TYPES),
    ("spec", "negotiation_type"): {"active": "active (the cloud side starts)",
                                   "passive": "passive (the IDC side starts)",
                                   "flowTrigger": "on traffic (flowTrigger)"},
    ("spec", "dpd_action"): {"clear": "clear (disconnect)", "restart": "restart (renegotiate)"},
}
_SECTION = {"ike_options": ("ike", "IKE"), "ipsec_options": ("ipsec", "IPsec"),
            "bgp_config": ("bgp", "BGP"), "health_check_config": ("health_check_config",
                                                                  "Health check")}
_TOP = {"vpn_connection_name": "Tunnel name", "pre_share_key": "Pre-shared key",
        "vpn_gateway_id": "VPN gateway", "customer_gateway_id": "Customer gateway",
        "vpc_id": "VPC", "vpc_cidr": "VPC CIDR", "tags": "Tags",
        "security_policy_databases": "SPD rules"}
_SPD = re.compile(r"security_policy_databases\[(\d+)\](?:\.(local_cidr_block|"
                  r"remote_cidr_blocks)(?:\[(\d+)\])?)?")
_INDEXED = re.compile(r"(\w+)\[(\d+)\](?:\.(\w+))?\Z")


def label(opt: options.Option) -> str:
    """The label a person reads for one option (with its unit)."""
    return _LABELS.get((opt.section, opt.name), opt.label)


def choice_labels(opt: options.Option) -> list[tuple[str, str | int]]:
    """``(label, value)`` pairs for a dropdown; values without a plain word show as is."""
    words = _CHOICES.get((opt.section, opt.name), {})
    return [(words.get(c, str(c)), c) for c in opt.choices]


def spd_part(path: str) -> str:
    """The within-rule part of an SPD path: ``VPC side`` or ``IDC range 1`` (or ``""``)."""
    m = _SPD.match(path)
    if not m or not m.group(2):
        return ""
    if m.group(2) == "local_cidr_block":
        return "VPC side"
    return f"IDC range {int(m.group(3)) + 1}" if m.group(3) is not None else "IDC side"


def human_path(path: str, rule_rows: Sequence[int] = ()) -> str:
    """``security_policy_databases[1].remote_cidr_blocks[0]`` -> ``SPD rule 2, IDC range 1``.

    ``rule_rows`` maps a rule index to the editor row it came from (blank rows are skipped),
    so the number is the one the analyst sees beside the row.
    """
    m = _SPD.match(path)
    if m:
        i = int(m.group(1))
        row = rule_rows[i] if i < len(rule_rows) else i
        part = spd_part(path)
        return f"SPD rule {row + 1}" + (f", {part}" if part else "")
    head, _, rest = path.partition(".")
    if head in _SECTION and rest:
        section, title = _SECTION[head]
        try:
            return f"{title}: {label(options.get(section, rest))}"
        except KeyError:
            return f"{title}: {rest.replace('_', ' ')}"
    m = _INDEXED.match(path)
    if m and m.group(1) == "tags":
        return f"Tag {int(m.group(2)) + 1}" + (f" {m.group(3)}" if m.group(3) else "")
    if path in _TOP:
        return _TOP[path]
    try:
        return label(options.get("spec", path))
    except KeyError:
        return path.replace("_", " ") if path else "Request"
