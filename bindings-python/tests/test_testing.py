"""voicecode.testing.Simulator: what users get to test their own code offline."""

from __future__ import annotations

from typing import Any

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.testing import DEFAULT_BALANCE, Simulator


def test_the_simulator_is_a_context_manager_that_closes(sim: Simulator) -> None:
    with Simulator() as other:
        assert other.base_url == f"http://127.0.0.1:{other.port}"
        assert not other.closed
        config = other.config("ytx")
    assert other.closed
    with pytest.raises(RuntimeError, match="closed"):
        other.journal()
    with pytest.raises(voicecode.Network) as caught:
        voicecode.Client(config).send_code(MOBILE, CODE)
    assert caught.value.outcome == "not_sent"
    other.close()  # idempotent


def test_configs_are_fresh_dicts_in_the_core_schema(sim: Simulator) -> None:
    config = sim.config("huawei")
    assert config["vendor"] == "huawei"
    assert config["base_url"] == sim.base_url
    config["timeout_ms"] = 1
    assert "timeout_ms" not in sim.config("huawei")


def test_balances_can_be_set_and_run_out(sim: Simulator) -> None:
    assert sim.balance("ihuyi") == DEFAULT_BALANCE
    assert sim.balance("huawei") is None
    sim.set_balance("ihuyi", 1)
    client = voicecode.Client(sim.config("ihuyi"))
    client.send_code(MOBILE, CODE)
    assert sim.balance("ihuyi") == 0
    with pytest.raises(voicecode.InsufficientBalance) as caught:
        client.send_code(MOBILE, CODE)
    assert caught.value.outcome == "refused"
    with Simulator(balances={"cloud10658": 7}) as other:
        assert other.balance("cloud10658") == 7


def test_faults_are_used_up_and_cleared(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ytx"))
    sim.inject("ytx", "http_5xx_html", times=2)
    for _ in range(2):
        with pytest.raises(voicecode.Protocol):
            client.send_code(MOBILE, CODE)
    client.send_code(MOBILE, CODE)
    sim.inject("ytx", "http_5xx_html")
    sim.clear_faults()
    client.send_code(MOBILE, CODE)
    verdicts = [entry["verdict"] for entry in sim.journal()]
    assert verdicts == ["fault", "fault", "accepted", "accepted"]
    sim.clear_journal()
    assert sim.journal() == [] and sim.count("ytx", "send_code") == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.inject("ytx", "meteor"), "unknown fault"),
        (lambda s: s.inject("ytx", "latency"), "ms"),
        (lambda s: s.inject("ytx", "vendor_code"), "code"),
        (lambda s: s.count("ytx", "send"), "unknown operation"),
        (lambda s: s.set_call_outcome("hung_up"), "unknown call outcome"),
    ],
)
def test_bad_simulator_arguments_are_value_errors(sim: Simulator, call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(sim)


def test_an_unknown_vendor_is_invalid_input_naming_vendor(sim: Simulator) -> None:
    with pytest.raises(voicecode.InvalidInput) as caught:
        sim.config("acme")  # type: ignore[arg-type]
    assert caught.value.field == "vendor"


def test_the_last_code_sent_to_a_number_can_be_read_back(sim: Simulator) -> None:
    assert sim.last_code(MOBILE) is None
    voicecode.Client(sim.config("huawei")).send_code(f"+86{MOBILE}", "7305")
    assert sim.last_code(MOBILE) == "7305"
    assert sim.last_code(f"+86{MOBILE}") == "7305"
    sim.set_balance("ytx", 0)
    with pytest.raises(voicecode.InsufficientBalance):
        voicecode.Client(sim.config("ytx")).send_code(MOBILE, "1111")
    assert sim.last_code(MOBILE) == "7305"


def test_sms_configs_are_served_for_the_vendors_that_have_an_sms_product(sim: Simulator) -> None:
    config = sim.config("aliyun", "sms")
    assert config["product"] == "sms"
    assert config["vendor"] == "aliyun"
    assert "product" not in sim.config("aliyun")
    with pytest.raises(voicecode.InvalidInput) as caught:
        sim.config("ytx", "sms")
    assert caught.value.field == "product"
    with pytest.raises(voicecode.InvalidInput):
        sim.config("aliyun", "fax")  # type: ignore[arg-type]
