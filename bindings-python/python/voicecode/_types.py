"""The snake_case names shared with the core and every other binding, as Literal types."""

from __future__ import annotations

from typing import Literal

__all__ = [
    "BalanceUnit",
    "CheckStatus",
    "DeliveryStatus",
    "ErrorKind",
    "EventKind",
    "Outcome",
    "Product",
    "SmsPurpose",
    "Vendor",
]

Vendor = Literal["ytx", "huawei", "ihuyi", "cloud10658", "oneaccess", "aliyun", "tencent"]
"""A vendor id, as in configs (``{"vendor": "huawei", ...}``)."""

Product = Literal["voice", "sms"]
"""What a channel sends, as in configs (``{"vendor": "aliyun", "product": "sms", ...}``); voice
unless the config says otherwise."""

ErrorKind = Literal[
    "invalid_input",
    "invalid_config",
    "auth_failed",
    "forbidden",
    "rate_limited",
    "insufficient_balance",
    "recipient_blocked",
    "content_rejected",
    "vendor_error",
    "timeout",
    "network",
    "protocol",
    "quiet_hours",
    "store_unavailable",
]
"""What went wrong, independent of the vendor that reported it."""

Outcome = Literal["not_sent", "refused", "unknown"]
"""Whether a failed request may have reached the vendor (``unknown``: never resend blindly)."""

BalanceUnit = Literal["yuan", "units"]
"""What a balance counts: money in yuan (ytx), or calls/points left (ihuyi, cloud10658)."""

SmsPurpose = Literal["register", "login", "forget_password", "bind_mobile", "update_mobile", "otp"]
"""Why a OneAccess SMS code is sent."""

EventKind = Literal["dialing", "ringing", "answered", "hangup", "delivered", "failed", "fee"]
"""What a call event reports."""

CheckStatus = Literal[
    "approved", "wrong_code", "expired", "too_many_attempts", "not_found", "canceled"
]
"""What a verifier's check found (``Check.status``)."""

DeliveryStatus = Literal["sent", "may_have_been_sent"]
"""Whether a started verification's call was placed (``Verification.status``):
``may_have_been_sent`` when the send's outcome is unknown."""
