"""voicecode: voice verification codes (语音验证码) through ytx.net, Huawei Cloud VoiceCall, ihuyi,
cloud.10658.com.cn and Tencent Cloud VMS, and SMS codes through Huawei OneAccess.

One Rust implementation of each vendor's protocol underneath, with one config schema and one
error model for every language::

    import voicecode

    client = voicecode.Client({"vendor": "ihuyi", "account": "VM12345678", "api_key": "..."})
    receipt = client.send_code("+8613800138000", "4821")

To verify a number, :class:`Verifier` makes the code, places the call through a :class:`Router`
and checks what the user typed, with cooldowns and caps kept in memory, SQLite or Redis::

    verifier = voicecode.Verifier(client, {"secret": os.environ["VOICECODE_VERIFIER_SECRET"]})
    verifier.start("+8613800138000", key=client_ip)
    if verifier.check("+8613800138000", typed_code):
        ...

Blocking calls release the GIL while they wait, and every network call has an ``*_async`` twin
for asyncio. Errors are :class:`VoiceCodeError` subclasses carrying ``kind`` and ``outcome``.
Call-status pushes are handled by :mod:`voicecode.callbacks`; :mod:`voicecode.testing` runs a
simulator of every vendor in-process. Logs go to the standard :mod:`logging` module, logger
``voicecode``, with secrets left out.
"""

from __future__ import annotations

from . import callbacks
from ._types import (
    BalanceUnit,
    CheckStatus,
    DeliveryStatus,
    ErrorKind,
    EventKind,
    Outcome,
    Product,
    SmsPurpose,
    Vendor,
)
from ._voicecode import (
    ERROR_KINDS,
    VENDORS,
    Balance,
    Captcha,
    Check,
    Client,
    Receipt,
    Router,
    Verification,
    Verifier,
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
    "Check",
    "CheckStatus",
    "Client",
    "ContentRejected",
    "DeliveryStatus",
    "ErrorKind",
    "EventKind",
    "Forbidden",
    "InsufficientBalance",
    "InvalidConfig",
    "InvalidInput",
    "Network",
    "Outcome",
    "Product",
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
    "Verification",
    "Verifier",
    "VoiceCodeError",
    "__version__",
    "callbacks",
    "refresh_logging",
]
