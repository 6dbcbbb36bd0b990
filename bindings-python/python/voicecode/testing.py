"""An in-process simulator of every vendor, to test code that uses voicecode offline.

The simulator speaks each vendor's real protocol on 127.0.0.1 (signatures, codes, balances,
call-status pushes) with demo accounts, and can be told to misbehave::

    from voicecode.testing import Simulator

    with Simulator() as sim:
        client = voicecode.Client(sim.config("huawei"))
        sim.inject("huawei", "vendor_code", code="1013001")   # next request is refused
        ...
        assert sim.count("huawei", "send_code") == 1

Fault names: ``latency`` (``ms=``, on every request until :meth:`Simulator.clear_faults`),
``vendor_code`` (``code=``), ``http_5xx_html``, ``http_500``, ``reset_before_answer``, ``hang``,
``truncated_body``, ``truncated_json``, ``truncated_xml``, ``slow_drip``, ``non_utf8_body``,
``oversized_body``, ``huge_body`` (each for ``times=`` requests).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Literal

from . import _voicecode
from ._types import ErrorKind, Product, Vendor

__all__ = [
    "CAPTCHA_ANSWER",
    "DEFAULT_BALANCE",
    "HUAWEI_APP_SECRET",
    "VENDOR_CODES",
    "CallOutcome",
    "FaultName",
    "Operation",
    "Simulator",
]

FaultName = Literal[
    "latency",
    "vendor_code",
    "http_5xx_html",
    "http_500",
    "reset_before_answer",
    "hang",
    "truncated_body",
    "truncated_json",
    "truncated_xml",
    "slow_drip",
    "non_utf8_body",
    "oversized_body",
    "huge_body",
]
"""What can go wrong on a vendor's next requests."""

Operation = Literal["send_code", "balance", "captcha", "verify_captcha", "send_sms_code"]
"""What a request asked the vendor to do, as the journal records it."""

CallOutcome = Literal["answered", "busy", "no_answer"]
"""How the simulated calls of later sends end (Huawei status pushes, cloud10658 receipts,
Tencent callbacks)."""

_FACTS = _voicecode.simulator_facts()

CAPTCHA_ANSWER: tuple[float, float] = _FACTS["captcha_answer"]
"""Where the slider piece of every simulated OneAccess captcha fits: pass it to
``verify_captcha`` as ``x, y``."""

DEFAULT_BALANCE: int = _FACTS["default_balance"]
"""Units each account with a balance (ytx, ihuyi, cloud10658, aliyun, tencent) starts with; a send
costs 1."""

HUAWEI_APP_SECRET: str = _FACTS["huawei_app_secret"]
"""The demo Huawei app's secret, which signs the simulator's status pushes."""

VENDOR_CODES: Mapping[Vendor, list[tuple[str, str, ErrorKind]]] = _FACTS["vendor_codes"]
"""Each vendor's documented refusal codes as ``(fault_code, vendor_code, kind)``: inject
``fault_code`` as a ``vendor_code`` fault to get a refusal of that ``kind``."""


class Simulator:
    """A simulator of every vendor, listening on 127.0.0.1 from the moment it is created.

    Use it as a context manager, or call :meth:`close`. ``balances`` sets starting balances in
    units (default :data:`DEFAULT_BALANCE`); ``cloud10658_receipt_url`` is where cloud10658
    receipts are posted after each accepted send, ``aliyun_report_url`` where Alibaba Cloud
    ``VoiceReport`` records are, ``tencent_callback_url`` where Tencent VMS callbacks are.
    Huawei status pushes go to the config's
    ``status_url``, signed with :data:`HUAWEI_APP_SECRET`.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        *,
        balances: Mapping[Vendor, int] | None = None,
        cloud10658_receipt_url: str | None = None,
        aliyun_report_url: str | None = None,
        tencent_callback_url: str | None = None,
        port: int = 0,
    ) -> None:
        self._native = _voicecode._Simulator(
            port=port,
            balances={str(k): v for k, v in balances.items()} if balances is not None else None,
            cloud10658_receipt_url=cloud10658_receipt_url,
            aliyun_report_url=aliyun_report_url,
            tencent_callback_url=tencent_callback_url,
        )

    def __enter__(self) -> Simulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:{port}``: the ``base_url`` of every config it gives."""
        return self._native.base_url

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._native.port

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._native.closed

    def config(self, vendor: Vendor, product: Product = "voice") -> dict[str, Any]:
        """A ready config for the demo account of the vendor's ``product`` (``"sms"`` for its SMS
        product) pointing at this simulator (a new dict: add ``timeout_ms``, ``status_url``… as
        needed). A product the vendor lacks raises :class:`voicecode.InvalidInput`."""
        config: dict[str, Any] = self._native.config(vendor, product)
        return config

    def inject(
        self,
        vendor: Vendor,
        fault: FaultName,
        *,
        times: int = 1,
        code: str | None = None,
        ms: int | None = None,
    ) -> None:
        """Makes the vendor's next ``times`` requests fail with ``fault`` (``latency`` lasts
        until :meth:`clear_faults`)."""
        self._native.inject(vendor, fault, times=times, code=code, ms=ms)

    def clear_faults(self) -> None:
        """Removes every pending fault of every vendor."""
        self._native.clear_faults()

    def set_call_outcome(self, outcome: CallOutcome) -> None:
        """How the calls of later accepted sends end."""
        self._native.set_call_outcome(outcome)

    def set_balance(self, vendor: Vendor, units: int) -> None:
        """Sets an account's balance in units (ytx, ihuyi, cloud10658, aliyun)."""
        self._native.set_balance(vendor, units)

    def balance(self, vendor: Vendor) -> int | None:
        """An account's balance in units, for vendors that have one."""
        return self._native.balance(vendor)

    def journal(self) -> list[dict[str, Any]]:
        """Every request that reached a vendor endpoint, oldest first: ``vendor``,
        ``operation``, ``method``, ``path``, ``phone``, ``verdict`` (``accepted``, ``refused``
        with ``code``, or ``fault`` with ``fault``) and ``at``."""
        entries: list[dict[str, Any]] = self._native.journal()
        return entries

    def clear_journal(self) -> None:
        """Forgets every journaled request."""
        self._native.clear_journal()

    def count(self, vendor: Vendor, operation: Operation) -> int:
        """How many requests of this operation reached this vendor, whatever their verdict."""
        return self._native.count(vendor, operation)

    def last_code(self, to: str) -> str | None:
        """The code the last accepted send-code to ``to`` would have spoken or texted, whichever
        vendor and product took it, for end-to-end tests of a sign-up flow without a phone.
        ``to`` may be written either way (``13800138000`` or ``+8613800138000``). ``None`` when
        no send to that number was accepted: refused and faulted sends record nothing, nor does
        OneAccess, whose SMS code is its own."""
        return self._native.last_code(to)

    def close(self) -> None:
        """Stops the server and closes every connection. Idempotent."""
        self._native.close()

    def __repr__(self) -> str:
        return f"Simulator(base_url={self.base_url!r})"
