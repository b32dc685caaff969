"""``vpnkit create`` (one tunnel from a request JSON) and ``vpnkit skeleton``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from vpnkit.cli._common import (
    add_crypto_profile,
    client_from_args,
    crypto_profile,
    read_json,
    seconds,
)

__all__ = ["register", "skeleton"]


def register(sub: Any) -> None:
    """Add ``create`` and ``skeleton`` to the subcommands."""
    p = sub.add_parser("create", help="create one tunnel from a request JSON file",
                       description="Create one tunnel from a CreateVpnConnection request "
                       "body (as `vpnkit skeleton` prints it). The file is checked before "
                       "anything is sent.")
    p.add_argument("--spec", "--cli-input-json", dest="spec", required=True, metavar="FILE",
                   help="request JSON (tccli --cli-input-json shape; file:// prefix allowed)")
    add_crypto_profile(p, "the file")
    p.add_argument("--wait", action="store_true", help="wait until the tunnel is AVAILABLE "
                   "(default: return once it is created, usually PENDING)")
    p.add_argument("--timeout", type=seconds, default=300.0, metavar="S",
                   help="--wait limit in seconds (default: %(default)s)")
    p.set_defaults(func=cmd_create)
    p = sub.add_parser("skeleton", help="print a CreateVpnConnection request skeleton",
                       description="Print every CreateVpnConnection request field with a "
                       "String/Integer/Boolean placeholder (like tccli "
                       "--generate-cli-skeleton), the IKE/IPsec/DPD fields filled from "
                       "--crypto-profile; fill it in for `vpnkit create --spec`.")
    add_crypto_profile(p, "the skeleton")
    p.set_defaults(func=cmd_skeleton)


def cmd_create(args: argparse.Namespace) -> int:
    """create --spec FILE: one tunnel from a tccli/SDK-shaped request body."""
    from vpnkit.redact import remember
    from vpnkit.validate import check, issues
    from vpnkit.wire import spec_from_wire

    body = read_json(args.spec, want_object=True)  # names the file; never echoes its content
    psk = body.get("PreShareKey")
    remember(psk if isinstance(psk, str) else None)  # masked in any message that quotes it
    spec = spec_from_wire(body, profile=crypto_profile(args))  # strong unless told
    check(spec)  # before connecting: a bad file never reaches the API
    for w in issues(spec):  # accepted but risky (weak crypto, options without effect)
        if w.severity == "warning":
            print(f"warning: {w.path}: {w.message} ({w.code})", file=sys.stderr)
    client = client_from_args(args)
    conn = client.create_vpn_connection(spec, wait=args.wait, timeout=args.timeout)
    out = {"VpnConnectionId": conn.vpn_connection_id,
           "VpnConnectionName": conn.vpn_connection_name, "VpnGatewayId": conn.vpn_gateway_id,
           "CustomerGatewayId": conn.customer_gateway_id, "VpcId": conn.vpc_id,
           "State": conn.state, "CreatedTime": conn.created_time}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def skeleton(profile: str | None = None) -> dict[str, Any]:
    """A CreateVpnConnection request skeleton like tccli's ``--generate-cli-skeleton``.

    With ``profile`` (a name in :data:`vpnkit.options.PROFILES`) the IKE/IPsec/DPD fields the
    profile sets hold its values instead of placeholders, so a filled-in skeleton is strong.
    """
    from vpnkit import options
    from vpnkit.models import VpnConnectionSpec
    from vpnkit.wire import SPEC_FIELDS

    def kind(o: options.Option) -> str:
        if o.wire_str:
            return "String"
        return {"int": "Integer", "bool": "Boolean"}.get(o.kind, "String")

    def section(name: str) -> dict[str, str]:
        out = {o.wire: kind(o) for o in options.by_section(name)}
        if name == "ipsec":  # §2.3/§8: tccli lists both spellings
            out["IntegrityAlgorithm"] = "String"
        return out

    nested: dict[str, Any] = {
        "SecurityPolicyDatabases": [{"LocalCidrBlock": "String",
                                     "RemoteCidrBlock": ["String"]}],
        "IKEOptionsSpecification": section("ike"),
        "IPSECOptionsSpecification": section("ipsec"),
        "Tags": [{"Key": "String", "Value": "String"}],
        "Route": {"DestinationCidrBlock": "String", "Priority": "Integer",
                  "Description": "String"},
        "BgpConfig": section("bgp"),
        "HealthCheckConfig": section("health_check_config"),
    }
    out: dict[str, Any] = {}
    for wire in SPEC_FIELDS:
        if wire in nested:
            out[wire] = nested[wire]
        else:
            opt = options.by_wire("spec", wire)
            out[wire] = kind(opt) if opt is not None else "String"
    if profile is not None:
        chosen = VpnConnectionSpec("vpngw-00000000", "cgw-00000000", "skeleton",
                                   "placeholder-key", profile=profile).to_wire()
        for wire in ("IKEOptionsSpecification", "IPSECOptionsSpecification"):
            out[wire].update(chosen.get(wire, {}))
        out["IPSECOptionsSpecification"].pop("IntegrityAlgorithm", None)  # one spelling
        out.update({k: v for k, v in chosen.items() if k.startswith("Dpd")})
    return out


def cmd_skeleton(args: argparse.Namespace) -> int:
    """skeleton: print the request skeleton (fill it in, then ``vpnkit create --spec``)."""
    print(json.dumps(skeleton(crypto_profile(args)), indent=4))
    return 0
