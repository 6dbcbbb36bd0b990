"""Every vendor's operations through the package, against the simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import pickle
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.testing import CAPTCHA_ANSWER, DEFAULT_BALANCE, VENDOR_CODES, Simulator

VOICE_VENDORS = ["ytx", "huawei", "ihuyi", "cloud10658", "aliyun", "tencent"]
BALANCE_VENDORS = {"ytx": "yuan", "ihuyi": "units", "cloud10658": "units"}


@pytest.mark.parametrize("vendor", VOICE_VENDORS)
def test_send_code_returns_the_vendors_receipt_and_reaches_it_once(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    client = voicecode.Client(sim.config(vendor))
    receipt = client.send_code(MOBILE, CODE)
    assert isinstance(receipt, voicecode.Receipt)
    assert receipt.vendor == vendor
    assert receipt.message_id
    # Tencent's success has no code; its receipt carries the RequestId instead.
    assert receipt.vendor_code or (vendor == "tencent" and receipt.vendor_message)
    assert sim.count(vendor, "send_code") == 1
    [entry] = sim.journal()
    assert entry["verdict"] == "accepted"
    assert entry["phone"].endswith(MOBILE)


@pytest.mark.parametrize("vendor", VOICE_VENDORS)
def test_send_code_async_returns_the_same_receipt_shape(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    client = voicecode.Client(sim.config(vendor))

    async def send() -> voicecode.Receipt:
        return await client.send_code_async(MOBILE, CODE)

    receipt = asyncio.run(send())
    assert receipt.vendor == vendor and receipt.message_id
    assert sim.count(vendor, "send_code") == 1


@pytest.mark.parametrize("vendor", sorted(BALANCE_VENDORS))
def test_balance_reads_the_account_in_its_unit(sim: Simulator, vendor: voicecode.Vendor) -> None:
    client = voicecode.Client(sim.config(vendor))
    balance = client.balance()
    assert balance.vendor == vendor
    assert balance.unit == BALANCE_VENDORS[vendor]
    assert Decimal(balance.amount) > 0
    assert sim.count(vendor, "balance") == 1


@pytest.mark.parametrize("vendor", ["ihuyi", "cloud10658"])
def test_balance_counts_down_with_each_send(sim: Simulator, vendor: voicecode.Vendor) -> None:
    client = voicecode.Client(sim.config(vendor))
    client.send_code(MOBILE, CODE)
    assert Decimal(client.balance().amount) == DEFAULT_BALANCE - 1


@pytest.mark.parametrize("vendor", sorted(BALANCE_VENDORS))
def test_balance_async_matches_the_blocking_balance(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    client = voicecode.Client(sim.config(vendor))

    async def read() -> voicecode.Balance:
        return await client.balance_async()

    assert asyncio.run(read()) == client.balance()


@pytest.mark.parametrize("vendor", ["huawei", "oneaccess", "aliyun"])
def test_balance_of_a_vendor_without_a_balance_api_is_refused_before_sending(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    client = voicecode.Client(sim.config(vendor))
    with pytest.raises(voicecode.VoiceCodeError) as caught:
        client.balance()
    assert caught.value.outcome == "not_sent"
    assert sim.journal() == []


def test_cloud10658_receipt_reports_the_units_left(sim: Simulator) -> None:
    receipt = voicecode.Client(sim.config("cloud10658")).send_code(MOBILE, CODE)
    assert receipt.remaining == DEFAULT_BALANCE - 1


def test_aliyun_sends_user_data_as_out_id_and_refuses_what_out_id_cannot_hold(
    sim: Simulator,
) -> None:
    client = voicecode.Client(sim.config("aliyun"))
    receipt = client.send_code(MOBILE, CODE, play_times=2, user_data="order-42")
    assert (receipt.vendor_code, receipt.vendor_message) == ("OK", "OK")
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.send_code("13800138001", CODE, user_data="x" * 16)
    assert (caught.value.field, caught.value.outcome) == ("user_data", "not_sent")
    assert sim.count("aliyun", "send_code") == 1


def test_huawei_reports_idle_ports_when_asked(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("huawei"))
    assert client.send_code(MOBILE, CODE).idle_ports is None
    assert client.send_code(MOBILE, CODE, return_idle_port=True).idle_ports is not None


def test_huawei_takes_its_per_call_options(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("huawei"))
    receipt = client.send_code(
        "+8613800138000", "123456", play_times=2, user_data="order-7", pre_tone="hello.wav"
    )
    assert receipt.vendor == "huawei"


def test_oneaccess_captcha_then_sms_code(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("oneaccess"))
    captcha = client.captcha()
    assert captcha.token and captcha.original_image_base64 and captcha.jigsaw_image_base64
    x, y = CAPTCHA_ANSWER
    token = client.verify_captcha(captcha.token, x, y, MOBILE)
    assert isinstance(token, str) and token
    client.send_sms_code(MOBILE, "login", token)
    for operation in ("captcha", "verify_captcha", "send_sms_code"):
        assert sim.count("oneaccess", operation) == 1


def test_oneaccess_async_flow(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("oneaccess"))

    async def flow() -> None:
        captcha = await client.captcha_async()
        token = await client.verify_captcha_async(captcha.token, *CAPTCHA_ANSWER, MOBILE)
        await client.send_sms_code_async(MOBILE, "register", token)

    asyncio.run(flow())
    assert sim.count("oneaccess", "send_sms_code") == 1


def test_oneaccess_wrong_slider_position_is_invalid_input(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("oneaccess"))
    captcha = client.captcha()
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.verify_captcha(captcha.token, 0.0, 0.0, MOBILE)
    assert caught.value.outcome == "refused"
    assert caught.value.vendor == "oneaccess"


def test_results_are_immutable_comparable_and_convert_to_the_core_shape(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("cloud10658"))
    receipt = client.send_code(MOBILE, CODE)
    with pytest.raises(AttributeError):
        receipt.message_id = "x"  # type: ignore[misc]
    assert receipt.to_dict() == {
        "vendor": "cloud10658",
        "message_id": receipt.message_id,
        "vendor_code": receipt.vendor_code,
        "vendor_message": receipt.vendor_message,
        "remaining": receipt.remaining,
    }
    json.dumps(receipt.to_dict())
    balance = client.balance()
    assert balance.to_dict() == {"vendor": "cloud10658", "amount": balance.amount, "unit": "units"}
    assert balance == client.balance()
    assert repr(balance) == f"Balance(vendor='cloud10658', amount='{balance.amount}', unit='units')"


def test_captcha_repr_shows_lengths_not_images(sim: Simulator) -> None:
    captcha = voicecode.Client(sim.config("oneaccess")).captcha()
    assert captcha.original_image_base64 not in repr(captcha)
    assert captcha.token not in repr(captcha)


@pytest.mark.parametrize("vendor", voicecode.VENDORS)
def test_client_repr_and_errors_never_show_the_secret(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    config = sim.config(vendor)
    secrets = [
        str(v)
        for k, v in config.items()
        if k in ("auth_token", "app_secret", "api_key", "secret_key")
    ]
    secrets += [config["app_key"]] if vendor == "cloud10658" else []
    client = voicecode.Client(config)
    assert repr(client) == f"Client(vendor='{vendor}')"
    sim.inject(vendor, "vendor_code", code=VENDOR_CODES[vendor][0][0])
    with pytest.raises(voicecode.VoiceCodeError) as caught:
        if vendor == "oneaccess":
            client.captcha()
        else:
            client.send_code(MOBILE, CODE)
    shown = str(caught.value) + repr(caught.value) + json.dumps(caught.value.to_dict())
    for secret in secrets:
        assert secret not in shown


def test_client_from_json_and_toml_files(sim: Simulator, tmp_path: Path) -> None:
    config = sim.config("ihuyi")
    as_json = tmp_path / "ihuyi.json"
    as_json.write_text(json.dumps(config))
    as_toml = tmp_path / "ihuyi.toml"
    as_toml.write_text("".join(f'{k} = "{v}"\n' for k, v in config.items()))
    for path in (as_json, str(as_toml)):
        assert voicecode.Client.from_file(path).send_code(MOBILE, CODE).vendor == "ihuyi"
    assert sim.count("ihuyi", "send_code") == 2


def test_client_from_file_takes_a_missing_secret_from_the_environment(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = sim.config("ihuyi")
    api_key = config.pop("api_key")
    path = tmp_path / "ihuyi.json"
    path.write_text(json.dumps(config))
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client.from_file(path)
    assert caught.value.field == "api_key"
    monkeypatch.setenv("VOICECODE_API_KEY", api_key)
    assert voicecode.Client.from_file(path).send_code(MOBILE, CODE).vendor == "ihuyi"


def test_client_from_a_missing_file_is_invalid_config(tmp_path: Path) -> None:
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client.from_file(tmp_path / "nope.toml")
    assert "nope.toml" in str(caught.value)


def test_errors_survive_pickling_with_every_field(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ihuyi"))
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.send_code(MOBILE, "1")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is voicecode.InvalidInput
    assert copy.to_dict() == caught.value.to_dict()


def test_attempts_are_frozen_dataclasses() -> None:
    attempt = voicecode.Attempt("ytx", "rate_limited", "refused", "-201", "m", False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        attempt.kind = "timeout"  # type: ignore[misc]


@pytest.mark.parametrize("vendor", ["huawei", "aliyun"])
def test_a_forked_child_never_replays_its_parents_nonces(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    # Huawei and Alibaba Cloud refuse a nonce they have seen. A worker forked from a process that
    # already signed (PHP-FPM, gunicorn, multiprocessing's fork) inherits its nonce generator:
    # unless it is reseeded, parent and child sign their next requests with the same nonce.
    # A number per send: Alibaba Cloud limits sends to one number a minute.
    numbers = ["13800138001", "13800138002", "13800138003"]
    voicecode.Client(sim.config(vendor)).send_code(numbers[0], CODE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads, on 3.12+
        pid = os.fork()
    if pid == 0:
        try:
            voicecode.Client(sim.config(vendor)).send_code(numbers[1], CODE)
            os._exit(0)
        except BaseException:
            os._exit(1)
    voicecode.Client(sim.config(vendor)).send_code(numbers[2], CODE)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child's send was refused"
    assert sim.count(vendor, "send_code") == 3
    assert [e["verdict"] for e in sim.journal()] == ["accepted"] * 3


SMS_VENDORS = ["huawei", "ihuyi", "aliyun", "tencent"]


@pytest.mark.parametrize("vendor", SMS_VENDORS)
def test_an_sms_product_sends_the_code_by_text_through_the_same_client(
    sim: Simulator, vendor: voicecode.Vendor
) -> None:
    client = voicecode.Client(sim.config(vendor, "sms"))
    assert (client.vendor, client.product) == (vendor, "sms")
    receipt = client.send_code(MOBILE, "482156")
    assert receipt.vendor == vendor
    assert receipt.message_id
    assert sim.count(vendor, "send_sms_code") == 1
    assert sim.count(vendor, "send_code") == 0
    assert sim.last_code(MOBILE) == "482156"


@pytest.mark.parametrize("vendor", SMS_VENDORS)
def test_an_sms_product_sends_async_too(sim: Simulator, vendor: voicecode.Vendor) -> None:
    client = voicecode.Client(sim.config(vendor, "sms"))

    async def send() -> voicecode.Receipt:
        return await client.send_code_async(MOBILE, "4821")

    receipt = asyncio.run(send())
    assert receipt.vendor == vendor
    assert sim.last_code(MOBILE) == "4821"


def test_a_second_sms_within_the_numbers_limit_is_refused(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("tencent", "sms"))
    client.send_code(MOBILE, "4821")
    with pytest.raises(voicecode.RateLimited) as caught:
        client.send_code(MOBILE, "4821")
    assert caught.value.outcome == "refused"
    assert caught.value.vendor_code == "LimitExceeded.PhoneNumberThirtySecondLimit"


def test_an_sms_code_breaking_the_template_rule_is_refused_before_sending(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("aliyun", "sms"))
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.send_code(MOBILE, "48")
    assert caught.value.field == "code"
    assert "4 to 6" in str(caught.value)
    assert sim.journal() == []


def test_voice_and_sms_channels_do_not_mix_in_a_router(sim: Simulator) -> None:
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Router([sim.config("aliyun"), sim.config("aliyun", "sms")])
    assert caught.value.field == "channels"


def test_a_product_the_vendor_lacks_is_named() -> None:
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client(
            {
                "vendor": "ytx",
                "product": "sms",
                "account_sid": "s",
                "auth_token": "t",
                "app_id": "a",
            }
        )
    assert caught.value.field == "product"
