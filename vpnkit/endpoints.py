"""Region -> API endpoint, including the Finance-region rule (§5 of the reference).

* default: the nearest-region domain ``vpc.tencentcloudapi.com``;
* ``pin_region=True``: ``vpc.<region>.tencentcloudapi.com``;
* Finance regions (``*-fsi``) always get their own matching domain: the nearest-region
  domain serves only non-financial regions and the server checks it;
* an explicit endpoint may be a host (``vpc.ap-shanghai-fsi.tencentcloudapi.com``) or a full
  URL (``http://127.0.0.1:8080`` for the emulator).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

__all__ = ["REGIONS", "ROOT_DOMAIN", "SERVICE", "is_finance", "is_loopback_host", "is_tencent_host",
           "resolve_endpoint"]

SERVICE = "vpc"
ROOT_DOMAIN = "tencentcloudapi.com"

#: Region IDs known to the SDKs (§5); others that look like regions are accepted too.
REGIONS: tuple[str, ...] = (
    "ap-bangkok", "ap-beijing", "ap-beijing-fsi", "ap-chengdu", "ap-chongqing",
    "ap-guangzhou", "ap-guangzhou-open", "ap-hongkong", "ap-jakarta", "ap-mumbai",
    "ap-nanjing", "ap-seoul", "ap-shanghai", "ap-shanghai-fsi", "ap-shenzhen-fsi",
    "ap-singapore", "ap-tokyo", "eu-frankfurt", "eu-moscow", "na-ashburn",
    "na-siliconvalley", "na-toronto", "sa-saopaulo",
)
_REGION = re.compile(r"[a-z]{2}-[a-z]+(?:-[a-z0-9]+)*\Z")


def is_finance(region: str) -> bool:
    """True for Finance regions, which are isolated and need their own domain."""
    return region.endswith("-fsi")


def resolve_endpoint(region: str, endpoint: str | None = None, *, pin_region: bool = False,
                     service: str = SERVICE) -> str:
    """The base URL (``scheme://host[:port]``) for ``region``; ``ValueError`` if inconsistent.

    ``service`` names the product's domain (``vpc``; ``tag`` for the Tag service, whose docs
    give only ``tag.tencentcloudapi.com``: they are silent on Finance regions, so the §5 rule
    of the VPC docs, a Finance region on its own ``<service>.<region>`` domain, is applied).
    """
    if not isinstance(region, str) or not _REGION.match(region):
        raise ValueError(f"region {region!r} is not a region id such as ap-guangzhou")
    if endpoint is None:
        if is_finance(region) or pin_region:
            return f"https://{service}.{region}.{ROOT_DOMAIN}"
        return f"https://{service}.{ROOT_DOMAIN}"
    url = endpoint.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ValueError(f"endpoint {endpoint!r} must be a host or scheme://host[:port]")
    _check_isolation(region, parts.hostname, service)
    return f"{parts.scheme}://{parts.netloc}"


def is_loopback_host(host: str) -> bool:
    """The one definition of a loopback endpoint host (an emulator or a test's mock, which
    serves every region): ``localhost`` in any case, also with the DNS root's trailing dot
    (``localhost.``), or a loopback IP (``127.0.0.0/8``, ``::1``, also IPv4-mapped), with
    or without IPv6 brackets (``[::1]``)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name.removesuffix(".") == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def is_tencent_host(host: str) -> bool:
    """The one definition of a Tencent API host: ``tencentcloudapi.com`` or a name under it,
    in any case, with or without the DNS root's trailing dot; never a look-alike such as
    ``vpc.eviltencentcloudapi.com``."""
    name = host.strip().lower().removesuffix(".")
    return name == ROOT_DOMAIN or name.endswith("." + ROOT_DOMAIN)


def _check_isolation(region: str, host: str, service: str = SERVICE) -> None:
    """Finance and non-Finance regions are isolated (§5): ``ValueError`` on a mismatch.

    A Finance region needs exactly ``<service>.<region>.tencentcloudapi.com`` (no trailing dot,
    no other host: a proxy name could front the shared domain) unless the host is local; a
    Finance host serves only its own region.
    """
    name = host.lower()
    wanted = f"{service}.{region}.{ROOT_DOMAIN}"
    if is_finance(region) and name != wanted and not is_loopback_host(name):
        raise ValueError(
            f"region {region} is a Finance region: its endpoint must be {wanted}, not {host}"
        )
    found = re.search(r"\.([a-z]{2}-[a-z]+-fsi)\.", f".{name.rstrip('.')}.")
    if found is not None and found.group(1) != region:
        raise ValueError(f"{host} serves the Finance region {found.group(1)} only, "
                         f"not {region}")
