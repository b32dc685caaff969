"""Named security profiles for the form's profile picker.

The profiles come from :mod:`vpnkit.options` (``options.PROFILES``) when it defines them, so the
form, the CLI and batch share one table; until then the table below is used. A profile maps a
section (``ike``, ``ipsec``, and ``spec`` for DPD) to ``{option name: value}``; every value must
be one the options table allows (a test checks this). Algorithm and lifetime options a profile
leaves out go back to the API default, so applying a profile always gives the same settings;
identity settings (which describe the peers) are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vpnkit import options

__all__ = ["CUSTOM", "PRESETS", "default_profile", "profile_choices", "profiles"]

#: Label of the "no profile" entry: the advanced fields keep whatever the analyst set.
CUSTOM = "(custom)"

Profile = Mapping[str, Mapping[str, Any]]

#: Used while ``options.PROFILES`` does not exist (issue 13 §1 names the strong profile).
PRESETS: Mapping[str, Profile] = {
    "strong": {
        "ike": {"version": "IKEV2", "encryption_algorithm": "AES-CBC-256",
                "authentication_algorithm": "SHA-256", "dh_group": "GROUP14",
                "sa_lifetime_seconds": 86400},
        "ipsec": {"encryption_algorithm": "AES-CBC-256", "integrity_algorithm": "SHA-256",
                  "pfs_dh_group": "DH-GROUP14", "sa_lifetime_seconds": 3600},
        "spec": {"dpd_enable": 1, "dpd_timeout": 30, "dpd_action": "restart"},
    },
    "strong-gcm": {
        "ike": {"version": "IKEV2", "encryption_algorithm": "AES256GCM128",
                "authentication_algorithm": "SHA-256", "dh_group": "GROUP20",
                "sa_lifetime_seconds": 86400},
        "ipsec": {"encryption_algorithm": "AES256GCM128", "integrity_algorithm": "SHA-256",
                  "pfs_dh_group": "DH-GROUP20", "sa_lifetime_seconds": 3600},
        "spec": {"dpd_enable": 1, "dpd_timeout": 30, "dpd_action": "restart"},
    },
    "api-defaults": {"ike": {}, "ipsec": {}, "spec": {"dpd_enable": 0}},
}


def _normalise(entry: Any) -> Profile:
    """A profile from ``options.PROFILES``: a mapping of sections, or an object with them."""
    if isinstance(entry, Mapping):
        return {k: dict(v) for k, v in entry.items() if isinstance(v, Mapping)}
    out: dict[str, Mapping[str, Any]] = {}
    for section in ("ike", "ipsec", "spec"):
        part = getattr(entry, section, None)
        if isinstance(part, Mapping):
            out[section] = dict(part)
    return out


#: What the picker shows for a profile name (other names show as they are).
LABELS = {"strong": "strong (recommended)", "strong-gcm": "strong GCM (4.0 gateways)",
          "api-defaults": "API defaults (legacy peers; weak)"}


def profiles() -> dict[str, Profile]:
    """``{name: profile}`` (the recommended one first)."""
    table = getattr(options, "PROFILES", None)
    found = ({str(name): _normalise(entry) for name, entry in table.items()}
             if isinstance(table, Mapping) and table else dict(PRESETS))
    first = default_profile(found)
    return {first: found[first], **{k: v for k, v in found.items() if k != first}}


def default_profile(found: Mapping[str, Profile] | None = None) -> str:
    """The profile a new form starts with (``options.DEFAULT_PROFILE``, else the first)."""
    names = list(found if found is not None else profiles())
    named = getattr(options, "DEFAULT_PROFILE", None)
    return named if named in names else names[0]


def profile_choices() -> list[tuple[str, str]]:
    """``(label, name)`` pairs for the picker, ``(custom)`` last."""
    return [(LABELS.get(n, n), n) for n in profiles()] + [(CUSTOM, CUSTOM)]
