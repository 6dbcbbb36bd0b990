"""Conformance of the SMS products against the vendors' official Python SDKs, as
``test_official_sdks.py`` does for voice:

(a) ``SendSms`` (Huawei: ``batchSendSms``) made by each official SDK, pointed at the
    simulator over plain HTTP on 127.0.0.1, is accepted, and the same request with one
    signature byte flipped is refused with the vendor's code, raised by the SDK itself;
(b) voicecode's own ``SendSms`` requests, captured by a local server, verify under the SDKs' own
    signing functions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.request
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import voicecode
from alibabacloud_dysmsapi20170525 import models as dysms_models
from alibabacloud_dysmsapi20170525.client import Client as DysmsClient
from alibabacloud_tea_openapi import exceptions as tea_exceptions
from alibabacloud_tea_openapi import utils_models as tea_models
from alibabacloud_tea_openapi.utils import Utils as TeaUtils
from aliyunsdkcore.acs_exception.exceptions import ServerException as AcsServerException
from aliyunsdkcore.auth.algorithm import sha_hmac1
from aliyunsdkcore.client import AcsClient
from aliyunsdkdysmsapi.request.v20170525.SendSmsRequest import SendSmsRequest as AcsSendSms
from conftest import MOBILE, Capture
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer as HuaweiSigner
from huaweicloudsdksmsapi.v1 import BatchSendSmsRequest, BatchSendSmsRequestBody, SMSApiClient
from huaweicloudsdksmsapi.v1.smsapi_credentials import SMSApiCredentials
from tencentcloud.common import credential as tc_credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign as TcSign
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111.sms_client import SmsClient
from test_official_sdks import flip_base64, flip_hex, host_of
from voicecode import callbacks
from voicecode.testing import Simulator

# A verification-code template takes 4 to 6 characters (Alibaba Cloud) or up to 6 digits
# (Tencent).
SMS_CODE = "482156"


def assert_one_sms_was_sent(sim: Simulator, vendor: voicecode.Vendor) -> None:
    [entry] = sim.journal()
    assert (entry["vendor"], entry["operation"], entry["verdict"]) == (
        vendor,
        "send_sms_code",
        "accepted",
    ), entry
    assert sim.last_code(MOBILE) == SMS_CODE


def assert_nothing_was_sent(sim: Simulator, vendor: voicecode.Vendor) -> None:
    [entry] = sim.journal()
    assert (entry["vendor"], entry["verdict"]) == (vendor, "refused"), entry
    assert sim.last_code(MOBILE) is None


# --- (a) Alibaba Cloud V3 (ACS3-HMAC-SHA256): alibabacloud-dysmsapi20170525 ---------------------


def dysms_send(sim: Simulator) -> Any:
    config = sim.config("aliyun", "sms")
    client = DysmsClient(
        tea_models.Config(
            access_key_id=config["access_key_id"],
            access_key_secret=config["access_key_secret"],
            endpoint=host_of(sim),
            protocol="http",
        )
    )
    request = dysms_models.SendSmsRequest(
        phone_numbers=MOBILE,
        sign_name=config["sign_name"],
        template_code=config["template_code"],
        template_param=json.dumps({"code": SMS_CODE}),
        out_id="signup-1",
    )
    return client.send_sms(request)


def test_alibaba_cloud_v3_sdk_send_sms_is_accepted(sim: Simulator) -> None:
    response = dysms_send(sim)
    assert (response.body.code, response.body.message) == ("OK", "OK")
    assert response.body.biz_id
    assert_one_sms_was_sent(sim, "aliyun")


def test_alibaba_cloud_v3_sdk_send_sms_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = TeaUtils.get_authorization

    def flipped(*args: Any) -> str:
        authorization: str = sign(*args)
        head, signature = authorization.rsplit("Signature=", 1)
        return f"{head}Signature={flip_hex(signature)}"

    monkeypatch.setattr(TeaUtils, "get_authorization", staticmethod(flipped))
    with pytest.raises(tea_exceptions.ClientException) as raised:
        dysms_send(sim)
    assert (raised.value.status_code, raised.value.code) == (400, "SignatureDoesNotMatch")
    assert_nothing_was_sent(sim, "aliyun")


def test_alibaba_cloud_v3_sdk_reads_the_simulators_business_refusal(sim: Simulator) -> None:
    dysms_send(sim)
    sim.clear_journal()
    # The second message to the number within a minute: a business code in a 200 answer,
    # which the SDK hands back rather than raising.
    response = dysms_send(sim)
    assert response.body.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert not response.body.biz_id


# --- (a) Alibaba Cloud RPC signature (HMAC-SHA1): aliyun-python-sdk-dysmsapi ---------------------


def acs_send(sim: Simulator) -> Any:
    config = sim.config("aliyun", "sms")
    request = AcsSendSms()
    request.set_endpoint(host_of(sim))
    request.set_protocol_type("http")
    request.set_accept_format("json")
    request.set_PhoneNumbers(MOBILE)
    request.set_SignName(config["sign_name"])
    request.set_TemplateCode(config["template_code"])
    request.set_TemplateParam(json.dumps({"code": SMS_CODE}))
    client = AcsClient(config["access_key_id"], config["access_key_secret"], "cn-hangzhou")
    return client.do_action_with_exception(request)


def test_alibaba_cloud_rpc_sdk_send_sms_is_accepted(sim: Simulator) -> None:
    answer = json.loads(acs_send(sim))
    assert answer["Code"] == "OK" and answer["BizId"]
    assert_one_sms_was_sent(sim, "aliyun")


def test_alibaba_cloud_rpc_sdk_send_sms_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = sha_hmac1.get_sign_string
    monkeypatch.setattr(
        sha_hmac1, "get_sign_string", lambda source, secret: flip_base64(sign(source, secret))
    )
    with pytest.raises(AcsServerException) as raised:
        acs_send(sim)
    # The SDK renames SignatureDoesNotMatch when the server's StringToSign equals its own: the
    # simulator signed exactly the SDK's text, and only the key (here, the flipped byte) differs.
    assert (raised.value.get_http_status(), raised.value.get_error_code()) == (
        400,
        "InvalidAccessKeySecret",
    )
    assert_nothing_was_sent(sim, "aliyun")


# --- (a) Tencent Cloud TC3-HMAC-SHA256: tencentcloud-sdk-python-sms -----------------------------


def sms_send(sim: Simulator, phone: str = f"+86{MOBILE}") -> Any:
    config = sim.config("tencent", "sms")
    client = SmsClient(
        tc_credential.Credential(config["secret_id"], config["secret_key"]),
        "ap-guangzhou",
        ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host_of(sim))),
    )
    request = sms_models.SendSmsRequest()
    request.PhoneNumberSet = [phone]
    request.SmsSdkAppId = config["sms_sdk_app_id"]
    request.SignName = config["sign_name"]
    request.TemplateId = config["template_id"]
    request.TemplateParamSet = [SMS_CODE, *config["extra_template_params"]]
    request.SessionContext = "signup-1"
    return client.SendSms(request)


def test_tencent_sdk_send_sms_is_accepted(sim: Simulator) -> None:
    response = sms_send(sim)
    [status] = response.SendStatusSet
    assert (status.Code, status.PhoneNumber, status.Fee) == ("Ok", f"+86{MOBILE}", 1)
    assert status.SerialNo and status.SessionContext == "signup-1"
    assert response.RequestId
    assert_one_sms_was_sent(sim, "tencent")


def test_tencent_sdk_send_sms_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = TcSign.sign_tc3

    def flipped(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
        return flip_hex(sign(secret_key, date, service, string_to_sign))

    monkeypatch.setattr(TcSign, "sign_tc3", staticmethod(flipped))
    with pytest.raises(TencentCloudSDKException) as raised:
        sms_send(sim)
    assert raised.value.get_code() == "AuthFailure.SignatureFailure"
    assert_nothing_was_sent(sim, "tencent")


def test_tencent_sdk_reads_a_refused_number_inside_a_success(sim: Simulator) -> None:
    # A landline cannot take SMS: the request is fine, the number's own status says no.
    response = sms_send(sim, phone="+8675528001234")
    [status] = response.SendStatusSet
    assert status.Code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert not status.SerialNo


# --- (a) Huawei Cloud SDK-HMAC-SHA256: huaweicloudsdksmsapi --------------------------------------


def huawei_send(sim: Simulator, sender: str | None = None) -> Any:
    config = sim.config("huawei", "sms")
    client = (
        SMSApiClient.new_builder()
        .with_credentials(SMSApiCredentials(config["app_key"], config["app_secret"]))
        .with_region(Region("voicecode-sim", sim.base_url))
        .build()
    )
    request = BatchSendSmsRequest()
    # The SDK serialises the form from `body`; the request's own fields go unsent.
    request.body = BatchSendSmsRequestBody(
        _from=sender or config["sender"],
        to=f"+86{MOBILE}",
        template_id=config["template_id"],
        template_paras=json.dumps([SMS_CODE]),
        extend="signup-1",
    )
    return client.batch_send_sms(request)


def test_huawei_sdk_batch_send_sms_is_accepted(sim: Simulator) -> None:
    response = huawei_send(sim)
    assert (response.code, response.description) == ("000000", "Success")
    [number] = response.result
    assert (number.status, number.origin_to) == ("000000", f"+86{MOBILE}")
    assert number.sms_msg_id
    assert_one_sms_was_sent(sim, "huawei")


def test_huawei_sdk_batch_send_sms_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = HuaweiSigner._sign_string_to_sign

    def flipped(self: HuaweiSigner, string_to_sign: str, key: str) -> str:
        return flip_hex(sign(self, string_to_sign, key))

    monkeypatch.setattr(HuaweiSigner, "_sign_string_to_sign", flipped)
    with pytest.raises(ClientRequestException) as raised:
        huawei_send(sim)
    # The SDK reads `code` only beside `message`; Huawei's SMS answers say `description`, so the
    # SDK reports the status and keeps the answer whole.
    assert raised.value.status_code == 401
    assert json.loads(raised.value.error_msg)["code"] == "E000045"
    assert_nothing_was_sent(sim, "huawei")


def test_huawei_sdk_reads_a_number_refused_under_e000510(sim: Simulator) -> None:
    with pytest.raises(ClientRequestException) as raised:
        huawei_send(sim, sender="csms00000000")
    assert raised.value.status_code == 400
    answer = json.loads(raised.value.error_msg)
    assert (answer["code"], answer["result"][0]["status"]) == ("E000510", "E200018")
    assert_nothing_was_sent(sim, "huawei")


# --- (b) voicecode's SendSms under the SDKs' own signers ---------------------------------------


def voicecode_sms(
    sim: Simulator, vendor: voicecode.Vendor, capture: Capture, **changes: str
) -> Any:
    config = {**sim.config(vendor, "sms"), **changes}
    config["base_url"] = capture.url
    voicecode.Client(config).send_code(MOBILE, SMS_CODE)
    [request] = capture.requests
    return request


def test_voicecodes_alibaba_cloud_send_sms_verifies_under_the_sdks_signers(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory(
        {"Code": "OK", "Message": "OK", "RequestId": "R", "BizId": "900619746936498440^0"}
    )
    request = voicecode_sms(sim, "aliyun", capture)
    params = dict(parse_qsl(request.body.decode(), keep_blank_values=True, strict_parsing=True))
    signature = params.pop("Signature")
    assert (params["Action"], params["Version"]) == ("SendSms", "2017-05-25")
    assert json.loads(params["TemplateParam"]) == {"code": SMS_CODE}
    secret = sim.config("aliyun", "sms")["access_key_secret"]
    assert TeaUtils.get_rpcsignature(params, "POST", secret) == signature
    assert TeaUtils.get_rpcsignature({**params, "PhoneNumbers": "13800138999"}, "POST", secret) != (
        signature
    )


def test_voicecodes_tencent_send_sms_verifies_under_the_sdks_signer(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory(
        {
            "Response": {
                "SendStatusSet": [{"SerialNo": "2433:1", "Code": "Ok", "Message": "send success"}],
                "RequestId": "r-1",
            }
        }
    )
    request = voicecode_sms(sim, "tencent", capture)
    headers = request.headers
    assert (headers["x-tc-action"], headers["x-tc-version"]) == ("SendSms", "2021-01-11")
    body = json.loads(request.body)
    assert body["PhoneNumberSet"] == [f"+86{MOBILE}"]
    assert body["TemplateParamSet"] == [SMS_CODE, "5"]
    algorithm, _, rest = headers["authorization"].partition(" ")
    assert algorithm == "TC3-HMAC-SHA256"
    parts = dict(part.split("=", 1) for part in rest.split(", "))
    secret_id, date, service, _ = parts["Credential"].split("/")
    config = sim.config("tencent", "sms")
    assert (secret_id, service) == (config["secret_id"], "sms")
    timestamp = headers["x-tc-timestamp"]
    assert date == datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d")
    signed = parts["SignedHeaders"].split(";")
    canonical_headers = "".join(f"{name}:{headers[name].strip().lower()}\n" for name in signed)
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            canonical_headers,
            ";".join(signed),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/sms/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    expected = TcSign.sign_tc3(config["secret_key"], date, "sms", string_to_sign)
    assert parts["Signature"] == expected


def test_voicecodes_huawei_batch_send_sms_verifies_under_the_sdks_signer(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory(
        {
            "code": "000000",
            "description": "Success",
            "result": [{"smsMsgId": "d6e3cdd0-522b-4692_8539659", "status": "000000"}],
        }
    )
    request = voicecode_sms(sim, "huawei", capture, signing="aksk")
    assert request.path == "/sms/batchSendSms/v1"
    config = sim.config("huawei", "sms")
    form = dict(parse_qsl(request.body.decode(), strict_parsing=True))
    assert form == {
        "from": config["sender"],
        "to": f"+86{MOBILE}",
        "templateId": config["template_id"],
        "templateParas": json.dumps([SMS_CODE]),
    }

    def signed(body: bytes) -> str:
        # The SDK signs the request again from the headers voicecode sent (less Authorization).
        headers = {
            "Content-Type": request.headers["content-type"],
            "X-Sdk-Date": request.headers["x-sdk-date"],
            "X-Sdk-Content-Sha256": request.headers["x-sdk-content-sha256"],
            "Host": request.headers["host"],
        }
        again = SdkRequest(
            method="POST",
            schema="http",
            host=request.headers["host"],
            resource_path=request.path,
            query_params=[],
            header_params=headers,
            body=body,
        )
        credentials = SMSApiCredentials(config["app_key"], config["app_secret"])
        HuaweiSigner(credentials).sign(again)
        return str(again.header_params["Authorization"])

    assert signed(request.body) == request.headers["authorization"]
    # The form is not signed (UNSIGNED-PAYLOAD, as the SDK sends it); the date and host are.
    assert request.headers["x-sdk-content-sha256"] == "UNSIGNED-PAYLOAD"
    date = datetime.strptime(request.headers["x-sdk-date"], "%Y%m%dT%H%M%SZ")
    assert abs(datetime.now(timezone.utc).replace(tzinfo=None) - date).total_seconds() < 60


HUAWEI_WSSE_AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"'


def huawei_sample_wsse(app_key: str, app_secret: str, nonce: str, created: str) -> str:
    """X-WSSE as Huawei's Python sample for batchSendSms builds it (hexdigest, then Base64)."""
    digest = hashlib.sha256((nonce + created + app_secret).encode()).hexdigest()
    digest_base64 = base64.b64encode(digest.encode()).decode()
    return (
        f'UsernameToken Username="{app_key}",PasswordDigest="{digest_base64}",'
        f'Nonce="{nonce}",Created="{created}"'
    )


def test_voicecodes_huawei_wsse_digest_is_the_one_huaweis_sample_makes(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory(
        {"code": "000000", "description": "Success", "result": [{"smsMsgId": "m-1"}]}
    )
    request = voicecode_sms(sim, "huawei", capture)
    assert request.headers["authorization"] == HUAWEI_WSSE_AUTHORIZATION
    token = dict(
        (key.strip(), value.strip('"'))
        for key, value in (
            part.split("=", 1)
            for part in request.headers["x-wsse"].removeprefix("UsernameToken ").split(",")
        )
    )
    config = sim.config("huawei", "sms")
    assert request.headers["x-wsse"] == huawei_sample_wsse(
        config["app_key"], config["app_secret"], token["Nonce"], token["Created"]
    )
    # Real UTC, where the samples write local time with a literal Z.
    created = datetime.strptime(token["Created"], "%Y-%m-%dT%H:%M:%SZ")
    assert abs(datetime.now(timezone.utc).replace(tzinfo=None) - created).total_seconds() < 60


def test_a_request_signed_as_huaweis_sample_signs_it_passes_the_simulator(sim: Simulator) -> None:
    config = sim.config("huawei", "sms")
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    form = {
        "from": config["sender"],
        "to": f"+86{MOBILE}",
        "templateId": config["template_id"],
        "templateParas": json.dumps([SMS_CODE]),
    }
    request = urllib.request.Request(
        f"{sim.base_url}/sms/batchSendSms/v1",
        data=urlencode(form).encode(),
        headers={
            "Authorization": HUAWEI_WSSE_AUTHORIZATION,
            "X-WSSE": huawei_sample_wsse(
                config["app_key"], config["app_secret"], uuid.uuid4().hex, created
            ),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    # Straight to 127.0.0.1, whatever proxy the environment names.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request) as response:
        answer = json.loads(response.read())
    assert answer["code"] == "000000"
    assert_one_sms_was_sent(sim, "huawei")


def test_a_status_report_signed_by_huaweis_signer_verifies(sim: Simulator) -> None:
    # With 推送AKSK鉴权 on, Huawei signs a report as its gateway signs requests: sign one here with
    # the SDK's own Signer and check it the way a receiver does.
    config = sim.config("huawei", "sms")
    body = "smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=DELIVRD&total=1"
    report = SdkRequest(
        method="POST",
        schema="https",
        host="receiver.example",
        resource_path="/sms/report",
        query_params=[("token", "s3cret")],
        header_params={"Content-Type": "application/x-www-form-urlencoded"},
        body=body,
    )
    HuaweiSigner(SMSApiCredentials(config["app_key"], config["app_secret"])).sign(report)
    headers = [(name, str(value)) for name, value in report.header_params.items()]
    keys = {"app_key": config["app_key"], "app_secret": config["app_secret"]}
    url = "https://receiver.example/sms/report?token=s3cret"
    callbacks.verify_huawei_report(headers, body, url=url, **keys)
    for wrong_url in ("https://receiver.example/sms/report", "https://other.example/sms/report"):
        with pytest.raises(voicecode.AuthFailed):
            callbacks.verify_huawei_report(headers, body, url=wrong_url, **keys)
    [event] = callbacks.parse("huawei", headers, body)
    assert (event.event, event.message_id) == (
        "delivered",
        "2ea20735-f856-4376-afbf-570bd70a46ee_11840135",
    )
