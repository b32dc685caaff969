"""The one error tree of vpnkit.

::

    VpnkitError
    ├── SpecError(ValueError)     a request failed validation; .issues lists every problem
    ├── CredentialError           no usable credentials, or malformed ones (never shows secrets)
    ├── ApiError                  the API answered Response.Error (code, message, request_id)
    │   └── SignatureExpireError  AuthFailure.SignatureExpire, with the measured clock skew
    ├── TransportError            the request may not have reached the API (wraps requests' error)
    │   └── OutcomeUnknownError   a create or modify was sent; whether it took effect is unknown
    └── WaitTimeout               a waiter gave up before the resource reached the wanted state

Every class calls ``super().__init__`` with its full argument list, so instances pickle and
compare sanely across processes (the batch runner sends them between threads and to SQLite).
Messages never contain a secret: API messages are passed through :func:`vpnkit.redact.scrub`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vpnkit.redact import scrub

if TYPE_CHECKING:
    from vpnkit.issue import Issue

__all__ = [
    "ApiError",
    "CredentialError",
    "OutcomeUnknownError",
    "SignatureExpireError",
    "SpecError",
    "TransportError",
    "VpnkitError",
    "WaitTimeout",
]


class VpnkitError(Exception):
    """Root of every error vpnkit raises on purpose."""


class SpecError(VpnkitError, ValueError):
    """A request spec is invalid; nothing was sent. ``issues`` holds every problem found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__(tuple(issues))
        self.issues: tuple[Issue, ...] = tuple(issues)

    def __str__(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the request"
        lines = [f"  {i.path}: {i.message} ({i.code})" for i in self.issues[:20]]
        if n > 20:
            lines.append(f"  ... and {n - 20} more")
        return "\n".join([head, *lines])

    def _repr_html_(self) -> str:
        from vpnkit.display import issues_html

        return issues_html(self.issues)


class CredentialError(VpnkitError):
    """Credentials are missing or malformed. The message names the source, never the secret."""


class ApiError(VpnkitError):
    """The API processed the request and answered with ``Response.Error``."""

    def __init__(self, code: str, message: str, request_id: str = "", action: str = "") -> None:
        message = scrub(message)
        super().__init__(code, message, request_id, action)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.action = action

    def __str__(self) -> str:
        action = self.action or "Request"
        rid = f" [{self.request_id}]" if self.request_id else ""
        return f"{action} failed ({self.code}): {self.message}{rid}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self.args)

    @property
    def retryable(self) -> bool:
        """True for rate-limit answers: the API rejected the request without executing it."""
        return self.code.startswith("RequestLimitExceeded")

    def _repr_html_(self) -> str:
        from vpnkit.display import api_error_html

        return api_error_html(self)


class SignatureExpireError(ApiError):
    """``AuthFailure.SignatureExpire``: the local clock differs from the API's by > 300 s."""

    def __init__(
        self,
        code: str,
        message: str,
        request_id: str = "",
        action: str = "",
        skew_seconds: float | None = None,
    ) -> None:
        super().__init__(code, message, request_id, action)
        self.args = (code, self.message, request_id, action, skew_seconds)
        self.skew_seconds = skew_seconds

    def __str__(self) -> str:
        base = super().__str__()
        if self.skew_seconds is None:
            return base + " (check this machine's clock: it must be within 5 minutes of UTC)"
        direction = "ahead of" if self.skew_seconds > 0 else "behind"
        return (
            f"{base} (this machine's clock is {abs(self.skew_seconds):.0f} s {direction} "
            "the API's; sync it with NTP)"
        )


class TransportError(VpnkitError):
    """The HTTP exchange failed (DNS, connect, TLS, timeout, dropped connection, non-200)."""

    def __init__(self, message: str, action: str = "") -> None:
        message = scrub(message)
        super().__init__(message, action)
        self.message = message
        self.action = action

    def __str__(self) -> str:
        return f"{self.action or 'Request'} transport error: {self.message}"


class OutcomeUnknownError(TransportError):
    """A create or modify was sent and whether it took effect could not be confirmed."""


class WaitTimeout(VpnkitError):
    """A waiter ran out of time; ``last`` holds the last state seen."""

    def __init__(self, resource_id: str, wanted: str, last: str | None, waited: float) -> None:
        super().__init__(resource_id, wanted, last, waited)
        self.resource_id = resource_id
        self.wanted = wanted
        self.last = last
        self.waited = waited

    def __str__(self) -> str:
        return (
            f"{self.resource_id} did not reach {self.wanted} within {self.waited:.0f} s "
            f"(last state: {self.last})"
        )
