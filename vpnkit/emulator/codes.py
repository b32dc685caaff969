"""The error codes the emulator may answer with, per action, and the exception that carries one.

Two layers (ref §6):

* :data:`COMMON` are the codes of the common error-code page (DOC-ERR, tencentcloud.com
  product 213 doc 33281): any action may answer them.
* :data:`ACTION_CODES` lists each action's business codes as the official SDK documents them:
  the ``// Possible error codes`` comment above each method of tencentcloud-sdk-go-intl-en
  ``vpc/v20170312/client.go`` (v3.0.1474), which ref §3 and §6 quote.

:func:`for_action` is applied to every error an action raises, at the one place errors leave
the backend: a code the action does not list becomes its common parent (for example
``UnsupportedOperation.VpnConnRouteTypeMixed``, defined in PYSDK ``errorcodes.py`` but listed
for no action, is answered as ``UnsupportedOperation``; ``InvalidParameterValue.TooLong`` from
Modify, whose list lacks it, as ``InvalidParameterValue``). Where the docs name no code for a
case, that parent is the honest answer. :class:`EmulatorError` refuses a code outside the
catalogue, so a typo can never reach a client.
"""

from __future__ import annotations

__all__ = ["ACTION_CODES", "CODES", "COMMON", "EmulatorError", "for_action", "listed"]

COMMON: frozenset[str] = frozenset({
    "ActionOffline", "AuthFailure.InvalidAuthorization", "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure", "AuthFailure.SecretIdNotFound", "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure", "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation", "DryRunOperation", "FailedOperation", "InternalError",
    "InvalidAction", "InvalidParameter", "InvalidParameterValue", "InvalidRequest",
    "LimitExceeded", "MissingParameter", "NoSuchProduct", "NoSuchVersion",
    "RequestLimitExceeded", "RequestSizeLimitExceeded", "ResourceInUse",
    "ResourceInsufficient", "ResourceNotFound", "ResourceUnavailable", "ServiceUnavailable",
    "UnauthorizedOperation", "UnknownParameter", "UnsupportedOperation",
    "UnsupportedProtocol", "UnsupportedRegion",
})

_TAG_CODES: frozenset[str] = frozenset({
    "InvalidParameterValue.TagDuplicateKey",
    "InvalidParameterValue.TagDuplicateResourceType",
    "InvalidParameterValue.TagInvalidKey",
    "InvalidParameterValue.TagInvalidKeyLen",
    "InvalidParameterValue.TagInvalidVal",
    "InvalidParameterValue.TagKeyNotExists",
    "InvalidParameterValue.TagNotAllocatedQuota",
    "InvalidParameterValue.TagNotExisted",
    "InvalidParameterValue.TagNotSupportTag",
    "InvalidParameterValue.TagResourceFormatError",
    "InvalidParameterValue.TagTimestampExceeded",
    "InvalidParameterValue.TagValNotExists",
    "LimitExceeded.TagKeyExceeded",
    "LimitExceeded.TagKeyPerResourceExceeded",
    "LimitExceeded.TagNotEnoughQuota",
    "LimitExceeded.TagQuota",
    "LimitExceeded.TagQuotaExceeded",
    "LimitExceeded.TagTagsExceeded",
    "UnsupportedOperation.TagAllocate",
    "UnsupportedOperation.TagFree",
    "UnsupportedOperation.TagNotPermit",
    "UnsupportedOperation.TagSystemReservedTagKey",
})

#: Business codes per action (GOINTL client.go comments; Tag codes folded into _TAG_CODES).
ACTION_CODES: dict[str, frozenset[str]] = {
    "CreateVpnConnection": frozenset({
        "InvalidParameter.Coexist",
        "InvalidParameterValue.Duplicate",
        "InvalidParameterValue.Empty",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.TooLong",
        "InvalidParameterValue.VpcCidrConflict",
        "InvalidParameterValue.VpnConnBgpTunnelCidrConflict",
        "InvalidParameterValue.VpnConnBgpTunnelCidrMask",
        "InvalidParameterValue.VpnConnBgpTunnelCidrNotSupported",
        "InvalidParameterValue.VpnConnCidrConflict",
        "InvalidParameterValue.VpnConnHealthCheckIpConflict",
        "LimitExceeded",
        "ResourceInUse",
        "ResourceNotFound",
        "UnsupportedOperation",
        "UnsupportedOperation.InvalidState",
        "UnsupportedOperation.VpnUnsupportedBgp",
        "UnsupportedOperation.VpnUnsupportedBgpAsnEqual",
        "UnsupportedOperation.VpnUnsupportedNotExistBgpAsn",
    }) | _TAG_CODES,
    "ModifyVpnConnectionAttribute": frozenset({
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.VpnConnCidrConflict",
        "InvalidParameterValue.VpnConnHealthCheckIpConflict",
        "ResourceNotFound",
        "UnsupportedOperation.InvalidState",
        "UnsupportedOperation.VpnConnInvalidState",
        "UnsupportedOperation.VpnConnSPDOverlap",
    }),
    "DeleteVpnConnection": frozenset({
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
        "UnsupportedOperation.DeleteVpnConnInvalidState",
        "UnsupportedOperation.InvalidState",
        "UnsupportedOperation.MutexOperationTaskRunning",
        "UnsupportedOperation.RecordNotExists",
    }),
    "DescribeVpnConnections": frozenset({
        "InternalError.ModuleError",
        "InvalidParameter.Coexist",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
        "UnsupportedOperation",
    }),
    "DescribeVpcs": frozenset({
        "InternalError.ModuleError",
        "InvalidParameter.Coexist",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameter.FilterNotDict",
        "InvalidParameter.FilterValuesNotList",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.NotUtf8EncodingError",
        "InvalidParameterValue.Range",
        "ResourceNotFound",
        "UnsupportedOperation",
    }),
    "DescribeVpnGateways": frozenset({
        "InternalError.ModuleError",
        "InvalidParameter.Coexist",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameter.FilterNotDict",
        "InvalidParameter.FilterValuesNotList",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.Range",
        "InvalidVpnGatewayId.Malformed",
        "InvalidVpnGatewayId.NotFound",
        "ResourceNotFound",
        "UnsupportedOperation",
    }),
    "DescribeCustomerGateways": frozenset({
        "InternalError.ModuleError",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
    }),
    # GOSDK v1.3.166 client.go (GOINTL v3.0.1474 has no DescribeVpcLimits): emulator/limits.py
    "DescribeVpcLimits": frozenset({
        "InvalidParameterValue",
        "InvalidParameterValue.LimitExceeded",
    }),
    "DescribeVpcTaskResult": frozenset({
        "InternalError.ModuleError",
        "InvalidParameterValue",
        "ResourceNotFound",
        "UnauthorizedOperation",
        "UnsupportedOperation",
    }),
    "CreateCustomerGateway": frozenset({
        "InvalidParameterValue.Duplicate",
        "InvalidParameterValue.TooLong",
        "LimitExceeded",
        "UnsupportedOperation.RecordExists",
        "UnsupportedOperation.VpnUnsupportedBgp",
        "VpcLimitExceeded",
    }) | _TAG_CODES,
    "ResetVpnConnection": frozenset({
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
        "UnsupportedOperation.InvalidState",
        "UnsupportedOperation.VpnConnInvalidState",
    }),
    "GenerateVpnConnectionDefaultHealthCheckIp": frozenset({
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
    }),
    "DescribeVpnGatewayRoutes": frozenset({
        "InternalError",
        "InvalidParameter",
        "InvalidParameter.FilterInvalidKey",
        "InvalidParameterValue.Malformed",
        "InvalidParameterValue.Range",
        "LimitExceeded",
        "MissingParameter",
        "ResourceNotFound",
        "UnknownParameter",
        "UnsupportedOperation",
    }),
    "CreateVpnGatewayRoutes": frozenset({
        "InternalError",
        "InvalidParameter",
        "InvalidParameterValue.LimitExceeded",
        "InvalidParameterValue.Malformed",
        "LimitExceeded",
        "MissingParameter",
        "ResourceNotFound",
        "UnknownParameter",
        "UnsupportedOperation",
    }),
    "DeleteVpnGatewayRoutes": frozenset({
        "InvalidParameter",
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
    }),
    "DescribeCustomerGatewayVendors": frozenset({
        "InvalidParameter",
        "InvalidParameterValue.Empty",
        "InvalidParameterValue.Range",
    }),
    "DownloadCustomerGatewayConfiguration": frozenset({
        "InvalidParameterValue.Empty",
        "InvalidParameterValue.Malformed",
        "ResourceNotFound",
    }),
    # The Tag service (API 2018-08-13): tencentcloud-sdk-go-intl-en tag/v20180813/client.go.
    "ModifyResourceTags": frozenset({
        "InvalidParameter.ReservedTagKey",
        "InvalidParameter.Tag",
        "InvalidParameterValue.DeleteTagsParamError",
        "InvalidParameterValue.ResourceDescriptionError",
        "InvalidParameterValue.TagKeyCharacterIllegal",
        "InvalidParameterValue.TagKeyEmpty",
        "InvalidParameterValue.TagKeyLengthExceeded",
        "InvalidParameterValue.TagValueCharacterIllegal",
        "InvalidParameterValue.TagValueLengthExceeded",
        "LimitExceeded.ResourceAttachedTags",
        "LimitExceeded.TagKey",
        "LimitExceeded.TagValue",
    }),
}

CODES: frozenset[str] = COMMON.union(*ACTION_CODES.values())


def listed(action: str, code: str) -> bool:
    """True if ``action`` may answer ``code`` (a common code, or one of its own)."""
    return code in COMMON or code in ACTION_CODES.get(action, frozenset())


def for_action(action: str, code: str) -> str:
    """``code`` if ``action`` lists it, else its nearest listed parent (``A.B`` -> ``A``)."""
    while not listed(action, code) and "." in code:
        code = code.rsplit(".", 1)[0]
    return code


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
