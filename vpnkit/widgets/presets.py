"""Named IKE/IPsec profiles the form's "profile" dropdown applies (the one table of presets).

Each preset maps an options section (``ike``/``ipsec``) to ``{option name: value}``; every
value must be one the options table allows (a test checks this). Algorithm and lifetime
options a preset leaves out are reset to the API default, so applying a preset always gives
the same crypto settings; identity settings (which describe the peers) are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CUSTOM", "PRESETS"]

#: Label of the "no preset" entry: the panels keep whatever the analyst set.
CUSTOM = "(custom)"

PRESETS: Mapping[str, Mapping[str, Mapping[str, str | int]]] = {
    "API defaults": {"ike": {}, "ipsec": {}},
    "modern: IKEv2 AES-CBC-256/SHA-256/GROUP14, IPsec AES-CBC-256/SHA-256/DH-GROUP14": {
        "ike": {"version": "IKEV2", "encryption_algorithm": "AES-CBC-256",
                "authentication_algorithm": "SHA-256", "dh_group": "GROUP14"},
        "ipsec": {"encryption_algorithm": "AES-CBC-256", "integrity_algorithm": "SHA-256",
                  "pfs_dh_group": "DH-GROUP14"},
    },
    "modern GCM (4.0 gateway): IKEv2 AES256GCM128/SHA-256/GROUP20": {
        "ike": {"version": "IKEV2", "encryption_algorithm": "AES256GCM128",
                "authentication_algorithm": "SHA-256", "dh_group": "GROUP20"},
        "ipsec": {"encryption_algorithm": "AES256GCM128", "integrity_algorithm": "SHA-256",
                  "pfs_dh_group": "DH-GROUP20"},
    },
    "typical on-prem peer: IKEv1 MAIN AES-CBC-128/SHA/GROUP2, IPsec AES-CBC-128/SHA1": {
        "ike": {"version": "IKEV1", "exchange_mode": "MAIN",
                "encryption_algorithm": "AES-CBC-128", "authentication_algorithm": "SHA",
                "dh_group": "GROUP2", "sa_lifetime_seconds": 28800},
        "ipsec": {"encryption_algorithm": "AES-CBC-128", "integrity_algorithm": "SHA1",
                  "pfs_dh_group": "DH-GROUP2", "sa_lifetime_seconds": 3600},
    },
}
