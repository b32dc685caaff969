"""Credential sources (env, INI profile, tccli), region resolution and endpoint rules."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from vpnkit import ApiError, Credential, CredentialError, SignatureExpireError
from vpnkit.credentials import resolve_credential, resolve_region
from vpnkit.endpoints import resolve_endpoint

ENV = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_TOKEN",
       "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_REGION",
       "TCCLI_PROFILE", "TENCENTCLOUD_CREDENTIALS_FILE")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and no Tencent variables."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_nothing_configured_gives_none(home: Path) -> None:
    """With no source at all, resolution says None instead of raising an odd error."""
    assert resolve_credential() is None
    assert resolve_region() is None


def test_env_wins_and_names_its_source(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment keys are used first, with tccli's token variable, and the source is named."""
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDenv")
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", "env-secret-value")
    monkeypatch.setenv("TENCENTCLOUD_TOKEN", "tok-value-1")
    cred = resolve_credential()
    assert cred is not None
    assert (cred.secret_id, cred.token) == ("AKIDenv", "tok-value-1")
    assert "environment" in cred.source
    assert "env-secret-value" not in repr(cred) + str(cred)


def test_half_a_key_pair_is_an_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the SecretId set is reported as a missing SecretKey."""
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", "AKIDenv")
    with pytest.raises(CredentialError, match="TENCENTCLOUD_SECRET_KEY"):
        resolve_credential()


def test_ini_profile(home: Path) -> None:
    """~/.tencentcloud/credentials [default] and named sections are read."""
    (home / ".tencentcloud").mkdir()
    (home / ".tencentcloud" / "credentials").write_text(
        "[default]\nsecret_id = AKIDini\nsecret_key = ini-secret\n\n"
        "[prod]\nsecret_id = AKIDprod\nsecret_key = prod-secret\n")
    assert resolve_credential().secret_id == "AKIDini"  # type: ignore[union-attr]
    prod = resolve_credential("prod")
    assert prod is not None
    assert prod.secret_id == "AKIDprod"
    assert "[prod]" in prod.source


def test_tccli_profile_and_region(home: Path) -> None:
    """tccli's <profile>.credential and .configure region are read (§8)."""
    tccli = home / ".tccli"
    tccli.mkdir()
    (tccli / "ops.credential").write_text(json.dumps({"secretId": "AKIDcli",
                                                      "secretKey": "cli-secret"}))
    (tccli / "ops.configure").write_text(json.dumps({"_sys_param": {"region": "ap-shanghai"}}))
    cred = resolve_credential("ops")
    assert cred is not None
    assert cred.source == "~/.tccli/ops.credential"
    assert resolve_region(profile="ops") == "ap-shanghai"


def test_tccli_oauth_profile_is_explained(home: Path) -> None:
    """An SSO/OAuth tccli profile is refused with a message saying what to do (§9 pain 2)."""
    (home / ".tccli").mkdir()
    (home / ".tccli" / "default.credential").write_text(json.dumps({"type": "oauth"}))
    with pytest.raises(CredentialError, match="oauth"):
        resolve_credential()


@pytest.mark.parametrize("secret", [" padded", "padded\n", ""])
def test_whitespace_or_empty_secret_rejected(secret: str) -> None:
    """Keys with surrounding whitespace or empty are refused without echoing them."""
    with pytest.raises(CredentialError) as info:
        Credential("AKID1", secret)
    assert "padded" not in str(info.value)


@pytest.mark.parametrize(("region", "endpoint", "expected"), [
    ("ap-guangzhou", None, "https://vpc.tencentcloudapi.com"),
    ("ap-shanghai-fsi", None, "https://vpc.ap-shanghai-fsi.tencentcloudapi.com"),
    ("ap-guangzhou", "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("ap-guangzhou", "vpc.ap-guangzhou.tencentcloudapi.com",
     "https://vpc.ap-guangzhou.tencentcloudapi.com"),
])
def test_endpoints(region: str, endpoint: str | None, expected: str) -> None:
    """Default, Finance, URL and host endpoints resolve as §5 describes."""
    assert resolve_endpoint(region, endpoint) == expected


def test_pinned_region_and_bad_inputs() -> None:
    """pin_region pins; a Finance region on the shared domain and junk endpoints are refused."""
    assert resolve_endpoint("ap-tokyo", pin_region=True) == "https://vpc.ap-tokyo.tencentcloudapi.com"
    with pytest.raises(ValueError, match="Finance"):
        resolve_endpoint("ap-shanghai-fsi", "vpc.tencentcloudapi.com")
    with pytest.raises(ValueError, match="region"):
        resolve_endpoint("Guangzhou")
    with pytest.raises(ValueError, match="endpoint"):
        resolve_endpoint("ap-guangzhou", "ftp://x/y")


@pytest.mark.parametrize("endpoint", [
    "vpc.tencentcloudapi.com.", "https://vpc.tencentcloudapi.com.", "vpc.intl.tencentcloudapi.com",
    "vpc.ap-shanghai.tencentcloudapi.com", "vpc.ap-shenzhen-fsi.tencentcloudapi.com",
    "xvpc.ap-shanghai-fsi.tencentcloudapi.com", "api-proxy.example.com",
    "vpc.ap-shanghai-fsi.tencentcloudapi.com.evil.example"])
def test_finance_region_needs_its_own_host(endpoint: str) -> None:
    """A Finance region refuses every host but vpc.<region>.tencentcloudapi.com (or loopback)."""
    with pytest.raises(ValueError, match="Finance"):
        resolve_endpoint("ap-shanghai-fsi", endpoint)


def test_finance_isolation_both_ways() -> None:
    """The Finance host serves only its region; loopback (an emulator) serves any region."""
    assert resolve_endpoint("ap-shanghai-fsi", "vpc.ap-shanghai-fsi.tencentcloudapi.com") == \
        "https://vpc.ap-shanghai-fsi.tencentcloudapi.com"
    assert resolve_endpoint("ap-shanghai-fsi", "http://127.0.0.1:9") == "http://127.0.0.1:9"
    assert resolve_endpoint("ap-shanghai-fsi", "http://localhost:9") == "http://localhost:9"
    with pytest.raises(ValueError, match="Finance region ap-shanghai-fsi only"):
        resolve_endpoint("ap-shanghai", "vpc.ap-shanghai-fsi.tencentcloudapi.com")


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost.", True), ("LOCALHOST", True), ("LocalHost.", True), ("[::1]", True),
    ("127.0.0.2", True), ("[::ffff:127.0.0.1]", True), ("localhost", True),
    ("foo.localhost", False), ("0.0.0.0", False), ("127.example.test", False),
    ("localhost.example.test", False), ("[::2]", False)])
def test_one_definition_of_a_loopback_endpoint(host: str, loopback: bool) -> None:
    """session.endpoint_mode and the Finance-region exemption agree on every loopback host."""
    from vpnkit.session import endpoint_mode

    url = f"http://{host}:9"
    assert (endpoint_mode(url) == "loopback") is loopback
    if loopback:
        assert resolve_endpoint("ap-shanghai-fsi", url) == url  # an emulator serves any region
    else:
        with pytest.raises(ValueError, match="Finance"):
            resolve_endpoint("ap-shanghai-fsi", url)
    from vpnkit.endpoints import is_loopback_host

    assert is_loopback_host(host) is loopback


def test_api_error_reads_well_and_pickles() -> None:
    """ApiError's str names action, code, message and RequestId, and survives pickling."""
    exc = ApiError("ResourceNotFound", "no such gateway", "req-1", "CreateVpnConnection")
    assert str(exc) == "CreateVpnConnection failed (ResourceNotFound): no such gateway [req-1]"
    again = pickle.loads(pickle.dumps(exc))
    assert (again.code, again.request_id, str(again)) == (exc.code, "req-1", str(exc))
    skew = SignatureExpireError("AuthFailure.SignatureExpire", "expired", "r", "X", 612.0)
    assert "612 s ahead" in str(skew)
    assert pickle.loads(pickle.dumps(skew)).skew_seconds == 612.0


def test_api_error_message_scrubs_known_secrets() -> None:
    """A server message echoing a known secret is masked in the exception."""
    Credential("AKID2", "known-secret-value-xyz")
    exc = ApiError("AuthFailure", "bad key known-secret-value-xyz", "r", "X")
    assert "known-secret-value-xyz" not in str(exc) + repr(exc)


@pytest.mark.parametrize(("host", "tencent"), [
    ("vpc.tencentcloudapi.com", True), ("VPC.TencentCloudAPI.com.", True),
    ("tencentcloudapi.com", True), ("vpc.ap-shanghai-fsi.tencentcloudapi.com", True),
    ("vpc.eviltencentcloudapi.com", False), ("tencentcloudapi.com.example.test", False),
    ("127.0.0.1", False)])
def test_one_definition_of_a_tencent_host(host: str, tencent: bool) -> None:
    """A look-alike of the Tencent domain is a custom endpoint, never the real API."""
    from vpnkit.endpoints import is_tencent_host
    from vpnkit.session import endpoint_mode

    assert is_tencent_host(host) is tencent
    if host != "127.0.0.1" and "-fsi" not in host:  # a Finance host needs its own region
        assert (endpoint_mode(f"https://{host}") == "real") is tencent
