"""Where API keys come from, and which source supplied them (never what they are).

Resolution order (§7.1, §8 of the reference), first hit wins:

1. explicit ``Credential(secret_id, secret_key, token)``;
2. with no profile named: ``TENCENTCLOUD_SECRET_ID`` / ``TENCENTCLOUD_SECRET_KEY`` and a token
   from ``TENCENTCLOUD_TOKEN`` (tccli), ``TENCENTCLOUD_SECURITY_TOKEN`` (Terraform) or
   ``TENCENTCLOUD_SESSION_TOKEN``;
3. a named profile, or else ``default``: ``~/.tencentcloud/credentials`` (INI, §7.1; also
   ``TENCENTCLOUD_CREDENTIALS_FILE``), then tccli's ``~/.tccli/<profile>.credential`` (§8).

Keys with surrounding whitespace are refused with a message naming the source (§9 pain 1).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from vpnkit.errors import CredentialError
from vpnkit.redact import remember

__all__ = ["DEMO_SECRET_ID", "DEMO_SECRET_KEY", "Credential", "demo_credential",
           "resolve_credential", "resolve_region"]

#: The emulator's documented demo key pair (:mod:`vpnkit.emulator` accepts it by default, no
#: real account does). It lives here so that recognising it loads no emulator.
DEMO_SECRET_ID = "AKIDvpnkitEMULATOR0000000000000000"
DEMO_SECRET_KEY = "vpnkit-emulator-demo-secret-key-0000"

_TOKEN_VARS = ("TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SESSION_TOKEN")


@dataclass(frozen=True)
class Credential:
    """A SecretId/SecretKey pair (and temporary token). Only the SecretId is ever shown."""

    secret_id: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)
    source: str = "explicit"

    def __post_init__(self) -> None:
        for name in ("secret_id", "secret_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise CredentialError(f"{name} from {self.source} is empty")
            if value != value.strip():
                raise CredentialError(
                    f"{name} from {self.source} has leading or trailing whitespace; "
                    "copy it again without spaces or newlines"
                )
        if self.token is not None and (not isinstance(self.token, str) or
                                       self.token != self.token.strip()):
            raise CredentialError(f"token from {self.source} is malformed")
        remember(self.secret_key, self.token)

    def __str__(self) -> str:
        return f"{self.secret_id} (from {self.source})"


def demo_credential() -> Credential:
    """The emulator's demo key pair as a :class:`Credential` (source ``vpnkit emulator``)."""
    return Credential(DEMO_SECRET_ID, DEMO_SECRET_KEY, source="vpnkit emulator")


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def _from_env() -> Credential | None:
    sid = os.environ.get("TENCENTCLOUD_SECRET_ID")
    key = os.environ.get("TENCENTCLOUD_SECRET_KEY")
    if not sid and not key:
        return None
    if not sid or not key:
        missing = "TENCENTCLOUD_SECRET_KEY" if sid else "TENCENTCLOUD_SECRET_ID"
        raise CredentialError(f"{missing} is not set (the other half of the key pair is)")
    token = next((os.environ[v] for v in _TOKEN_VARS if os.environ.get(v)), None)
    return Credential(sid, key, token, source="environment (TENCENTCLOUD_SECRET_ID)")


def _from_ini(profile: str) -> Credential | None:
    path = Path(os.environ.get("TENCENTCLOUD_CREDENTIALS_FILE") or
                _home() / ".tencentcloud" / "credentials")
    if not path.is_file():
        return None
    import configparser  # only when the file exists: keeps `import vpnkit` light

    ini = configparser.ConfigParser()
    try:
        ini.read(path, encoding="utf-8")
    except configparser.Error as exc:
        raise CredentialError(f"{path} is not a valid INI file: {exc.message}") from None
    if not ini.has_section(profile):
        return None
    sec = ini[profile]
    sid, key = sec.get("secret_id"), sec.get("secret_key")
    if not sid or not key:
        raise CredentialError(f"{path} [{profile}] needs both secret_id and secret_key")
    return Credential(sid, key, sec.get("token") or None, source=f"{path} [{profile}]")


def _tccli_file(profile: str, suffix: str) -> dict[str, object] | None:
    path = _home() / ".tccli" / f"{profile}.{suffix}"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CredentialError(f"{path} is not valid JSON") from None
    return data if isinstance(data, dict) else None


def _from_tccli(profile: str) -> Credential | None:
    data = _tccli_file(profile, "credential")
    if data is None:
        return None
    where = f"~/.tccli/{profile}.credential"
    kind = data.get("type", "default")
    if kind not in ("default", None):
        raise CredentialError(
            f"{where} is of type {kind!r} (SSO/OAuth/CVM role), which vpnkit cannot refresh; "
            "log in again with tccli or set TENCENTCLOUD_SECRET_ID/KEY"
        )
    sid, key = data.get("secretId"), data.get("secretKey")
    if not isinstance(sid, str) or not isinstance(key, str) or not sid or not key:
        raise CredentialError(f"{where} needs secretId and secretKey")
    token = data.get("token")
    return Credential(sid, key, token if isinstance(token, str) and token else None,
                      source=where)


def resolve_credential(profile: str | None = None) -> Credential | None:
    """The first credential found (see module docstring), or None if there is none."""
    if profile is None:
        found = _from_env()
        if found:
            return found
        profile = os.environ.get("TCCLI_PROFILE") or "default"
    return _from_ini(profile) or _from_tccli(profile)


def resolve_region(region: str | None = None, profile: str | None = None) -> str | None:
    """Explicit region, else ``TENCENTCLOUD_REGION``, else the tccli profile's region."""
    if region:
        return region
    if profile is None and os.environ.get("TENCENTCLOUD_REGION"):
        return os.environ["TENCENTCLOUD_REGION"]
    conf = _tccli_file(profile or os.environ.get("TCCLI_PROFILE") or "default", "configure")
    sys_param = conf.get("_sys_param") if conf else None
    value = sys_param.get("region") if isinstance(sys_param, dict) else None
    return value if isinstance(value, str) and value else None
