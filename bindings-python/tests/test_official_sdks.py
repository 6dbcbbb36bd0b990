"""Conformance against the vendors' official Python SDKs, a second check beside the known-answer
vectors of the core and the simulator.

(a) Requests made by each official SDK, pointed at the simulator over plain HTTP on 127.0.0.1,
    are accepted, and the same request with one signature byte flipped is refused: the SDK
    raises its own exception carrying the vendor's code (which also shows that the simulator's
    answers read as the real service's do to the SDK).
(b) voicecode's own requests, captured by a local server, verify under the SDKs' own signing
    functions.

The SDKs are pinned in ``tests/official-sdks.txt`` (``test.sh`` installs them).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

import pytest
import voicecode
from alibabacloud_dyvmsapi20170525 import models as dyvms_models
from alibabacloud_dyvmsapi20170525.client import Client as DyvmsClient
from alibabacloud_tea_openapi import exceptions as tea_exceptions
from alibabacloud_tea_openapi import utils_models as tea_models
from alibabacloud_tea_openapi.utils import Utils as TeaUtils
from aliyunsdkcore.acs_exception.exceptions import ServerException as AcsServerException
from aliyunsdkcore.auth.algorithm import sha_hmac1
from aliyunsdkcore.auth.composer import rpc_signature_composer
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkdyvmsapi.request.v20170525.SingleCallByTtsRequest import (
    SingleCallByTtsRequest as AcsSingleCallByTts,
)
from conftest import CODE, MOBILE, Capture, Captured
from tencentcloud.common import credential as tc_credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign as TcSign
from tencentcloud.vms.v20200902 import models as vms_models
from tencentcloud.vms.v20200902.vms_client import VmsClient
from voicecode.testing import Simulator

# --- helpers -----------------------------------------------------------------------------------


def flip_hex(signature: str) -> str:
    """The hex signature with one bit of its first byte flipped."""
    raw = bytearray(bytes.fromhex(signature))
    raw[0] ^= 0x01
    return raw.hex()


def flip_base64(signature: str) -> str:
    """The base64 signature with one bit of its first byte flipped."""
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def host_of(sim: Simulator) -> str:
    return sim.base_url.removeprefix("http://")


def assert_nothing_was_called(sim: Simulator, vendor: voicecode.Vendor) -> None:
    [entry] = sim.journal()
    assert entry["vendor"] == vendor
    assert entry["verdict"] == "refused", entry
    assert sim.last_code(MOBILE) is None


def assert_one_call_was_placed(sim: Simulator, vendor: voicecode.Vendor) -> None:
    [entry] = sim.journal()
    assert (entry["vendor"], entry["verdict"]) == (vendor, "accepted"), entry
    assert sim.last_code(MOBILE) == CODE


# --- (a) Alibaba Cloud V3 (ACS3-HMAC-SHA256): alibabacloud-dyvmsapi20170525 ----------------------


def dyvms_send(sim: Simulator) -> Any:
    config = sim.config("aliyun")
    client = DyvmsClient(
        tea_models.Config(
            access_key_id=config["access_key_id"],
            access_key_secret=config["access_key_secret"],
            endpoint=host_of(sim),
            protocol="http",
        )
    )
    request = dyvms_models.SingleCallByTtsRequest(
        called_number=MOBILE,
        called_show_number=config["called_show_number"],
        tts_code=config["tts_code"],
        tts_param=json.dumps({"code": CODE}),
    )
    return client.single_call_by_tts(request)


def test_alibaba_cloud_v3_sdk_requests_are_accepted(sim: Simulator) -> None:
    response = dyvms_send(sim)
    assert response.body.code == "OK"
    assert response.body.call_id
    assert_one_call_was_placed(sim, "aliyun")


def test_alibaba_cloud_v3_sdk_request_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = TeaUtils.get_authorization

    def flipped(*args: Any) -> str:
        authorization: str = sign(*args)
        head, signature = authorization.rsplit("Signature=", 1)
        return f"{head}Signature={flip_hex(signature)}"

    monkeypatch.setattr(TeaUtils, "get_authorization", staticmethod(flipped))
    with pytest.raises(tea_exceptions.ClientException) as raised:
        dyvms_send(sim)
    assert (raised.value.status_code, raised.value.code) == (400, "SignatureDoesNotMatch")
    assert_nothing_was_called(sim, "aliyun")


# --- (a) Alibaba Cloud RPC signature (HMAC-SHA1): aliyun-python-sdk-core ------------------------


def acs_request(sim: Simulator, kind: str) -> Any:
    """``SingleCallByTts`` as a ``CommonRequest`` or as aliyun-python-sdk-dyvmsapi's class."""
    config = sim.config("aliyun")
    params = {
        "CalledNumber": MOBILE,
        "CalledShowNumber": config["called_show_number"],
        "TtsCode": config["tts_code"],
        "TtsParam": json.dumps({"code": CODE}),
    }
    request: Any
    if kind == "common_request":
        request = CommonRequest(
            domain=host_of(sim), version="2017-05-25", action_name="SingleCallByTts"
        )
        request.set_method("POST")
    else:
        request = AcsSingleCallByTts()
        request.set_endpoint(host_of(sim))
    request.set_protocol_type("http")
    for name, value in params.items():
        request.add_query_param(name, value)
    return request


def acs_client(sim: Simulator) -> Any:
    config = sim.config("aliyun")
    return AcsClient(config["access_key_id"], config["access_key_secret"], "cn-hangzhou")


@pytest.mark.parametrize("kind", ["common_request", "product_request"])
def test_alibaba_cloud_rpc_sdk_requests_are_accepted(sim: Simulator, kind: str) -> None:
    answer = json.loads(acs_client(sim).do_action_with_exception(acs_request(sim, kind)))
    assert answer["Code"] == "OK" and answer["CallId"]
    assert_one_call_was_placed(sim, "aliyun")


# aliyun-python-sdk-core renames the gateway's SignatureDoesNotMatch to InvalidAccessKeySecret when
# the server's StringToSign (quoted in the message) equals its own, the mismatch then being the key:
# so the product request's code shows that the simulator signs exactly the SDK's text. (A
# CommonRequest keeps the gateway's code: the SDK keeps its StringToSign on an inner request.)
@pytest.mark.parametrize(
    ("kind", "code"),
    [("common_request", "SignatureDoesNotMatch"), ("product_request", "InvalidAccessKeySecret")],
)
def test_alibaba_cloud_rpc_sdk_request_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, kind: str, code: str
) -> None:
    sign = sha_hmac1.get_sign_string
    monkeypatch.setattr(
        sha_hmac1, "get_sign_string", lambda source, secret: flip_base64(sign(source, secret))
    )
    with pytest.raises(AcsServerException) as raised:
        acs_client(sim).do_action_with_exception(acs_request(sim, kind))
    assert (raised.value.get_http_status(), raised.value.get_error_code()) == (400, code)
    assert_nothing_was_called(sim, "aliyun")


# --- (a) Tencent Cloud TC3-HMAC-SHA256: tencentcloud-sdk-python-vms -----------------------------


def vms_send(sim: Simulator) -> Any:
    config = sim.config("tencent")
    client = VmsClient(
        tc_credential.Credential(config["secret_id"], config["secret_key"]),
        "ap-guangzhou",
        ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=host_of(sim))),
    )
    request = vms_models.SendCodeVoiceRequest()
    request.CodeMessage = CODE
    request.CalledNumber = f"+86{MOBILE}"
    request.VoiceSdkAppid = config["voice_sdk_appid"]
    return client.SendCodeVoice(request)


def test_tencent_sdk_requests_are_accepted(sim: Simulator) -> None:
    response = vms_send(sim)
    assert response.SendStatus.CallId
    assert response.RequestId
    assert_one_call_was_placed(sim, "tencent")


def test_tencent_sdk_request_with_a_flipped_signature_byte_is_refused(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign = TcSign.sign_tc3

    def flipped(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
        return flip_hex(sign(secret_key, date, service, string_to_sign))

    monkeypatch.setattr(TcSign, "sign_tc3", staticmethod(flipped))
    with pytest.raises(TencentCloudSDKException) as raised:
        vms_send(sim)
    assert raised.value.get_code() == "AuthFailure.SignatureFailure"
    assert_nothing_was_called(sim, "tencent")


def test_tencent_sdk_sees_the_simulators_refusals_as_refusals(sim: Simulator) -> None:
    # The SDK reads Response.Error only under exactly `application/json`: with any other
    # content type this refusal would come back as an empty success.
    sim.inject("tencent", "vendor_code", code="LimitExceeded.PhoneNumberDailyLimit")
    with pytest.raises(TencentCloudSDKException) as raised:
        vms_send(sim)
    assert raised.value.get_code() == "LimitExceeded.PhoneNumberDailyLimit"


# --- (b) voicecode's requests under the SDKs' own signers --------------------------------------


def voicecode_send(sim: Simulator, vendor: voicecode.Vendor, capture: Capture) -> Captured:
    config = sim.config(vendor)
    config["base_url"] = capture.url
    voicecode.Client(config).send_code(MOBILE, CODE)
    [request] = capture.requests
    return request


def test_voicecodes_alibaba_cloud_signature_verifies_under_the_sdks_signers(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory(
        {"Code": "OK", "Message": "OK", "RequestId": "R", "CallId": "116012354148^102813780000"}
    )
    request = voicecode_send(sim, "aliyun", capture)
    assert (request.method, request.path) == ("POST", "/")
    params = dict(parse_qsl(request.body.decode(), keep_blank_values=True, strict_parsing=True))
    signature = params.pop("Signature")
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
    secret = sim.config("aliyun")["access_key_secret"]

    # alibabacloud-tea-openapi's RPC signer.
    assert TeaUtils.get_rpcsignature(params, "POST", secret) == signature
    # aliyun-python-sdk-core's: its StringToSign composer, then its HMAC-SHA1 with "secret&".
    compose = getattr(rpc_signature_composer, "__compose_string_to_sign")
    string_to_sign = compose("POST", params)
    assert sha_hmac1.get_sign_string(string_to_sign, secret + "&") == signature
    # and the signature covers what it must: a changed parameter no longer verifies.
    assert TeaUtils.get_rpcsignature({**params, "CalledNumber": "13800138999"}, "POST", secret) != (
        signature
    )


def test_voicecodes_tencent_signature_verifies_under_the_sdks_signer(
    sim: Simulator, capture_factory: Callable[[dict[str, Any]], Capture]
) -> None:
    capture = capture_factory({"Response": {"SendStatus": {"CallId": "c-1"}, "RequestId": "r-1"}})
    request = voicecode_send(sim, "tencent", capture)
    assert (request.method, request.path) == ("POST", "/")
    headers = request.headers
    algorithm, _, rest = headers["authorization"].partition(" ")
    assert algorithm == "TC3-HMAC-SHA256"
    parts = dict(part.split("=", 1) for part in rest.split(", "))
    secret_id, date, service, terminator = parts["Credential"].split("/")
    config = sim.config("tencent")
    assert (secret_id, service, terminator) == (config["secret_id"], "vms", "tc3_request")
    timestamp = headers["x-tc-timestamp"]
    assert date == datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d")
    signed = parts["SignedHeaders"].split(";")
    assert {"content-type", "host"} <= set(signed)

    # The canonical request and string to sign as the signature v3 document lays them out
    # (header values trimmed and lowercased), then the SDK's own key chain and HMAC.
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
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    assert (
        TcSign.sign_tc3(config["secret_key"], date, service, string_to_sign) == (parts["Signature"])
    )
    # the body is covered: the same request with another number would not verify.
    other = canonical_request.replace(
        hashlib.sha256(request.body).hexdigest(),
        hashlib.sha256(request.body.replace(MOBILE.encode(), b"13800138999")).hexdigest(),
    )
    other_to_sign = (
        string_to_sign.rsplit("\n", 1)[0] + "\n" + hashlib.sha256(other.encode()).hexdigest()
    )
    assert (
        TcSign.sign_tc3(config["secret_key"], date, service, other_to_sign) != (parts["Signature"])
    )
