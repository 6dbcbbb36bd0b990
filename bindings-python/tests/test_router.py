"""Failover through Router: the core's rules, seen from Python."""

from __future__ import annotations

import asyncio

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.testing import VENDOR_CODES, Simulator

LANDLINE = "075528001234"


def code_of(vendor: voicecode.Vendor, kind: voicecode.ErrorKind) -> str:
    return next(f for f, _, k in VENDOR_CODES[vendor] if k == kind)


def test_a_refusal_of_the_account_moves_on_to_the_next_channel(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("ihuyi"), voicecode.Client(sim.config("huawei"))])
    assert router.vendors == ["ihuyi", "huawei"]
    assert repr(router) == "Router(vendors=['ihuyi', 'huawei'])"
    sim.inject("ihuyi", "vendor_code", code=code_of("ihuyi", "insufficient_balance"))
    receipt = router.send_code(MOBILE, CODE)
    assert receipt.vendor == "huawei"
    assert sim.count("ihuyi", "send_code") == 1
    assert sim.count("huawei", "send_code") == 1


def test_an_unknown_outcome_stops_the_failover(sim: Simulator) -> None:
    router = voicecode.Router([{**sim.config("ihuyi"), "timeout_ms": 300}, sim.config("huawei")])
    sim.inject("ihuyi", "hang")
    with pytest.raises(voicecode.Timeout) as caught:
        router.send_code(MOBILE, CODE)
    error = caught.value
    assert error.outcome == "unknown"
    assert [(a.vendor, a.kind, a.outcome, a.skipped) for a in error.attempts] == [
        ("ihuyi", "timeout", "unknown", False)
    ]
    assert sim.count("huawei", "send_code") == 0, "a second call could ring the phone twice"


def test_channels_that_cannot_carry_the_request_are_skipped_and_reported(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("ihuyi"), sim.config("huawei")])
    sim.inject("huawei", "vendor_code", code=code_of("huawei", "rate_limited"))
    with pytest.raises(voicecode.RateLimited) as caught:
        router.send_code(LANDLINE, CODE)  # ihuyi calls mobiles only
    attempts = caught.value.attempts
    assert [(a.vendor, a.skipped) for a in attempts] == [("ihuyi", True), ("huawei", False)]
    assert attempts[0].kind == "invalid_input"
    assert attempts[1].vendor_code is not None
    assert "ihuyi skipped" in str(caught.value)
    assert caught.value.to_dict()["attempts"][0]["skipped"] is True
    assert sim.count("ihuyi", "send_code") == 0


def test_the_router_shares_the_clients_it_is_given(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ytx"))
    router = voicecode.Router([client])
    assert router.send_code(MOBILE, CODE).vendor == "ytx"
    assert client.send_code(MOBILE, CODE).vendor == "ytx"
    assert sim.count("ytx", "send_code") == 2


def test_async_router_fails_over_the_same_way(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("cloud10658"), sim.config("ytx")])
    sim.inject("cloud10658", "vendor_code", code=code_of("cloud10658", "rate_limited"))

    async def send() -> voicecode.Receipt:
        return await router.send_code_async(MOBILE, CODE)

    assert asyncio.run(send()).vendor == "ytx"
    assert sim.count("cloud10658", "send_code") == 1


def test_a_huawei_refusal_fails_over_to_aliyun(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("huawei"), sim.config("aliyun")])
    sim.inject("huawei", "vendor_code", code=code_of("huawei", "rate_limited"))
    receipt = router.send_code(MOBILE, CODE)
    assert receipt.vendor == "aliyun"
    assert (sim.count("huawei", "send_code"), sim.count("aliyun", "send_code")) == (1, 1)


def test_an_unknown_huawei_outcome_never_reaches_aliyun(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("huawei"), sim.config("aliyun")])
    sim.inject("huawei", "http_5xx_html")
    with pytest.raises(voicecode.Protocol) as caught:
        router.send_code(MOBILE, CODE)
    assert caught.value.outcome == "unknown"
    assert sim.count("aliyun", "send_code") == 0


def test_a_huawei_rate_limit_moves_on_to_tencent(sim: Simulator) -> None:
    router = voicecode.Router([sim.config("huawei"), sim.config("tencent")])
    sim.inject("huawei", "vendor_code", code=code_of("huawei", "rate_limited"))
    receipt = router.send_code(MOBILE, CODE)
    assert receipt.vendor == "tencent"
    assert (sim.count("huawei", "send_code"), sim.count("tencent", "send_code")) == (1, 1)
