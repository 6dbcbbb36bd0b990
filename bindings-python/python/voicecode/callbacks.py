"""Call-status pushes from the vendors, as one event model, and their authentication.

A receiver for Huawei status pushes checks the push first, then parses it and handles each event
once::

    verifier = callbacks.HuaweiPushVerifier(app_secret, "https://example.com/voicecode/status")
    dedup = callbacks.Deduplicator()

    def on_push(headers, body):                       # in your web framework's handler
        verifier.verify(headers)                      # raises AuthFailed: answer 401
        for event in callbacks.parse("huawei", headers, body):
            if dedup.first_time(event):
                ...                                   # event.message_id, event.event, ...

cloud10658 receipts, Alibaba Cloud VoiceReport pushes and Tencent VMS callbacks are unsigned:
put a secret in the receipt or callback URL and check it before parsing. Answer every push
you took with HTTP 200 and ``ack(vendor)`` (Alibaba Cloud and Tencent read its body; they
push again otherwise).
Headers may be any mapping or a list of ``(name, value)`` pairs (Flask's ``request.headers``,
Starlette's, Django's ``request.headers``); bodies are the raw bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import NamedTuple, Protocol, Union

from . import _voicecode
from ._types import Vendor
from ._voicecode import ALIYUN_REPORT_ACK, TENCENT_CALLBACK_ACK, CallEvent, Deduplicator

__all__ = [
    "ALIYUN_REPORT_ACK",
    "TENCENT_CALLBACK_ACK",
    "CallEvent",
    "Deduplicator",
    "Headers",
    "HuaweiPushVerifier",
    "PushAck",
    "ack",
    "parse",
    "verify_huawei",
    "verify_huawei_report",
]


class _HasItems(Protocol):
    def items(self) -> Iterable[tuple[str, str]]: ...


Headers = Union[_HasItems, Iterable[tuple[str, str]]]
"""A request's headers: a mapping (anything with ``.items()``) or ``(name, value)`` pairs."""

Body = Union[bytes, bytearray, memoryview, str]
"""A request's raw body; text is encoded as UTF-8."""


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    """A framework's header object (anything with ``.items()``) as a list; the core checks it."""
    return list(headers.items() if hasattr(headers, "items") else headers)


def _bytes(body: Body) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or str, not {type(body).__name__}")


def parse(vendor: Vendor, headers: Headers, body: Body) -> list[CallEvent]:
    """The events of one push, in the vendor's order.

    ``vendor`` is ``"huawei"`` (status and fee pushes, SMS status reports), ``"ihuyi"`` (SMS
    发送回执), ``"cloud10658"`` (receipts), ``"aliyun"`` (VoiceReport / VoiceCallReport /
    SmsReport arrays) or ``"tencent"`` (``voicecode_callback``, ``voice_failure_callback``, SMS
    status callbacks). Raises
    :class:`~voicecode.InvalidInput` when the body is not such a push; a Huawei ``collectInfo``
    push or a Tencent voice-notice callback gives no event.
    """
    return _voicecode.parse_push(vendor, _pairs(headers), _bytes(body))


class PushAck(NamedTuple):
    """What a receiver answers to a push it took: HTTP 200 with this body and content type."""

    body: str
    content_type: str


def ack(vendor: Vendor) -> PushAck | None:
    """How to acknowledge ``vendor``'s pushes: answer HTTP 200 with ``body`` and a ``Content-Type``
    of ``content_type`` (in Flask, ``return ack.body, 200, {"Content-Type": ack.content_type}``);
    ``None`` for a vendor that sends none."""
    found = _voicecode.push_ack(vendor)
    return None if found is None else PushAck(*found)


class HuaweiPushVerifier:
    """Authenticates Huawei pushes to one status (or fee) URL.

    Checks the ``X-AKSK`` digest (made with ``app_secret`` over ``url`` exactly as configured in
    ``status_url``/``fee_url``), that ``Created`` is within ``window_seconds`` of now, and that
    the nonce was not used before. Share one verifier between requests: it remembers nonces.
    """

    __slots__ = ("_native",)

    def __init__(self, app_secret: str, url: str, *, window_seconds: float = 300.0) -> None:
        self._native = _voicecode.HuaweiPushVerifier(app_secret, url, window_seconds=window_seconds)

    def verify(self, headers: Headers) -> None:
        """Returns if the push is genuine and new; raises :class:`~voicecode.AuthFailed`
        otherwise (answer it with HTTP 401)."""
        self._native.verify(_pairs(headers))

    def __repr__(self) -> str:
        return "HuaweiPushVerifier(app_secret=***)"


_VERIFIERS: dict[tuple[str, str, float], HuaweiPushVerifier] = {}
_VERIFIERS_LOCK = threading.Lock()
_VERIFIERS_MAX = 64


def verify_huawei(
    headers: Headers, url: str, app_secret: str, *, window_seconds: float = 300.0
) -> None:
    """Checks a Huawei push like :meth:`HuaweiPushVerifier.verify`, with one verifier kept per
    ``(url, app_secret)`` so that replayed nonces are caught across calls."""
    key = (url, app_secret, float(window_seconds))
    with _VERIFIERS_LOCK:
        verifier = _VERIFIERS.get(key)
        if verifier is None:
            if len(_VERIFIERS) >= _VERIFIERS_MAX:
                del _VERIFIERS[next(iter(_VERIFIERS))]
            verifier = HuaweiPushVerifier(app_secret, url, window_seconds=window_seconds)
            _VERIFIERS[key] = verifier
    verifier.verify(headers)


def verify_huawei_report(
    headers: Headers,
    body: Body,
    *,
    url: str,
    app_key: str,
    app_secret: str,
    window_seconds: float = 900.0,
) -> None:
    """Checks a Huawei SMS status report pushed to ``url`` (the ``status_url`` as configured)
    with 推送AKSK鉴权 on: its SDK-HMAC-SHA256 signature under the SMS application's ``app_key``
    and ``app_secret``, and ``X-Sdk-Date`` within ``window_seconds`` of now. Raises
    :class:`~voicecode.AuthFailed` when it is unsigned, forged or stale (answer HTTP 401).
    Reports carry no nonce: de-duplicate their events with a :class:`Deduplicator`."""
    _voicecode.verify_huawei_report(
        _pairs(headers),
        _bytes(body),
        url=url,
        app_key=app_key,
        app_secret=app_secret,
        window_seconds=window_seconds,
    )
