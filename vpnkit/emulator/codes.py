"""The error codes the emulator may answer with, and the exception that carries one.

Every code here appears in the official catalogue: the common codes of §6 of
``tencent-vpc-api.md`` or the VPC product codes (PYSDK ``vpc/v20170312/errorcodes.py``).
:class:`EmulatorError` refuses any other code, so a typo can never reach a client.
"""

from __future__ import annotations

__all__ = ["CODES", "EmulatorError"]

CODES: frozenset[str] = frozenset({
    # common codes (§6)
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.TokenFailure",
    "InternalError",
    "InvalidAction",
    "InvalidParameter",
    "InvalidParameterValue",
    "LimitExceeded",
    "MissingParameter",
    "NoSuchVersion",
    "RequestLimitExceeded",
    "RequestSizeLimitExceeded",
    "ResourceNotFound",
    "UnknownParameter",
    "UnsupportedOperation",
    "UnsupportedProtocol",
    "UnsupportedRegion",
    # VPC product codes (§3, §6 CreateVpnConnection list, PYSDK errorcodes.py)
    "InvalidParameter.Coexist",
    "InvalidParameter.FilterInvalidKey",
    "InvalidParameterValue.Duplicate",
    "InvalidParameterValue.Empty",
    "InvalidParameterValue.LimitExceeded",
    "InvalidParameterValue.Malformed",
    "InvalidParameterValue.Range",
    "InvalidParameterValue.TagDuplicateKey",
    "InvalidParameterValue.TagInvalidKey",
    "InvalidParameterValue.TagInvalidKeyLen",
    "InvalidParameterValue.TagInvalidVal",
    "InvalidParameterValue.TooLong",
    "InvalidParameterValue.VpcCidrConflict",
    "InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
    "InvalidParameterValue.VpnConnBgpTunnelCidrMask",
    "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported",
    "InvalidParameterValue.VpnConnCidrConflict",
    "InvalidParameterValue.VpnConnHealthCheckIpConflict",
    "UnsupportedOperation.DeleteVpnConnInvalidState",
    "UnsupportedOperation.RecordExists",
    "UnsupportedOperation.TagSystemReservedTagKey",
    "UnsupportedOperation.VpnConnInvalidState",
    "UnsupportedOperation.VpnConnRouteTypeMixed",
    "UnsupportedOperation.VpnUnsupportedNotExistBgpAsn",
    "UnsupportedOperation.VpnUnsupportedUsrGwNotExistBgpAsn",
})


class EmulatorError(Exception):
    """A Tencent error answer: ``Response.Error{Code, Message}``."""

    def __init__(self, code: str, message: str) -> None:
        if code not in CODES:
            raise ValueError(f"{code!r} is not in the emulator's error catalogue")
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
