"""Every error kind reaches Python as its own exception class, with its outcome and the core's
fields; builtin bases let generic handlers catch them too."""

from __future__ import annotations

import asyncio
from typing import get_args

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.errors import ERROR_CLASSES
from voicecode.testing import VENDOR_CODES, Simulator

REFUSED_KINDS: list[voicecode.ErrorKind] = [
    "invalid_input",
    "invalid_config",
    "auth_failed",
    "forbidden",
    "rate_limited",
    "insufficient_balance",
    "recipient_blocked",
    "content_rejected",
    "vendor_error",
]


def test_every_core_error_kind_has_a_class_and_a_literal() -> None:
    assert set(voicecode.ERROR_KINDS) == set(ERROR_CLASSES)
    assert set(voicecode.ERROR_KINDS) == set(get_args(voicecode.ErrorKind))
    assert set(voicecode.VENDORS) == set(get_args(voicecode.Vendor))
    for kind, cls in ERROR_CLASSES.items():
        assert cls.kind == kind
        assert issubclass(cls, voicecode.VoiceCodeError)
        assert getattr(voicecode, cls.__name__) is cls


def test_builtin_bases_where_they_mean_the_same() -> None:
    assert issubclass(voicecode.InvalidInput, ValueError)
    assert issubclass(voicecode.Timeout, TimeoutError)
    assert issubclass(voicecode.Network, ConnectionError)
    assert not issubclass(voicecode.Protocol, (ValueError, OSError))


def first_code(kind: voicecode.ErrorKind) -> tuple[voicecode.Vendor, str, str]:
    """A vendor and one of its documented codes that the core maps to ``kind``."""
    for vendor in ("ihuyi", "ytx", "huawei", "cloud10658", "aliyun"):
        for fault_code, vendor_code, code_kind in VENDOR_CODES[vendor]:
            if code_kind == kind:
                return vendor, fault_code, vendor_code
    raise AssertionError(f"no voice vendor documents a code of kind {kind}")


@pytest.mark.parametrize("kind", REFUSED_KINDS)
def test_a_vendor_code_is_refused_with_its_kind(sim: Simulator, kind: voicecode.ErrorKind) -> None:
    vendor, fault_code, vendor_code = first_code(kind)
    client = voicecode.Client(sim.config(vendor))
    sim.inject(vendor, "vendor_code", code=fault_code)
    with pytest.raises(ERROR_CLASSES[kind]) as caught:
        client.send_code(MOBILE, CODE)
    error = caught.value
    assert error.kind == kind
    assert error.outcome == "refused"
    assert error.vendor == vendor
    assert error.vendor_code == vendor_code
    assert error.vendor_message is not None
    assert error.http_status is not None
    assert error.retryable == (kind in ("rate_limited", "vendor_error"))
    assert error.attempts == ()
    assert error.to_dict()["kind"] == kind
    assert sim.count(vendor, "send_code") == 1


def test_invalid_input_is_caught_before_sending(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ihuyi"))
    with pytest.raises(ValueError) as caught:
        client.send_code(MOBILE, "12")  # ihuyi speaks 4 to 6 digits
    error = caught.value
    assert isinstance(error, voicecode.InvalidInput)
    assert (error.kind, error.outcome, error.field) == ("invalid_input", "not_sent", "code")
    assert error.retryable is False
    assert sim.journal() == []


def test_invalid_config_names_the_key() -> None:
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client({"vendor": "ihuyi", "account": "VM1"})
    assert (caught.value.outcome, caught.value.field) == ("not_sent", "api_key")
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client({"vendor": "ihuyi", "account": "VM1", "api_key": "k", "staus_url": "x"})
    assert caught.value.field == "staus_url"
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client({"vendor": "nope"})
    assert caught.value.field == "vendor"


def test_no_answer_in_time_is_a_timeout_with_unknown_outcome(sim: Simulator) -> None:
    client = voicecode.Client({**sim.config("huawei"), "timeout_ms": 300})
    sim.inject("huawei", "hang")
    with pytest.raises(TimeoutError) as caught:
        client.send_code(MOBILE, CODE)
    error = caught.value
    assert isinstance(error, voicecode.Timeout)
    assert (error.outcome, error.vendor, error.retryable) == ("unknown", "huawei", False)
    assert "may have reached the vendor" in str(error)
    assert sim.count("huawei", "send_code") == 1


def test_a_connection_broken_mid_request_is_network_with_unknown_outcome(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ytx"))
    sim.inject("ytx", "reset_before_answer")
    with pytest.raises(ConnectionError) as caught:
        client.send_code(MOBILE, CODE)
    assert isinstance(caught.value, voicecode.Network)
    assert caught.value.outcome == "unknown"


def test_a_refused_connection_is_network_with_not_sent_outcome() -> None:
    with Simulator() as gone:
        config = gone.config("ihuyi")
    with pytest.raises(voicecode.Network) as caught:
        voicecode.Client(config).send_code(MOBILE, CODE)
    assert caught.value.outcome == "not_sent"
    assert caught.value.retryable is True


@pytest.mark.parametrize("fault", ["http_5xx_html", "non_utf8_body", "oversized_body"])
def test_an_unreadable_answer_is_protocol_with_unknown_outcome(
    sim: Simulator, fault: voicecode.testing.FaultName
) -> None:
    client = voicecode.Client(sim.config("cloud10658"))
    sim.inject("cloud10658", fault)
    with pytest.raises(voicecode.Protocol) as caught:
        client.send_code(MOBILE, CODE)
    assert caught.value.outcome == "unknown"
    assert caught.value.http_status is not None


def test_async_calls_raise_the_same_exceptions(sim: Simulator) -> None:
    vendor, fault_code, _ = first_code("rate_limited")
    client = voicecode.Client({**sim.config(vendor), "timeout_ms": 300})

    async def send_twice() -> None:
        sim.inject(vendor, "hang")
        with pytest.raises(voicecode.Timeout) as timed_out:
            await client.send_code_async(MOBILE, CODE)
        assert timed_out.value.outcome == "unknown"
        sim.inject(vendor, "vendor_code", code=fault_code)
        with pytest.raises(voicecode.RateLimited) as refused:
            await client.send_code_async(MOBILE, CODE)
        assert (refused.value.outcome, refused.value.retryable) == ("refused", True)

    asyncio.run(send_twice())


VERIFIER_KINDS: list[voicecode.ErrorKind] = ["quiet_hours", "store_unavailable"]


def test_the_verifier_kinds_have_classes_and_keep_retry_after() -> None:
    # The core's verifier refuses with these before any call; the error JSON carries the wait.
    from voicecode.errors import _from_core

    for kind in VERIFIER_KINDS:
        info: dict[str, object] = {
            "kind": kind,
            "outcome": "not_sent",
            "vendor": None,
            "field": None,
            "vendor_code": None,
            "vendor_message": None,
            "http_status": None,
            "retryable": True,
            "retry_after": 60,
            "message": "m",
            "attempts": [],
        }
        error = _from_core(info)
        assert isinstance(error, ERROR_CLASSES[kind])
        assert error.retry_after == 60
        assert error.to_dict() == info


def test_the_cases_above_cover_every_kind() -> None:
    covered = set(REFUSED_KINDS) | set(VERIFIER_KINDS) | {"timeout", "network", "protocol"}
    assert covered == set(voicecode.ERROR_KINDS)
