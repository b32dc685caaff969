"""API responses and models -> pandas DataFrames (pure functions; pandas is imported only here).

Column scheme (see :data:`COLUMNS` / :func:`column_map` for the full documented mapping):

* top-level fields keep their snake_case name: ``VpnConnectionId`` -> ``vpn_connection_id``;
* options of a nested object take the section prefix plus the option's name from
  :mod:`vpnkit.options`: ``ike_`` (IKEOptionsSpecification), ``ipsec_``
  (IPSECOptionsSpecification), ``bgp_`` (BgpConfig), ``hc_`` (HealthCheckConfig), e.g.
  ``ike_encryption_algorithm``, ``ipsec_integrity_algorithm``, ``bgp_tunnel_cidr``,
  ``hc_probe_interval``;
* ``tags`` is a ``{key: value}`` column and each key also gets a ``tag:<key>`` column;
* secret fields (the pre-shared key) are never read: they have no column at all.

Dtypes: ids/addresses ``string``, enums ``category`` (the documented values plus any unknown
one seen), integers nullable ``Int64`` (old responses carry some as strings, §2.4), flags
``boolean``, times tz-aware (``0000-00-00 00:00:00`` while pending -> ``NaT``). Each frame
builder also accepts an empty list and returns every column with its dtype.
"""

from vpnkit.frames._columns import API_TZ, COLUMNS, PREFIXES, column_map
from vpnkit.frames.connections import connections_frame, spd_frame, spd_overlaps
from vpnkit.frames.targets import (
    customer_gateways_frame,
    issues_frame,
    vpcs_frame,
    vpn_gateways_frame,
)

__all__ = [
    "API_TZ",
    "COLUMNS",
    "PREFIXES",
    "column_map",
    "connections_frame",
    "customer_gateways_frame",
    "issues_frame",
    "spd_frame",
    "spd_overlaps",
    "vpcs_frame",
    "vpn_gateways_frame",
]

