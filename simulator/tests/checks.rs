//! The simulator checks requests the way each vendor does: credentials, signatures, timestamp
//! windows, nonce replay, required fields and their JSON types, balances, frequency limits.
//! Requests are built by the core's protocol layer, altered where a test needs it, and the
//! answers read back by the core's parsers.

mod common;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use common::*;
use serde_json::{json, Value};
use voicecode::protocol::signing::Tc3Request;
use voicecode::protocol::{Channel, Context, HttpRequest, HttpResponse};
use voicecode::{
    Client, ErrorKind, Outcome, SendCode, SendSmsCode, SmsPurpose, Vendor, VerifyCaptcha,
};
use voicecode_sim::demo::{CAPTCHA_ANSWER, TENCENT_SECRET_ID, TENCENT_SECRET_KEY};
use voicecode_sim::{Operation, SimOptions, Simulator, Verdict};

fn signed_request(
    client: &Client,
    code: &str,
    now: chrono::DateTime<Utc>,
    nonce: &str,
) -> HttpRequest {
    let context = Context {
        now,
        nonce: nonce.into(),
    };
    client
        .channel()
        .send_code_request(&SendCode::new("13800138000", code), &context)
        .unwrap()
}

fn fresh_request(client: &Client) -> HttpRequest {
    let context = Context::fresh();
    signed_request(client, "1234", context.now, &context.nonce)
}

/// Sends the request and reads the answer as the client would.
fn exchange(channel: &Channel, request: &HttpRequest) -> voicecode::Result<voicecode::Receipt> {
    let (status, body) = send_raw(request);
    channel.parse_send_code(&HttpResponse::new(status, body))
}

fn with_json_body(mut request: HttpRequest, body: &Value) -> HttpRequest {
    request.body = body.to_string().into_bytes();
    request
}

fn last_verdict(sim: &Simulator) -> Verdict {
    sim.journal()
        .last()
        .expect("a journaled request")
        .verdict
        .clone()
}

#[test]
fn a_wrong_secret_is_auth_failed() {
    let sim = start();
    let cases = [
        (
            Vendor::Ytx,
            json!({ "auth_token": "not-the-token" }),
            "-203",
        ),
        (
            Vendor::Huawei,
            json!({ "app_secret": "not-the-secret" }),
            "1010010",
        ),
        (Vendor::Ihuyi, json!({ "api_key": "not-the-key" }), "405"),
        (
            Vendor::Cloud10658,
            json!({ "app_key": "not-the-key" }),
            "账号或密码错误",
        ),
        (
            Vendor::Aliyun,
            json!({ "access_key_secret": "not-the-secret" }),
            "SignatureDoesNotMatch",
        ),
        (
            Vendor::Tencent,
            json!({ "secret_key": "not-the-key" }),
            "AuthFailure.SignatureFailure",
        ),
    ];
    for (vendor, change, code) in cases {
        let client = Client::new(config_with(&sim, vendor, change)).unwrap();
        let err = first_request(&client, 0).unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::AuthFailed, Outcome::Refused),
            "{vendor}: {err}"
        );
        let verdict_code = match last_verdict(&sim) {
            Verdict::Refused { code, .. } => code,
            other => panic!("{vendor}: {other:?}"),
        };
        assert_eq!(verdict_code, code, "{vendor}");
    }
}

#[test]
fn an_unknown_account_is_auth_failed() {
    let sim = start();
    for (vendor, change, code) in [
        (
            Vendor::Ytx,
            json!({ "account_sid": "nosuchaccount" }),
            "-200",
        ),
        (
            Vendor::Huawei,
            json!({ "app_key": "NoSuchAppKey" }),
            "1010003",
        ),
        (Vendor::Ihuyi, json!({ "account": "VM99999999" }), "405"),
        (
            Vendor::Aliyun,
            json!({ "access_key_id": "LTAI5tNoSuchKey" }),
            "InvalidAccessKeyId.NotFound",
        ),
        (
            Vendor::Tencent,
            json!({ "secret_id": "AKIDNoSuchKey" }),
            "AuthFailure.SecretIdNotFound",
        ),
    ] {
        let client = Client::new(config_with(&sim, vendor, change)).unwrap();
        let err = first_request(&client, 0).unwrap_err();
        assert_eq!(
            (err.kind(), err.vendor_code()),
            (ErrorKind::AuthFailed, Some(code)),
            "{vendor}: {err}"
        );
    }
}

#[test]
fn an_empty_account_is_insufficient_balance_until_topped_up() {
    let balances: HashMap<Vendor, u64> = BALANCE_VENDORS
        .into_iter()
        .chain([Vendor::Aliyun])
        .map(|v| (v, 0))
        .collect();
    let sim = Simulator::start(SimOptions {
        balances,
        ..SimOptions::default()
    })
    .unwrap();
    for (vendor, code) in [
        (Vendor::Ytx, "-204"),
        (Vendor::Ihuyi, "4051"),
        (Vendor::Cloud10658, "0"),
        (Vendor::Aliyun, "isv.AMOUNT_NOT_ENOUGH"),
    ] {
        let client = client(&sim, vendor);
        let err = first_request(&client, 0).unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::InsufficientBalance, Outcome::Refused),
            "{vendor}"
        );
        assert_eq!(err.vendor_code(), Some(code), "{vendor}");
        assert_eq!(sim.balance(vendor), Some(0));
        sim.set_balance(vendor, 1);
        first_request(&client, 1).unwrap();
        assert_eq!(
            sim.balance(vendor),
            Some(0),
            "{vendor}: one send costs one unit"
        );
    }
    assert_eq!(sim.balance(Vendor::Huawei), None, "huawei has no balance");
}

#[test]
fn cloud10658_calls_the_same_number_at_most_once_a_minute() {
    let sim = start();
    let client = client(&sim, Vendor::Cloud10658);
    let send = |phone: &str| client.send_code(&SendCode::new(phone, "1234"));
    send("15080929435").unwrap();
    let err = send("+8615080929435").unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::RateLimited, Outcome::Refused)
    );
    assert_eq!(
        err.vendor_message(),
        Some("相同手机号码一分钟之内只可发送一次")
    );
    send("15080929436").unwrap();
    assert_eq!(
        sim.balance(Vendor::Cloud10658),
        Some(voicecode_sim::demo::DEFAULT_BALANCE - 2)
    );
}

#[test]
fn ytx_refuses_headers_older_or_newer_than_ten_minutes() {
    let sim = start();
    let client = client(&sim, Vendor::Ytx);
    for (offset_minutes, accepted) in [(-11, false), (11, false), (-9, true), (0, true)] {
        let request = signed_request(
            &client,
            "1234",
            Utc::now() + Duration::minutes(offset_minutes),
            "n",
        );
        let result = exchange(client.channel(), &request);
        assert_eq!(result.is_ok(), accepted, "{offset_minutes} min: {result:?}");
        if let Err(err) = result {
            assert_eq!(
                (err.kind(), err.vendor_code()),
                (ErrorKind::AuthFailed, Some("-202"))
            );
        }
    }
}

#[test]
fn ytx_checks_the_body_field_by_field() {
    let sim = start();
    let client = client(&sim, Vendor::Ytx);
    let app_id = voicecode_sim::demo::YTX_APP_ID;
    let cases = [
        (
            json!({ "action": "callOutCode", "appid": app_id, "code": "1234" }),
            "-2",
        ),
        (
            json!({ "action": "callOutCode", "appid": app_id, "dst": "12345", "code": "1234" }),
            "-102",
        ),
        (
            json!({ "action": "callOutCode", "appid": app_id, "dst": "13800138000", "code": "12-4" }),
            "-101",
        ),
        (
            json!({ "action": "callOutCode", "appid": app_id, "dst": "13800138000", "code": "1234", "time": "4" }),
            "-101",
        ),
        (
            json!({ "action": "callOutCode", "appid": "otherapp", "dst": "13800138000", "code": "1234" }),
            "-205",
        ),
        (
            json!({ "action": "noticeCall", "appid": app_id, "dst": "13800138000", "code": "1234" }),
            "-3",
        ),
        (json!(["not", "an", "object"]), "-4"),
    ];
    for (body, code) in cases {
        let err = exchange(
            client.channel(),
            &with_json_body(fresh_request(&client), &body),
        )
        .unwrap_err();
        assert_eq!(err.vendor_code(), Some(code), "{body}");
        assert_eq!(err.outcome(), Outcome::Refused);
    }
    // Numbers where the sample sends strings are accepted, as by the vendor.
    let body = json!({ "action": "callOutCode", "appid": app_id, "dst": "13800138000", "code": 1234, "time": 2 });
    exchange(
        client.channel(),
        &with_json_body(fresh_request(&client), &body),
    )
    .unwrap();
}

#[test]
fn huawei_refuses_a_created_more_than_five_minutes_off() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    let stale = signed_request(&client, "1234", Utc::now() - Duration::minutes(6), "nonce1");
    let err = exchange(client.channel(), &stale).unwrap_err();
    assert_eq!(
        (err.http_status(), err.vendor_code()),
        (Some(401), Some("1010013"))
    );
    assert_eq!(err.kind(), ErrorKind::AuthFailed);
    let skewed = signed_request(&client, "1234", Utc::now() + Duration::minutes(4), "nonce2");
    exchange(client.channel(), &skewed).unwrap();
}

#[test]
fn huawei_refuses_a_replayed_nonce() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    let request = signed_request(
        &client,
        "1234",
        Utc::now(),
        "0123456789abcdef0123456789abcdef",
    );
    exchange(client.channel(), &request).unwrap();
    let err = exchange(client.channel(), &request).unwrap_err();
    assert_eq!(
        (err.http_status(), err.vendor_code()),
        (Some(401), Some("1010010"))
    );
    assert_eq!(err.kind(), ErrorKind::AuthFailed);
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 2);
}

#[test]
fn huawei_refuses_a_bad_digest() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    let mut request = fresh_request(&client);
    for (name, value) in &mut request.headers {
        if name.eq_ignore_ascii_case("x-aksk") {
            *value = value
                .replace("PasswordDigest=\"", "PasswordDigest=\"AAAA")
                .into();
        }
    }
    let (status, body) = send_raw(&request);
    assert_eq!(status, 401);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "resultcode": "1010010", "resultdesc": "Invalid digest." })
    );
}

#[test]
fn huawei_checks_each_fields_presence_and_json_type() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    let valid = json!({
        "displayNbr": voicecode_sim::demo::HUAWEI_DISPLAY_NUMBER,
        "calleeNbr": "+8613800138000",
        "languageType": 2,
        "preTone": "welcome.wav",
        "verifyCode": "1234",
    });
    let changed = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = valid.clone();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases = [
        (without("verifyCode"), 403, "1010002"),
        (without("languageType"), 403, "1010002"),
        (json!("not an object"), 403, "1010002"),
        (changed("languageType", json!("2")), 500, "1020001"),
        (changed("times", json!(10)), 500, "1020001"),
        (changed("times", json!("3")), 500, "1020001"),
        (changed("returnIdlePort", json!(true)), 500, "1020001"),
        (
            changed("statusUrl", json!("http://127.0.0.1/status")),
            500,
            "1020001",
        ),
        (changed("verifyCode", json!("12a4")), 500, "1020001"),
        (changed("calleeNbr", json!("13800138000")), 500, "1020001"),
        (changed("userData", json!("{json}")), 500, "1020001"),
        (
            changed("displayNbr", json!("+8675500000000")),
            403,
            "1010023",
        ),
    ];
    for (body, status, code) in cases {
        let err = exchange(
            client.channel(),
            &with_json_body(fresh_request(&client), &body),
        )
        .unwrap_err();
        assert_eq!(
            (err.http_status(), err.vendor_code()),
            (Some(status), Some(code)),
            "{body}"
        );
    }
    exchange(
        client.channel(),
        &with_json_body(fresh_request(&client), &changed("times", json!(0))),
    )
    .unwrap();
}

#[test]
fn ihuyi_checks_its_fields_and_the_time_window() {
    let sim = start();
    let client = client(&sim, Vendor::Ihuyi);
    let stale = signed_request(&client, "1234", Utc::now() - Duration::minutes(11), "");
    let err = exchange(client.channel(), &stale).unwrap_err();
    assert_eq!(
        (err.kind(), err.vendor_code()),
        (ErrorKind::AuthFailed, Some("405"))
    );

    // The APIKEY itself is a valid password too; format=json asks for JSON.
    let key = voicecode_sim::demo::IHUYI_API_KEY;
    let form = |fields: &str| format!("account=VM00000001&password={key}&format=json&{fields}");
    let cases = [
        ("mobile=13800138000&content=123", "4070"),
        ("mobile=13800138000&content=1234567", "4070"),
        ("mobile=075528001234&content=1234", "406"),
        ("content=1234", "403"),
        ("mobile=13800138000", "404"),
    ];
    for (fields, code) in cases {
        let (status, body) = post(
            &sim,
            "/webservice/voice.php?method=Submit",
            "application/x-www-form-urlencoded",
            &form(fields),
        );
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (status, answer["code"].to_string()),
            (200, code.to_owned()),
            "{fields}: {body}"
        );
    }
    let (_, body) = post(
        &sim,
        "/webservice/voice.php?method=Submit",
        "application/x-www-form-urlencoded",
        "password=x",
    );
    assert!(
        body.contains("<code>401</code>"),
        "XML is the default: {body}"
    );
    let ok = format!("account=VM00000001&password={key}&mobile=13800138000&content=4821");
    let (_, body) = post(
        &sim,
        "/webservice/voice.php?method=Submit",
        "application/x-www-form-urlencoded",
        &ok,
    );
    assert!(
        body.contains("<code>2</code>") && body.contains("<voiceid>"),
        "{body}"
    );
}

#[test]
fn cloud10658_checks_its_fields() {
    let sim = start();
    let form = |fields: &str| format!("appId=SIM10658APP00001&appKey=SIMKEY000001&{fields}");
    let cases = [
        ("templateId=724&phone=15080929435", "缺少参数"),
        (
            "templateId=724&phone=1508092943&variables=1234",
            "手机号码格式不正确",
        ),
        ("templateId=724&phone=15080929435&variables=1", "参数错误"),
        (
            "templateId=999&phone=15080929435&variables=1234",
            "模板不存在或者未通过",
        ),
        (
            "templateId=abc&phone=15080929435&variables=1234",
            "模板id格式不正确",
        ),
    ];
    for (fields, message) in cases {
        let (status, body) = post(
            &sim,
            "/voiceApi",
            "application/x-www-form-urlencoded;charset=utf-8",
            &form(fields),
        );
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status, 200);
        assert_eq!(
            (answer["returnStatus"].as_str(), answer["message"].as_str()),
            (Some("0"), Some(message)),
            "{fields}"
        );
    }
    // The vendor example's balance call: fields in the query string, empty body.
    let (_, body) = post(
        &sim,
        "/voiceApi/group/getBalance?appId=SIM10658APP00001&appKey=SIMKEY000001",
        "text/plain",
        "",
    );
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (
            answer["returnStatus"].as_str(),
            answer["remainPoint"].as_str()
        ),
        (Some("1 "), Some("100"))
    );
}

#[test]
fn oneaccess_wants_the_device_headers() {
    let sim = start();
    let response = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/api/v2/sdk/captcha", sim.base_url()))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().unwrap();
    assert_eq!(answer["error_code"], "IDAAS.SDK.PARAM.0001");
}

#[test]
fn oneaccess_captchas_and_tokens_are_good_for_one_use() {
    let sim = start();
    let client = client(&sim, Vendor::Oneaccess);
    let verify = |token: &str, x: f64| {
        client.verify_captcha(&VerifyCaptcha {
            token: token.into(),
            x,
            y: CAPTCHA_ANSWER.1,
            mobile: "13800138000".into(),
        })
    };
    let captcha_error = |err: voicecode::Error| {
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::InvalidInput, Outcome::Refused)
        );
        assert_eq!(err.vendor_code(), Some("IDAAS.SDK.CAPTCHA.0002"));
    };
    captcha_error(verify("no-such-token", CAPTCHA_ANSWER.0).unwrap_err());
    let missed = client.captcha().unwrap();
    captcha_error(verify(&missed.token, CAPTCHA_ANSWER.0 + 40.0).unwrap_err());
    captcha_error(verify(&missed.token, CAPTCHA_ANSWER.0).unwrap_err());

    let captcha = client.captcha().unwrap();
    let captcha_token = verify(&captcha.token, CAPTCHA_ANSWER.0).unwrap();
    let sms = |mobile: &str| {
        client.send_sms_code(&SendSmsCode {
            mobile: mobile.into(),
            purpose: SmsPurpose::Login,
            captcha_token: captcha_token.clone(),
        })
    };
    captcha_error(sms("13900139000").unwrap_err());
    // The failed attempt for another number used the token up.
    captcha_error(sms("13800138000").unwrap_err());
}

/// A Tencent request with `headers` replaced and `body` as given, signed over both with the
/// demo key (so that only the altered part can be refused).
fn tencent_request(sim: &Simulator, headers: &[(&'static str, &str)], body: &Value) -> HttpRequest {
    let mut request = fresh_request(&client(sim, Vendor::Tencent));
    request.body = body.to_string().into_bytes();
    for (name, value) in headers {
        request
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        request.headers.push((*name, (*value).to_owned().into()));
    }
    let header = |name: &str| request.header_value(name).unwrap_or_default().to_owned();
    let timestamp = header("X-TC-Timestamp").parse().unwrap_or(0);
    let (host, action) = (header("Host"), header("X-TC-Action"));
    let signed = Tc3Request {
        method: "POST",
        host: &host,
        content_type: "application/json; charset=utf-8",
        signed_action: Some(&action),
        service: "vms",
        timestamp,
        payload: &request.body,
    };
    let authorization = signed.authorization(TENCENT_SECRET_ID, TENCENT_SECRET_KEY);
    request.headers.retain(|(k, _)| *k != "Authorization");
    request
        .headers
        .push(("Authorization", authorization.into()));
    request
}

fn tencent_body() -> Value {
    json!({"CodeMessage": "1234", "CalledNumber": "+8613800138000", "VoiceSdkAppid": voicecode_sim::demo::TENCENT_VOICE_SDK_APPID})
}

fn tencent_code(sim: &Simulator, request: &HttpRequest) -> (ErrorKind, String) {
    let channel = client(sim, Vendor::Tencent).channel().clone();
    let err = exchange(&channel, request).unwrap_err();
    assert_eq!(err.outcome(), Outcome::Refused, "{err}");
    (err.kind(), err.vendor_code().unwrap_or_default().to_owned())
}

#[test]
fn tencent_accepts_a_request_re_signed_by_the_test_helper() {
    // The helper below is trusted by the other Tencent checks only because this passes.
    let sim = start();
    let channel = client(&sim, Vendor::Tencent).channel().clone();
    let receipt = exchange(&channel, &tencent_request(&sim, &[], &tencent_body())).unwrap();
    assert!(!receipt.message_id.is_empty());
}

/// Tencent's official SDKs read `Response.Error` only when the content type is exactly
/// `application/json` (tencentcloud-sdk-python-common's `_check_error`), as the service sends it;
/// with a charset parameter every refusal would read as a success there.
#[test]
fn tencent_answers_with_the_services_exact_content_type() {
    let sim = start();
    let accepted = tencent_request(&sim, &[], &tencent_body());
    let refused = tencent_request(&sim, &[("X-TC-Action", "SendTtsVoice")], &tencent_body());
    // An injected refusal answers first, then the vendor's own checks refuse and accept.
    sim.inject(
        Vendor::Tencent,
        voicecode_sim::Fault::VendorCode {
            code: "LimitExceeded".into(),
            times: 1,
        },
    );
    let faulted = tencent_request(&sim, &[], &tencent_body());
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    for (what, request) in [
        ("injected", &faulted),
        ("refused", &refused),
        ("accepted", &accepted),
    ] {
        let mut builder = http.post(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_ref());
        }
        let response = builder.body(request.body.clone()).send().unwrap();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = response.json().unwrap();
        assert_eq!(content_type, "application/json", "{what}: {body}");
    }
}

#[test]
fn tencent_refuses_a_timestamp_more_than_five_minutes_off() {
    let sim = start();
    let client = client(&sim, Vendor::Tencent);
    for skew in [Duration::minutes(6), Duration::minutes(-6)] {
        let request = signed_request(&client, "1234", Utc::now() - skew, "n");
        let err = exchange(client.channel(), &request).unwrap_err();
        assert_eq!(
            (err.kind(), err.vendor_code()),
            (ErrorKind::AuthFailed, Some("AuthFailure.SignatureExpire")),
            "{skew}"
        );
    }
    let request = signed_request(&client, "1234", Utc::now() - Duration::minutes(4), "n");
    exchange(client.channel(), &request).unwrap();
}

#[test]
fn tencent_refuses_an_altered_body_header_or_scope() {
    let sim = start();
    let client = client(&sim, Vendor::Tencent);
    let signature_failure = (
        ErrorKind::AuthFailed,
        "AuthFailure.SignatureFailure".to_owned(),
    );

    let mut body = fresh_request(&client);
    body.body = String::from_utf8(body.body)
        .unwrap()
        .replace("1234", "9999")
        .into_bytes();
    assert_eq!(tencent_code(&sim, &body), signature_failure);

    let mut host = fresh_request(&client);
    for (name, value) in &mut host.headers {
        if *name == "Host" {
            *value = "vms.tencentcloudapi.com".into();
        }
    }
    assert_eq!(tencent_code(&sim, &host), signature_failure);

    let mut scope = fresh_request(&client);
    for (name, value) in &mut scope.headers {
        if *name == "Authorization" {
            *value = value.replace("/vms/", "/cvm/").into();
        }
    }
    assert_eq!(tencent_code(&sim, &scope), signature_failure);

    let mut shape = fresh_request(&client);
    for (name, value) in &mut shape.headers {
        if *name == "Authorization" {
            *value = value.replace("TC3-HMAC-SHA256", "HMAC-SHA1").into();
        }
    }
    assert_eq!(
        tencent_code(&sim, &shape),
        (
            ErrorKind::AuthFailed,
            "AuthFailure.InvalidAuthorization".to_owned()
        )
    );
    assert!(sim
        .journal()
        .iter()
        .all(|e| matches!(e.verdict, Verdict::Refused { .. })));
}

#[test]
fn tencent_checks_the_action_version_and_region_headers() {
    let sim = start();
    let cases = [
        (
            "X-TC-Action",
            "SendTtsVoice",
            ErrorKind::InvalidConfig,
            "InvalidAction",
        ),
        (
            "X-TC-Version",
            "2017-03-12",
            ErrorKind::InvalidConfig,
            "NoSuchVersion",
        ),
        (
            "X-TC-Region",
            "",
            ErrorKind::InvalidInput,
            "MissingParameter",
        ),
        (
            "X-TC-Region",
            "Guangzhou",
            ErrorKind::InvalidConfig,
            "UnsupportedRegion",
        ),
    ];
    for (header, value, kind, code) in cases {
        let request = tencent_request(&sim, &[(header, value)], &tencent_body());
        assert_eq!(
            tencent_code(&sim, &request),
            (kind, code.to_owned()),
            "{header}"
        );
    }
}

#[test]
fn tencent_checks_each_fields_presence_type_and_value() {
    let sim = start();
    let with = |key: &str, value: Value| {
        let mut body = tencent_body();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = tencent_body();
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let cases = [
        (without("CodeMessage"), "MissingParameter"),
        (without("CalledNumber"), "MissingParameter"),
        (without("VoiceSdkAppid"), "MissingParameter"),
        (with("CodeMessage", json!(1234)), "InvalidParameter"),
        (with("PlayTimes", json!("2")), "InvalidParameter"),
        (with("SessionContext", json!(7)), "InvalidParameter"),
        (with("Extra", json!(1)), "UnknownParameter"),
        (
            with("VoiceSdkAppid", json!("1400009999")),
            "InvalidParameterValue.SdkAppidNotExist",
        ),
        (
            with("CalledNumber", json!("13800138000")),
            "InvalidParameterValue.CalledNumberVerifyFail",
        ),
        (
            with("CalledNumber", json!("+14155550100")),
            "InvalidParameterValue.CalledNumberVerifyFail",
        ),
        (with("CodeMessage", json!("12a4")), "InvalidParameterValue"),
        (with("PlayTimes", json!(4)), "InvalidParameterValue"),
        (with("PlayTimes", json!(0)), "InvalidParameterValue"),
        (
            with("SessionContext", json!("x".repeat(513))),
            "InvalidParameterValue",
        ),
        (json!([1, 2]), "FailedOperation.JsonParseFail"),
    ];
    for (body, code) in cases {
        let request = tencent_request(&sim, &[], &body);
        assert_eq!(tencent_code(&sim, &request).1, code, "{body}");
    }
    assert_eq!(
        sim.balance(Vendor::Tencent),
        Some(voicecode_sim::demo::DEFAULT_BALANCE),
        "refused sends cost nothing"
    );
}

#[test]
fn tencent_refuses_sends_once_the_voice_package_is_empty() {
    let sim = Simulator::start(SimOptions {
        balances: HashMap::from([(Vendor::Tencent, 0)]),
        ..SimOptions::default()
    })
    .unwrap();
    let client = client(&sim, Vendor::Tencent);
    let err = first_request(&client, 0).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.vendor_code()),
        (
            ErrorKind::InsufficientBalance,
            Outcome::Refused,
            Some("FailedOperation.InsufficientBalanceInVoicePackage")
        )
    );
    sim.set_balance(Vendor::Tencent, 1);
    first_request(&client, 1).unwrap();
    assert_eq!(sim.balance(Vendor::Tencent), Some(0));
}

#[test]
fn posts_to_the_root_without_x_tc_action_are_not_tencents() {
    let sim = start();
    let (_, body) = post(&sim, "/", "application/json", "{}");
    assert!(!body.contains("\"Response\""), "{body}");
    assert!(sim.journal().iter().all(|e| e.vendor != Vendor::Tencent));
}

#[test]
fn malformed_requests_get_an_answer_and_never_break_the_server() {
    let sim = start();
    let paths = [
        "/201512/sid/x/call/CodeCallOut.wx?Sign=%zz",
        "/201612/sid/x/account/getBlance.wx",
        "/rest/httpsessions/callVerify/v1.0",
        "/webservice/voice.php?method=Submit",
        "/webservice/voice.php?method=GetNum&account=%ff",
        "/voiceApi",
        "/voiceApi/getBalance",
        "/api/v2/sdk/captcha/verify",
        "/api/v2/sdk/sms/send",
        "/",
    ];
    let deep = "[".repeat(5000);
    let bodies = [
        "",
        "{",
        "\u{0}\u{1}",
        "a=%zz&b",
        "account=&password=&mobile=&content=",
        deep.as_str(),
    ];
    for path in paths {
        for body in bodies {
            let (status, _) = post(&sim, path, "application/json", body);
            assert!(
                (200..500).contains(&status),
                "{path} {body:.10}: HTTP {status}"
            );
        }
    }
    first_request(&client(&sim, Vendor::Huawei), 0).unwrap();
}

/// A request to the Alibaba Cloud simulator built by hand: the demo account's common
/// parameters, replaced or completed by `params` (an empty value leaves the parameter out),
/// signed with the core's RPC signer.
fn aliyun_request(
    sim: &Simulator,
    method: &str,
    params: &[(&str, &str)],
    now: chrono::DateTime<Utc>,
    nonce: &str,
) -> (u16, String) {
    use voicecode::protocol::signing::{
        aliyun_canonicalized_query, aliyun_percent_encode, aliyun_signature, aliyun_string_to_sign,
        aliyun_timestamp,
    };
    use voicecode_sim::demo::{ALIYUN_ACCESS_KEY_ID, ALIYUN_ACCESS_KEY_SECRET};
    let timestamp = aliyun_timestamp(now);
    let mut all: Vec<(&str, &str)> = vec![
        ("AccessKeyId", ALIYUN_ACCESS_KEY_ID),
        ("Action", "SingleCallByTts"),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", &timestamp),
        ("Version", "2017-05-25"),
    ];
    for (name, value) in params {
        all.retain(|(k, _)| k != name);
        all.push((name, value));
    }
    all.retain(|(_, v)| !v.is_empty());
    let signed = aliyun_signature(
        ALIYUN_ACCESS_KEY_SECRET,
        &aliyun_string_to_sign(method, &all),
    );
    let query = format!(
        "{}&Signature={}",
        aliyun_canonicalized_query(&all),
        aliyun_percent_encode(&signed)
    );
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let response = if method == "GET" {
        http.get(format!("{}/?{query}", sim.base_url())).send()
    } else {
        http.post(format!("{}/", sim.base_url()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(query)
            .send()
    }
    .unwrap();
    let status = response.status().as_u16();
    (status, response.text().unwrap())
}

fn aliyun_code(answer: &(u16, String)) -> (u16, String) {
    let body: Value = serde_json::from_str(&answer.1).unwrap_or(Value::Null);
    (answer.0, body["Code"].as_str().unwrap_or("").to_owned())
}

/// The business parameters of a valid call to `called` with code 4821.
fn aliyun_call(called: &str) -> Vec<(&str, &str)> {
    vec![
        ("CalledNumber", called),
        (
            "CalledShowNumber",
            voicecode_sim::demo::ALIYUN_CALLED_SHOW_NUMBER,
        ),
        ("TtsCode", voicecode_sim::demo::ALIYUN_TTS_CODE),
        ("TtsParam", r#"{"code":"4821"}"#),
    ]
}

#[test]
fn aliyun_refuses_a_timestamp_more_than_fifteen_minutes_off() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    for (n, (offset_minutes, accepted)) in [(-16, false), (16, false), (-14, true), (0, true)]
        .into_iter()
        .enumerate()
    {
        let context = Context {
            now: Utc::now() + Duration::minutes(offset_minutes),
            nonce: format!("nonce{n}").into(),
        };
        let request = client
            .channel()
            .send_code_request(&SendCode::new(mobile(n as u32), "1234"), &context)
            .unwrap();
        let result = exchange(client.channel(), &request);
        assert_eq!(result.is_ok(), accepted, "{offset_minutes} min: {result:?}");
        if let Err(err) = result {
            assert_eq!(
                (err.kind(), err.vendor_code(), err.http_status()),
                (
                    ErrorKind::AuthFailed,
                    Some("InvalidTimeStamp.Expired"),
                    Some(400)
                )
            );
        }
    }
}

#[test]
fn aliyun_refuses_a_reused_signature_nonce() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    let now = Utc::now();
    for (n, accepted) in [(0, true), (1, false)] {
        let context = Context {
            now,
            nonce: "the-same-nonce".into(),
        };
        let request = client
            .channel()
            .send_code_request(&SendCode::new(mobile(n), "1234"), &context)
            .unwrap();
        let result = exchange(client.channel(), &request);
        assert_eq!(result.is_ok(), accepted, "{result:?}");
        if let Err(err) = result {
            assert_eq!(
                (err.kind(), err.vendor_code()),
                (ErrorKind::AuthFailed, Some("SignatureNonceUsed"))
            );
        }
    }
}

#[test]
fn aliyun_signs_every_parameter_so_a_changed_one_is_refused() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    let mut request = fresh_request(&client);
    let body = String::from_utf8(request.body.clone()).unwrap();
    request.body = body
        .replace("CalledNumber=13800138000", "CalledNumber=13800138999")
        .into_bytes();
    let err = exchange(client.channel(), &request).unwrap_err();
    assert_eq!(
        (err.kind(), err.vendor_code(), err.http_status()),
        (
            ErrorKind::AuthFailed,
            Some("SignatureDoesNotMatch"),
            Some(400)
        )
    );
    // As the gateway does, the answer shows the server's StringToSign (never the secret).
    let message = err.vendor_message().unwrap();
    assert!(
        message.contains("server string to sign is:POST&%2F&AccessKeyId%3D"),
        "{message}"
    );
    assert!(message.contains("13800138999"), "{message}");
    assert_eq!(sim.count(Vendor::Aliyun, Operation::SendCode), 1);
}

#[test]
fn aliyun_accepts_the_documented_get_form_and_answers_xml_by_default() {
    let sim = start();
    let mut params = aliyun_call("13800138000");
    params.push(("Format", ""));
    let (status, body) = aliyun_request(&sim, "GET", &params, Utc::now(), "g1");
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("<?xml"), "{body}");
    assert!(body.contains("<Code>OK</Code>"), "{body}");
    assert!(body.contains("<CallId>"), "{body}");
    assert_eq!(sim.journal()[0].method, "GET");
}

#[test]
fn aliyun_checks_its_parameters_one_by_one() {
    let sim = start();
    let now = Utc::now();
    // Parameters changed from a valid call, the HTTP status and the code expected.
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![("SignatureNonce", "")], 400, "MissingSignatureNonce"),
        (vec![("TtsCode", "")], 400, "MissingTtsCode"),
        (vec![("CalledNumber", "")], 400, "MissingCalledNumber"),
        (
            vec![("Action", "SingleCallByVoice")],
            404,
            "InvalidApi.NotFound",
        ),
        (vec![("Version", "2022-01-01")], 404, "InvalidApi.NotFound"),
        (vec![("Format", "YAML")], 400, "InvalidParameter.Format"),
        (
            vec![("SignatureMethod", "HMAC-SHA256")],
            400,
            "InvalidSignatureMethod",
        ),
        (
            vec![("Timestamp", "2024-02-29 23:30:00")],
            400,
            "InvalidTimeStamp.Format",
        ),
        (
            vec![("TtsCode", "TTS_999"), ("CalledNumber", "13800138000")],
            200,
            "isv.TTS_TEMPLATE_ILLEGAL",
        ),
        (
            vec![("CalledShowNumber", "02100000000")],
            200,
            "isv.DISPLAY_NUMBER_ILLEGAL",
        ),
        (
            vec![("CalledNumber", "12345")],
            200,
            "isv.MOBILE_NUMBER_ILLEGAL",
        ),
        (vec![("TtsParam", "4821")], 200, "isv.INVALID_PARAMETERS"),
        (
            vec![("TtsParam", r#"{"AckNum":"4821"}"#)],
            200,
            "isv.TEMPLATE_MISSING_PARAMETERS",
        ),
        (
            vec![("TtsParam", r#"{"code":"48-21"}"#)],
            200,
            "isv.TEMPLATE_PARAMS_ILLEGAL",
        ),
        (vec![("PlayTimes", "4")], 200, "isv.INVALID_PARAMETERS"),
        (vec![("Volume", "101")], 200, "isv.INVALID_PARAMETERS"),
        (vec![("Speed", "-501")], 200, "isv.INVALID_PARAMETERS"),
        (
            vec![("OutId", "0123456789abcdef")],
            200,
            "isv.INVALID_PARAMETERS",
        ),
    ];
    for (n, (changes, status, code)) in cases.into_iter().enumerate() {
        let mut params = aliyun_call("13800138000");
        params.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
        params.extend(changes.iter().copied());
        let answer = aliyun_request(&sim, "POST", &params, now, &format!("check{n}"));
        assert_eq!(
            aliyun_code(&answer),
            (status, code.to_owned()),
            "{changes:?}: {}",
            answer.1
        );
    }
    assert!(
        sim.journal()
            .iter()
            .all(|e| matches!(e.verdict, Verdict::Refused { .. })),
        "nothing was accepted"
    );
}

#[test]
fn aliyun_calls_the_same_number_at_most_once_a_minute() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    let send = |phone: &str| client.send_code(&SendCode::new(phone, "1234"));
    send("13800138000").unwrap();
    let err = send("+8613800138000").unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.vendor_code()),
        (
            ErrorKind::RateLimited,
            Outcome::Refused,
            Some("isv.BUSINESS_LIMIT_CONTROL")
        )
    );
    send("13800138001").unwrap();
}

#[test]
fn the_root_path_hands_tencent_requests_to_tencent_and_the_rest_to_aliyun() {
    let sim = start();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let tencent = http
        .post(format!("{}/", sim.base_url()))
        .header("X-TC-Action", "SendTtsVoice")
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    let body: Value = tencent.json().unwrap();
    assert_eq!(body["Response"]["Error"]["Code"], "InvalidAction");
    let journal = sim.journal();
    assert!(
        journal.iter().all(|e| e.vendor == Vendor::Tencent),
        "{journal:?}"
    );

    let (status, body) = post(
        &sim,
        "/",
        "application/x-www-form-urlencoded",
        "Format=JSON",
    );
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["Code"], "MissingAccessKeyId");
    assert_eq!(sim.journal().last().map(|e| e.vendor), Some(Vendor::Aliyun));
}
