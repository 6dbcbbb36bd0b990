"""Stubs for the native module (bindings-python/src). Checked against it by mypy's stubtest."""

import asyncio
import datetime
import os
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

from voicecode._types import (
    BalanceUnit,
    CheckStatus,
    DeliveryStatus,
    EventKind,
    Product,
    SmsPurpose,
    Vendor,
)
from voicecode.errors import VoiceCodeError

__all__ = [
    "ALIYUN_REPORT_ACK",
    "ERROR_KINDS",
    "TENCENT_CALLBACK_ACK",
    "VENDORS",
    "_SEND_CODE_OPTIONS",
    "Balance",
    "CallEvent",
    "Captcha",
    "Check",
    "Client",
    "Deduplicator",
    "HuaweiPushVerifier",
    "Receipt",
    "Router",
    "Verification",
    "Verifier",
    "_Simulator",
    "__version__",
    "parse_push",
    "push_ack",
    "refresh_logging",
    "simulator_facts",
    "verify_huawei_report",
]

__version__: Final[str]
ALIYUN_REPORT_ACK: Final[str]
TENCENT_CALLBACK_ACK: Final[str]
VENDORS: Final[tuple[str, ...]]
ERROR_KINDS: Final[tuple[str, ...]]
_SEND_CODE_OPTIONS: Final[tuple[str, ...]]

_Config = Mapping[str, Any]

def refresh_logging() -> None:
    """Forgets cached logger levels, so that logging configured after voicecode first logged
    applies (done automatically whenever a Client or Router is built)."""

@final
class Receipt:
    """The vendor accepted the call."""

    @property
    def vendor(self) -> Vendor: ...
    @property
    def message_id(self) -> str:
        """The vendor's id for the call; call-status events carry the same id."""
    @property
    def vendor_code(self) -> str: ...
    @property
    def vendor_message(self) -> str: ...
    @property
    def remaining(self) -> int | None:
        """cloud10658: units left after this send."""
    @property
    def idle_ports(self) -> int | None:
        """huawei: idle call ports, when ``return_idle_port`` was asked."""
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Balance:
    """An account balance."""

    @property
    def vendor(self) -> Vendor: ...
    @property
    def amount(self) -> str:
        """A decimal string as the vendor wrote it (use ``decimal.Decimal`` for money)."""
    @property
    def unit(self) -> BalanceUnit: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Captcha:
    """A OneAccess slider captcha to show to the user."""

    @property
    def token(self) -> str: ...
    @property
    def original_image_base64(self) -> str: ...
    @property
    def jigsaw_image_base64(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class CallEvent:
    """One call event from a vendor push."""

    @property
    def vendor(self) -> Vendor: ...
    @property
    def message_id(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def event(self) -> EventKind: ...
    @property
    def at(self) -> datetime.datetime | None:
        """When, as an aware UTC datetime."""
    @property
    def state_code(self) -> int | None: ...
    @property
    def state_desc(self) -> str | None: ...
    @property
    def talk_seconds(self) -> int | None: ...
    @property
    def user_data(self) -> str | None: ...
    @property
    def raw(self) -> dict[str, Any]:
        """Every field of the push as received (a new dict on each access)."""
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Client:
    """A client for one vendor account; share one between threads and tasks."""

    def __new__(cls, config: _Config) -> Client:
        """``config`` is a dict in the voicecode config schema (see the README)."""
    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Client:
        """Reads a JSON (``*.json``) or TOML config file; a vendor secret missing from the file
        is read from ``VOICECODE_<KEY>``: ``VOICECODE_AUTH_TOKEN``, ``VOICECODE_APP_SECRET``,
        ``VOICECODE_API_KEY``, ``VOICECODE_APP_KEY``, ``VOICECODE_ACCESS_KEY_SECRET`` or
        ``VOICECODE_SECRET_KEY``."""
    @property
    def vendor(self) -> Vendor: ...
    @property
    def product(self) -> Product:
        """What this client sends: ``voice`` calls or ``sms``."""
    def send_code(
        self,
        to: str,
        code: str,
        *,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> Receipt:
        """Sends a voice verification code; never retried (see ``VoiceCodeError.outcome``)."""
    def send_code_async(
        self,
        to: str,
        code: str,
        *,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> asyncio.Future[Receipt]:
        """``send_code`` for asyncio; the request starts at once, await the future for the
        receipt. Needs a running event loop."""
    def balance(self) -> Balance:
        """The account balance (ytx, ihuyi, cloud10658)."""
    def balance_async(self) -> asyncio.Future[Balance]: ...
    def captcha(self) -> Captcha:
        """OneAccess: a new slider captcha."""
    def captcha_async(self) -> asyncio.Future[Captcha]: ...
    def verify_captcha(self, token: str, x: float, y: float, mobile: str) -> str:
        """OneAccess: checks the slider position; returns the captcha token for one SMS."""
    def verify_captcha_async(
        self, token: str, x: float, y: float, mobile: str
    ) -> asyncio.Future[str]: ...
    def send_sms_code(self, mobile: str, purpose: SmsPurpose, captcha_token: str) -> None:
        """OneAccess: sends an SMS code after a verified captcha."""
    def send_sms_code_async(
        self, mobile: str, purpose: SmsPurpose, captcha_token: str
    ) -> asyncio.Future[None]: ...

@final
class Router:
    """Channels in order of preference: sends through the first that accepts, moving on only
    when no call can have been placed."""

    def __new__(cls, channels: Sequence[Client | _Config]) -> Router: ...
    @property
    def vendors(self) -> list[Vendor]: ...
    def send_code(
        self,
        to: str,
        code: str,
        *,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> Receipt: ...
    def send_code_async(
        self,
        to: str,
        code: str,
        *,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> asyncio.Future[Receipt]: ...

@final
class Check:
    """What a verifier's check found. True (``if verifier.check(...)``) only when approved."""

    @property
    def status(self) -> CheckStatus: ...
    @property
    def approved(self) -> bool:
        """True only when the code was right; the verification is then used up."""
    @property
    def attempts_left(self) -> int | None:
        """After a ``wrong_code``: how many more codes may be tried; ``None`` otherwise."""
    @property
    def channel(self) -> Product | None:
        """After an approval: how the approved code was last sent; ``None`` otherwise."""
    def __bool__(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]:
        """The core's JSON shape: ``{"status": ...}``, plus ``attempts_left`` after a wrong
        code and ``channel`` after an approval."""
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Verification:
    """A started verification. It never holds the code."""

    @property
    def to(self) -> str:
        """The number, in E.164."""
    @property
    def channel(self) -> Product:
        """How the code was sent: ``sms`` or ``voice``."""
    @property
    def expires_at(self) -> datetime.datetime:
        """When the code stops being accepted, as an aware UTC datetime (a resend of a live
        code keeps its expiry)."""
    @property
    def max_attempts(self) -> int:
        """Checks allowed."""
    @property
    def unverified_starts(self) -> int:
        """Starts for this number since its last approved check, this one included; a number
        started again and again and never verified is being called by someone else."""
    @property
    def status(self) -> DeliveryStatus: ...
    @property
    def receipt(self) -> Receipt | None:
        """The vendor's receipt, when a vendor accepted the call."""
    @property
    def error(self) -> VoiceCodeError | None:
        """The send's error when its outcome is unknown (a new exception on each access)."""
    @property
    def may_have_been_sent(self) -> bool:
        """True when the call may or may not have been placed: the code stays valid, so wait
        for the user instead of starting again."""
    def to_dict(self) -> dict[str, Any]:
        """The core's JSON shape (``expires_at`` as RFC 3339 text, ``receipt`` or ``error``)."""

@final
class Verifier:
    """Makes a code, calls the number with it through its channels, and checks what the user
    typed back, under the config's cooldown, caps, attempts and quiet hours. Share one between
    threads and tasks; verifiers of several processes share the limits through one
    ``sqlite:PATH`` or ``redis://`` store (and the same ``secret``)."""

    def __new__(
        cls,
        channels: Router | Client | Sequence[Router | Client | _Config],
        config: _Config,
    ) -> Verifier:
        """``channels``: one router, or a list of routers, one per channel (an SMS router and a
        voice router), or a list of Clients and config dicts, grouped by product in order.
        ``config`` is a dict in the verifier schema: ``secret`` (at least 16 bytes) and
        optionally ``store``, ``code_length``, ``ttl_secs``, ``max_attempts``,
        ``cooldown_secs``, ``number_hourly_cap``, ``number_daily_cap``, ``key_hourly_cap``,
        ``key_daily_cap``, ``quiet_hours``, ``workflow`` (e.g. ``["sms", "voice"]``: the first
        send of a code by SMS, a resend by voice, with the same code). Opens the store."""
    def start(
        self,
        to: str,
        *,
        code: str | None = None,
        key: str | None = None,
        channel: Product | None = None,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> Verification:
        """Makes a code (or takes ``code``), reserves it for ``to`` and sends it: by ``channel``
        when given, else by the workflow's first channel, or its next one when this is a resend
        within the live code's lifetime, which sends the same code. ``key`` (a client IP, an
        account id) counts the start against the per-key caps.

        Raises ``RateLimited`` or ``QuietHours`` (with ``retry_after``), ``InvalidInput``,
        ``StoreUnavailable`` or the send's error, with no call placed. A send whose outcome is
        unknown returns a ``Verification`` that ``may_have_been_sent``."""
    def start_async(
        self,
        to: str,
        *,
        code: str | None = None,
        key: str | None = None,
        channel: Product | None = None,
        play_times: int | None = None,
        user_data: str | None = None,
        status_url: str | None = None,
        fee_url: str | None = None,
        pre_tone: str | None = None,
        pos_tone: str | None = None,
        return_idle_port: bool | None = None,
    ) -> asyncio.Future[Verification]:
        """``start`` for asyncio. Needs a running event loop."""
    def check(self, to: str, code: str) -> Check:
        """Checks the code the user typed. A malformed code raises ``InvalidInput`` (and uses
        no attempt); every other answer is a ``Check``."""
    def check_async(self, to: str, code: str) -> asyncio.Future[Check]: ...
    def cancel(self, to: str) -> None:
        """Cancels the number's pending verification: later checks answer ``canceled``."""
    def cancel_async(self, to: str) -> asyncio.Future[None]: ...
    def clear(self, to: str) -> None:
        """Forgets everything stored about the number (codes, cooldown, caps), even a record
        that cannot be read, which ``start``, ``check`` and ``cancel`` refuse with
        ``StoreUnavailable``. An operator's tool."""
    def clear_async(self, to: str) -> asyncio.Future[None]: ...

def parse_push(vendor: str, headers: list[tuple[str, str]], body: bytes) -> list[CallEvent]: ...
def push_ack(vendor: str) -> tuple[str, str] | None: ...
def verify_huawei_report(
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    url: str,
    app_key: str,
    app_secret: str,
    window_seconds: float = 900.0,
) -> None: ...

@final
class HuaweiPushVerifier:
    def __new__(
        cls, app_secret: str, url: str, *, window_seconds: float = 300.0
    ) -> HuaweiPushVerifier: ...
    def verify(self, headers: list[tuple[str, str]]) -> None: ...

@final
class Deduplicator:
    """Remembers which events were handled (by vendor, message id and event kind), so that
    repeated pushes are handled once. Bounded: the oldest are forgotten first."""

    def __new__(cls, capacity: int = 100000) -> Deduplicator: ...
    def first_time(self, event: CallEvent) -> bool:
        """True the first time an event is seen, False for its repeats."""

@final
class _Simulator:
    def __new__(
        cls,
        *,
        port: int = 0,
        balances: dict[str, int] | None = None,
        cloud10658_receipt_url: str | None = None,
        aliyun_report_url: str | None = None,
        tencent_callback_url: str | None = None,
    ) -> _Simulator: ...
    @property
    def base_url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def config(self, vendor_name: str, product_name: str = ...) -> Any: ...
    def inject(
        self,
        vendor_name: str,
        fault_name: str,
        *,
        times: int = 1,
        code: str | None = None,
        ms: int | None = None,
    ) -> None: ...
    def clear_faults(self) -> None: ...
    def set_call_outcome(self, outcome: str) -> None: ...
    def set_balance(self, vendor_name: str, units: int) -> None: ...
    def balance(self, vendor_name: str) -> int | None: ...
    def journal(self) -> Any: ...
    def clear_journal(self) -> None: ...
    def count(self, vendor_name: str, operation_name: str) -> int: ...
    def last_code(self, to: str) -> str | None: ...
    def close(self) -> None: ...

def simulator_facts() -> dict[str, Any]: ...
