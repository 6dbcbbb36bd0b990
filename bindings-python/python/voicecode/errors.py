"""The exceptions voicecode raises: one class per error kind of the core.

Every exception is a :class:`VoiceCodeError` with the core's fields. Look at ``outcome`` before
trying again:

- ``not_sent``: nothing left this machine; fix the input or config, or use another vendor.
- ``refused``: the vendor answered and placed no call; ``retryable`` says whether the same
  request may succeed later or elsewhere.
- ``unknown``: the request may have reached the vendor and the phone may be ringing. Do not
  resend: wait for the call-status callback instead.

Where a builtin exception means the same, the class subclasses it too, so generic handlers
work: :class:`InvalidInput` is a :class:`ValueError`, :class:`Timeout` a :class:`TimeoutError`,
:class:`Network` a :class:`ConnectionError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, cast

from ._types import ErrorKind, Outcome, Vendor

__all__ = [
    "Attempt",
    "AuthFailed",
    "ContentRejected",
    "Forbidden",
    "InsufficientBalance",
    "InvalidConfig",
    "InvalidInput",
    "Network",
    "Protocol",
    "QuietHours",
    "RateLimited",
    "RecipientBlocked",
    "StoreUnavailable",
    "Timeout",
    "VendorError",
    "VoiceCodeError",
]


@dataclass(frozen=True)
class Attempt:
    """One channel's part in a router's failover: tried and failed, or skipped."""

    vendor: Vendor
    kind: ErrorKind
    outcome: Outcome
    vendor_code: str | None
    message: str
    skipped: bool
    """True when the channel was not tried because it cannot carry the request."""

    def to_dict(self) -> dict[str, Any]:
        """The attempt in the core's JSON shape."""
        return asdict(self)


class VoiceCodeError(Exception):
    """A failed voicecode operation. Catch this to handle every voicecode error."""

    kind: ClassVar[ErrorKind]
    """What went wrong; each subclass has its own."""

    def __init__(
        self,
        message: str,
        *,
        outcome: Outcome,
        vendor: Vendor | None = None,
        field: str | None = None,
        vendor_code: str | None = None,
        vendor_message: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
        retry_after: int | None = None,
        attempts: Sequence[Attempt] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        """The full description (``str(error)``)."""
        self.outcome: Outcome = outcome
        """Whether the request may have reached the vendor."""
        self.vendor: Vendor | None = vendor
        """The vendor concerned, when the error belongs to one."""
        self.field: str | None = field
        """The request or config field at fault (invalid_input, invalid_config)."""
        self.vendor_code: str | None = vendor_code
        """The vendor's own result code, verbatim."""
        self.vendor_message: str | None = vendor_message
        """The vendor's own description, verbatim."""
        self.http_status: int | None = http_status
        """The HTTP status of the vendor's answer, if one arrived."""
        self.retryable: bool = retryable
        """Whether the same request may succeed later or through another vendor (never after
        an ``unknown`` outcome)."""
        self.retry_after: int | None = retry_after
        """Whole seconds to wait before the same request can succeed (the verifier's limits and
        quiet hours), or ``None``."""
        self.attempts: tuple[Attempt, ...] = tuple(attempts)
        """Every channel a router tried or skipped, in order (empty for a single client)."""

    def to_dict(self) -> dict[str, Any]:
        """The error in the core's JSON shape, as every binding and the CLI's ``--json`` give it."""
        return {
            "kind": self.kind,
            "outcome": self.outcome,
            "vendor": self.vendor,
            "field": self.field,
            "vendor_code": self.vendor_code,
            "vendor_message": self.vendor_message,
            "http_status": self.http_status,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "message": self.message,
            "attempts": [a.to_dict() for a in self.attempts],
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps every field through pickle (multiprocessing, task queues).
        return (_from_core, (self.to_dict(),))


class InvalidInput(VoiceCodeError, ValueError):
    """The request breaks a rule (number, code, play count…); ``field`` names it. Fix the input."""

    kind = "invalid_input"


class InvalidConfig(VoiceCodeError):
    """The channel configuration is incomplete or wrong; ``field`` names the key. Fix the config."""

    kind = "invalid_config"


class AuthFailed(VoiceCodeError):
    """The vendor did not accept the credentials or signature (also clock skew), or a push
    failed verification."""

    kind = "auth_failed"


class Forbidden(VoiceCodeError):
    """The account, app or source IP is not allowed to do this."""

    kind = "forbidden"


class RateLimited(VoiceCodeError):
    """A frequency or quota limit was hit; try later or through another vendor."""

    kind = "rate_limited"


class InsufficientBalance(VoiceCodeError):
    """The account has no balance left."""

    kind = "insufficient_balance"


class RecipientBlocked(VoiceCodeError):
    """The vendor will not call this number (blacklist, whitelist, international)."""

    kind = "recipient_blocked"


class ContentRejected(VoiceCodeError):
    """The vendor refused the content (sensitive words)."""

    kind = "content_rejected"


class VendorError(VoiceCodeError):
    """The vendor failed for a reason of its own (internal error, unknown code)."""

    kind = "vendor_error"


class Timeout(VoiceCodeError, TimeoutError):
    """No answer within the configured timeout. Check ``outcome``: usually ``unknown``."""

    kind = "timeout"


class Network(VoiceCodeError, ConnectionError):
    """The connection failed (``not_sent``) or broke mid-request (``unknown``)."""

    kind = "network"


class Protocol(VoiceCodeError):
    """The vendor's answer could not be understood, so whether it acted is ``unknown``."""

    kind = "protocol"


class QuietHours(VoiceCodeError):
    """The verifier placed no call during its quiet hours; ``retry_after`` says when they end."""

    kind = "quiet_hours"


class StoreUnavailable(VoiceCodeError):
    """The verifier's store (SQLite, Redis) could not be read or written; no call was placed."""

    kind = "store_unavailable"


ERROR_CLASSES: Mapping[ErrorKind, type[VoiceCodeError]] = {
    cls.kind: cls
    for cls in (
        InvalidInput,
        InvalidConfig,
        AuthFailed,
        Forbidden,
        RateLimited,
        InsufficientBalance,
        RecipientBlocked,
        ContentRejected,
        VendorError,
        Timeout,
        Network,
        Protocol,
        QuietHours,
        StoreUnavailable,
    )
}
"""The exception class of each error kind."""


def _from_core(info: Mapping[str, Any]) -> VoiceCodeError:
    """The exception for a core error serialised as JSON (called by the native module)."""
    cls = ERROR_CLASSES[cast(ErrorKind, info["kind"])]
    return cls(
        info["message"],
        outcome=info["outcome"],
        vendor=info.get("vendor"),
        field=info.get("field"),
        vendor_code=info.get("vendor_code"),
        vendor_message=info.get("vendor_message"),
        http_status=info.get("http_status"),
        retryable=bool(info.get("retryable", False)),
        retry_after=info.get("retry_after"),
        attempts=[Attempt(**attempt) for attempt in info.get("attempts", ())],
    )
