"""Call-status pushes sent by the simulator to a local receiver: verified and parsed in Python."""

from __future__ import annotations

import datetime
import json

import pytest
import voicecode
from conftest import CODE, MOBILE, Push, Receiver
from voicecode import callbacks
from voicecode.testing import HUAWEI_APP_SECRET, Simulator


def huawei_pushes(sim: Simulator, receiver: Receiver, count: int) -> tuple[str, list[Push]]:
    config = {
        **sim.config("huawei"),
        "status_url": receiver.url("/status"),
        "fee_url": receiver.url("/fee"),
    }
    receipt = voicecode.Client(config).send_code(MOBILE, CODE, user_data="order-42")
    return receipt.message_id, receiver.wait_for(count)


def test_huawei_status_pushes_verify_and_parse_into_the_calls_events(
    sim: Simulator, receiver: Receiver
) -> None:
    message_id, pushes = huawei_pushes(sim, receiver, 5)
    events = []
    for push in pushes:
        callbacks.verify_huawei(push.headers, receiver.url(push.path), HUAWEI_APP_SECRET)
        events += callbacks.parse("huawei", push.headers, push.body)
    status = [e for e in events if e.event != "fee"]
    assert [e.event for e in status] == ["dialing", "ringing", "answered", "hangup"]
    assert {e.message_id for e in events} == {message_id}
    assert all(e.vendor == "huawei" and e.user_data == "order-42" for e in events)
    hangup = status[-1]
    assert hangup.state_code == 16
    assert isinstance(hangup.at, datetime.datetime)
    assert hangup.at.utcoffset() == datetime.timedelta(0)
    assert hangup.raw["eventType"] == "disconnect"
    assert hangup.to_dict()["event"] == "hangup"
    [fee] = [e for e in events if e.event == "fee"]
    assert fee.talk_seconds is not None
    assert "CallEvent(vendor='huawei'" in repr(fee)


def test_a_busy_line_ends_with_a_hangup_cause_17(sim: Simulator, receiver: Receiver) -> None:
    sim.set_call_outcome("busy")
    config = {**sim.config("huawei"), "status_url": receiver.url("/status")}
    voicecode.Client(config).send_code(MOBILE, CODE)
    pushes = receiver.wait_for(2)
    events = [e for p in pushes for e in callbacks.parse("huawei", dict(p.headers), p.body)]
    assert [(e.event, e.state_code) for e in events] == [("dialing", None), ("hangup", 17)]


def test_a_replayed_or_forged_huawei_push_is_auth_failed(
    sim: Simulator, receiver: Receiver
) -> None:
    _, pushes = huawei_pushes(sim, receiver, 1)
    push = pushes[0]
    url = receiver.url(push.path)
    verifier = callbacks.HuaweiPushVerifier(HUAWEI_APP_SECRET, url)
    assert HUAWEI_APP_SECRET not in repr(verifier)
    verifier.verify(push.headers)
    with pytest.raises(voicecode.AuthFailed) as replayed:
        verifier.verify(push.headers)
    assert "already used" in str(replayed.value)
    with pytest.raises(voicecode.AuthFailed):
        callbacks.HuaweiPushVerifier("not-the-secret", url).verify(push.headers)
    with pytest.raises(voicecode.AuthFailed):
        callbacks.HuaweiPushVerifier(HUAWEI_APP_SECRET, url + "x").verify(push.headers)
    without = [(k, v) for k, v in push.headers if k.lower() != "x-aksk"]
    with pytest.raises(voicecode.AuthFailed) as missing:
        callbacks.verify_huawei(without, url, HUAWEI_APP_SECRET)
    assert missing.value.vendor == "huawei"


def test_verify_huawei_remembers_nonces_across_calls(sim: Simulator, receiver: Receiver) -> None:
    _, pushes = huawei_pushes(sim, receiver, 1)
    url = receiver.url(pushes[0].path)
    callbacks.verify_huawei(pushes[0].headers, url, HUAWEI_APP_SECRET)
    with pytest.raises(voicecode.AuthFailed):
        callbacks.verify_huawei(pushes[0].headers, url, HUAWEI_APP_SECRET)


def test_cloud10658_receipts_parse_into_delivered_events(receiver: Receiver) -> None:
    with Simulator(cloud10658_receipt_url=receiver.url("/receipt")) as sim:
        receipt = voicecode.Client(sim.config("cloud10658")).send_code(MOBILE, CODE)
        [push] = receiver.wait_for(1)
    [event] = callbacks.parse("cloud10658", push.headers, push.body)
    assert (event.vendor, event.event, event.message_id) == (
        "cloud10658",
        "delivered",
        receipt.message_id,
    )
    assert event.phone == MOBILE
    assert event.talk_seconds == 12


def test_sms_delivery_reports_parse_on_the_same_call() -> None:
    aliyun = json.dumps(
        [
            {
                "phone_number": "13800138000",
                "report_time": "2017-01-01 00:00:05",
                "success": True,
                "err_code": "DELIVERED",
                "err_msg": "用户接收成功",
                "biz_id": "900619746936498440^0",
                "out_id": "signup-7",
            }
        ]
    )
    [event] = callbacks.parse("aliyun", {}, aliyun.encode())
    assert (event.event, event.message_id, event.user_data) == (
        "delivered",
        "900619746936498440^0",
        "signup-7",
    )
    assert event.state_desc == "DELIVERED 用户接收成功"
    tencent = json.dumps(
        [
            {
                "user_receive_time": "2015-10-17 08:03:04",
                "nationcode": "86",
                "mobile": "13800138000",
                "report_status": "FAIL",
                "errmsg": "MN:0001",
                "description": "空号",
                "sid": "2433:2",
            }
        ]
    )
    [event] = callbacks.parse("tencent", {}, tencent.encode())
    assert (event.event, event.message_id, event.phone) == ("failed", "2433:2", "+8613800138000")
    assert event.at == datetime.datetime(2015, 10, 17, 0, 3, 4, tzinfo=datetime.timezone.utc)


def test_huawei_sms_status_reports_arrive_at_the_sends_status_url(
    sim: Simulator, receiver: Receiver
) -> None:
    config = {**sim.config("huawei", "sms"), "status_url": receiver.url("/report")}
    receipt = voicecode.Client(config).send_code(MOBILE, CODE, user_data="signup-7")
    [push] = receiver.wait_for(1)
    assert push.path == "/report"
    [event] = callbacks.parse("huawei", push.headers, push.body)
    assert (event.vendor, event.event, event.message_id, event.user_data) == (
        "huawei",
        "delivered",
        receipt.message_id,
        "signup-7",
    )
    assert event.state_desc == "DELIVRD"
    assert event.raw["source"] == "2"
    # The simulator's application has 推送AKSK鉴权 on: the report is signed.
    keys = {k: sim.config("huawei", "sms")[k] for k in ("app_key", "app_secret")}
    callbacks.verify_huawei_report(push.headers, push.body, url=receiver.url("/report"), **keys)
    with pytest.raises(voicecode.AuthFailed):
        callbacks.verify_huawei_report(
            push.headers, push.body + b"&status=DELIVRD", url=receiver.url("/report"), **keys
        )
    with pytest.raises(voicecode.AuthFailed):
        callbacks.verify_huawei_report([], push.body, url=receiver.url("/report"), **keys)
    # The same acknowledgement as the voice pushes: an empty HTTP 200.
    assert callbacks.ack("huawei") == ("", "text/plain; charset=utf-8")


def test_ihuyi_sms_reports_parse_and_are_acknowledged_with_success() -> None:
    body = (
        "code=0&msg=UNDELIV&mobilephone=13800138000&smsid=14745625541233112231"
        "&report_time=2017-08-02+14%3A31%3A51"
    )
    [event] = callbacks.parse("ihuyi", {}, body.encode())
    assert (event.vendor, event.event, event.message_id, event.phone) == (
        "ihuyi",
        "failed",
        "14745625541233112231",
        "13800138000",
    )
    assert (event.state_code, event.state_desc) == (0, "UNDELIV")
    assert event.at == datetime.datetime(2017, 8, 2, 6, 31, 51, tzinfo=datetime.timezone.utc)
    assert callbacks.ack("ihuyi") == ("success", "text/plain; charset=utf-8")


def test_aliyun_voice_reports_parse_into_delivered_events(receiver: Receiver) -> None:
    with Simulator(aliyun_report_url=receiver.url("/aliyun/report")) as sim:
        receipt = voicecode.Client(sim.config("aliyun")).send_code(
            MOBILE, CODE, user_data="order-42"
        )
        [push] = receiver.wait_for(1)
    [event] = callbacks.parse("aliyun", push.headers, push.body)
    assert (event.vendor, event.event, event.message_id) == (
        "aliyun",
        "delivered",
        receipt.message_id,
    )
    assert (event.phone, event.user_data, event.state_code) == (MOBILE, "order-42", 200000)
    assert event.raw["status_msg"] == "用户听完语音"
    # What the receiver answers, so that the platform does not push the record again.
    assert json.loads(callbacks.ALIYUN_REPORT_ACK)["code"] == 0
    assert callbacks.ack("aliyun") == (
        callbacks.ALIYUN_REPORT_ACK,
        "application/json; charset=utf-8",
    )


def test_tencent_callbacks_parse_into_delivered_and_failed_events(receiver: Receiver) -> None:
    with Simulator(tencent_callback_url=receiver.url("/vms")) as sim:
        client = voicecode.Client(sim.config("tencent"))
        answered = client.send_code(MOBILE, CODE)
        [push] = receiver.wait_for(1)
        sim.set_call_outcome("busy")
        busy = client.send_code(MOBILE, CODE)
        [_, busy_push] = receiver.wait_for(2)
    [event] = callbacks.parse("tencent", push.headers, push.body)
    assert (event.vendor, event.event, event.message_id, event.state_code) == (
        "tencent",
        "delivered",
        answered.message_id,
        0,
    )
    assert event.phone == MOBILE
    assert "voicecode_callback" in event.raw
    [failed] = callbacks.parse("tencent", busy_push.headers, busy_push.body)
    assert (failed.event, failed.message_id, failed.state_code, failed.state_desc) == (
        "failed",
        busy.message_id,
        10,
        "用户正忙",
    )
    # What the receiver answers once it has taken the callback.
    assert json.loads(callbacks.TENCENT_CALLBACK_ACK) == {"result": 0, "errmsg": "OK"}
    assert callbacks.ack("tencent") == callbacks.PushAck(
        callbacks.TENCENT_CALLBACK_ACK, "application/json; charset=utf-8"
    )


def test_every_pushing_vendor_has_an_acknowledgement_and_the_others_none() -> None:
    pushing = {"huawei", "ihuyi", "cloud10658", "aliyun", "tencent"}
    for vendor in voicecode.VENDORS:
        ack = callbacks.ack(vendor)  # type: ignore[arg-type]
        assert (ack is not None) == (vendor in pushing), vendor
    assert callbacks.ack("huawei") == ("", "text/plain; charset=utf-8")
    with pytest.raises(voicecode.InvalidInput) as raised:
        callbacks.ack("nope")  # type: ignore[arg-type]
    assert raised.value.field == "vendor"


def test_the_deduplicator_passes_each_event_once(sim: Simulator, receiver: Receiver) -> None:
    _, pushes = huawei_pushes(sim, receiver, 5)
    events = [e for p in pushes for e in callbacks.parse("huawei", p.headers, p.body)]
    dedup = callbacks.Deduplicator()
    assert [dedup.first_time(e) for e in events] == [True] * 5
    assert [dedup.first_time(e) for e in events] == [False] * 5


def test_a_body_that_is_no_push_is_invalid_input() -> None:
    with pytest.raises(voicecode.InvalidInput) as caught:
        callbacks.parse("huawei", {}, b"<html>")
    assert caught.value.field == "body"
    assert callbacks.parse("huawei", [], '{"eventType":"collectInfo","statusInfo":{}}') == []
