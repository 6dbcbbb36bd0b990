"""voicecode: voice verification codes (语音验证码) through ytx.net, Huawei Cloud VoiceCall, ihuyi,
cloud.10658.com.cn and Tencent Cloud VMS, and SMS codes through Huawei OneAccess.

One Rust implementation of each vendor's protocol underneath, with one config schema and one
error model for every language::

    import voicecode

    client = voicecode.Client({"vendor": "ihuyi", "account": "VM12345678", "api_key": "..."})
    receipt = client.send_code("+8613800138000", "4821")

Blocking calls release the GIL while they wait, and every network call has an ``*_async`` twin
for asyncio. Errors are :class:`VoiceCodeError` subclasses carrying ``kind`` and ``outcome``.
Call-status pushes are handled by :mod:`voicecode.callbacks`; :mod:`voicecode.testing` runs a
simulator of every vendor in-process. Logs go to the standard :mod:`logging` module, logger
``voicecode``, with secrets left out.
"""

from __future__ import annotations

from . import callbacks
from ._types import BalanceUnit, ErrorKind, EventKind, Outcome, SmsPurpose, Vendor
from ._voicecode import (
    ERROR_KINDS,
    VENDORS,
    Balance,
    Captcha,
    Client,
    Receipt,
    Router,
    __version__,
    refresh_logging,
)
from .errors import (
    Attempt,
    AuthFailed,
    ContentRejected,
    Forbidden,
    InsufficientBalance,
    InvalidConfig,
    InvalidInput,
    Network,
    Protocol,
    QuietHours,
    RateLimited,
    RecipientBlocked,
    StoreUnavailable,
    Timeout,
    VendorError,
    VoiceCodeError,
)

__all__ = [
    "ERROR_KINDS",
    "VENDORS",
    "Attempt",
    "AuthFailed",
    "Balance",
    "BalanceUnit",
    "Captcha",
    "Client",
    "ContentRejected",
    "ErrorKind",
    "EventKind",
    "Forbidden",
    "InsufficientBalance",
    "InvalidConfig",
    "InvalidInput",
    "Network",
    "Outcome",
    "Protocol",
    "QuietHours",
    "RateLimited",
    "Receipt",
    "RecipientBlocked",
    "Router",
    "SmsPurpose",
    "StoreUnavailable",
    "Timeout",
    "Vendor",
    "VendorError",
    "VoiceCodeError",
    "__version__",
    "callbacks",
    "refresh_logging",
]
