//! Call-status pushes: parsing into events, authenticating Huawei pushes, de-duplication.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use voicecode::callbacks::{
    self, parse, CallEvent, Deduplicator, EventKind, HuaweiPushVerifier, PushAck,
};
use voicecode::protocol::signing::push_digest;
use voicecode::{ErrorKind, Vendor};

const SESSION: &str = "1202_14260_4294967295_20190124024846@callenabler245.huaweicaas.com";
const URL: &str = "https://example.com/status";
const SECRET: &str = "appSecretExample";

fn huawei(body: &str) -> Vec<CallEvent> {
    parse(Vendor::Huawei, &[], body.as_bytes()).unwrap()
}

#[test]
fn huawei_status_pushes_become_events_in_order() {
    let pushes = [
        ("callout", "02:48:46", EventKind::Dialing),
        ("alerting", "02:48:47", EventKind::Ringing),
        ("answer", "02:49:12", EventKind::Answered),
    ];
    for (event_type, time, kind) in pushes {
        let body = format!(
            r#"{{"eventType":"{event_type}","statusInfo":{{"sessionId":"{SESSION}","timestamp":"2019-01-24 {time}","caller":"+8613800000022","called":"+8613800000021","userData":"order-42"}}}}"#
        );
        let events = huawei(&body);
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!((e.event, e.message_id.as_str()), (kind, SESSION));
        assert_eq!(e.phone.as_deref(), Some("+8613800000021"));
        assert_eq!(e.user_data.as_deref(), Some("order-42"));
        assert_eq!(
            e.at.unwrap().to_rfc3339(),
            format!("2019-01-24T{time}+00:00")
        );
        assert_eq!(e.raw["eventType"], event_type);
    }
}

#[test]
fn huawei_disconnect_keeps_the_state_code_even_when_unknown() {
    for (code, desc) in [
        (16, "Normal call clearing"),
        (17, "busy"),
        (4242, "new code"),
    ] {
        let body = format!(
            r#"{{"eventType":"disconnect","statusInfo":{{"sessionId":"s1","timestamp":"2019-01-24 02:49:23","called":"+8613800000021","stateCode":{code},"stateDesc":"{desc}"}}}}"#
        );
        let e = &huawei(&body)[0];
        assert_eq!(
            (e.event, e.state_code, e.state_desc.as_deref()),
            (EventKind::Hangup, Some(code), Some(desc))
        );
    }
}

#[test]
fn huawei_fee_pushes_give_one_event_per_record_and_keep_unknown_fields() {
    let body = r#"{"eventType":"fee","feeLst":[
        {"direction":0,"spId":"sp","appKey":"k","sessionId":"s1","calleeNum":"+8613800000021","callInTime":"2019-01-24 02:48:46",
         "fwdAnswerTime":"2019-01-24 02:49:12","callEndTime":"2019-01-24 02:49:23","ulFailReason":0,"userData":"u1","brandNewField":"kept"},
        {"sessionId":"s2","calleeNum":"+8613800000022","callEndTime":"2019-01-24 03:00:00","fwdUnaswRsn":19,"ulFailReason":0}]}"#;
    let events = huawei(body);
    assert_eq!(events.len(), 2);
    assert_eq!(
        (
            events[0].event,
            events[0].message_id.as_str(),
            events[0].talk_seconds
        ),
        (EventKind::Fee, "s1", Some(11))
    );
    assert_eq!(events[0].raw["brandNewField"], "kept");
    assert_eq!(events[1].talk_seconds, None);
    assert_eq!(events[1].state_code, Some(19));
}

#[test]
fn cloud10658_receipts_become_delivered_or_failed() {
    let form = "mobile=15080920000&taskid=3313746&status=1&code=1&receivetime=2019-07-23+17%3A00%3A00&talktime=12&remark=%E6%8E%A5%E6%94%B6%E6%88%90%E5%8A%9F";
    let e = &parse(Vendor::Cloud10658, &[], form.as_bytes()).unwrap()[0];
    assert_eq!(
        (e.event, e.message_id.as_str(), e.talk_seconds),
        (EventKind::Delivered, "3313746", Some(12))
    );
    assert_eq!(e.state_desc.as_deref(), Some("接收成功"));
    // China wall-clock time, converted to UTC.
    assert_eq!(
        e.at.unwrap(),
        Utc.with_ymd_and_hms(2019, 7, 23, 9, 0, 0).unwrap()
    );

    let json = r#"{"mobile":"15080920000","taskid":"1","status":"0","code":"408","receivetime":"2019-07-23 17:00:00","talktime":"0","remark":"failed"}"#;
    let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
    let e = &parse(Vendor::Cloud10658, &headers, json.as_bytes()).unwrap()[0];
    assert_eq!((e.event, e.state_code), (EventKind::Failed, Some(408)));
}

#[test]
fn aliyun_voice_reports_become_one_event_per_record() {
    let body = r#"[
        {"call_id":"116012354148^1","status_code":"200000","status_msg":"用户听完语音","callee":"13000000000",
         "duration":"12","end_time":"2021-04-28 10:03:50","out_id":"order-42","brand_new_field":"kept"},
        {"call_id":"116012354148^2","status_code":"200002","status_msg":"用户占线","callee":"13000000001",
         "duration":"0","originate_time":"2021-04-28 10:02:34"}
    ]"#;
    let events = parse(Vendor::Aliyun, &[], body.as_bytes()).unwrap();
    let summary: Vec<(&str, EventKind, Option<i64>, Option<u64>)> = events
        .iter()
        .map(|e| (e.message_id.as_str(), e.event, e.state_code, e.talk_seconds))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "116012354148^1",
                EventKind::Delivered,
                Some(200000),
                Some(12)
            ),
            ("116012354148^2", EventKind::Failed, Some(200002), Some(0)),
        ]
    );
    assert_eq!(events[0].user_data.as_deref(), Some("order-42"));
    assert_eq!(events[0].raw["brand_new_field"], "kept");
    // China wall-clock time, converted to UTC.
    assert_eq!(
        events[0].at.unwrap(),
        Utc.with_ymd_and_hms(2021, 4, 28, 2, 3, 50).unwrap()
    );
}

#[test]
fn tencent_callbacks_become_delivered_or_failed_with_raw_fields_kept() {
    let status = r#"{"voicecode_callback":{"result":"0","accept_time":"1470196835","call_from":"075583763333","callid":"c-1","end_calltime":"1470196843","fee":"1","mobile":"13800138000","nationcode":"86","start_calltime":"1470196821"}}"#;
    let e = &parse(Vendor::Tencent, &[], status.as_bytes()).unwrap()[0];
    assert_eq!(
        (e.vendor, e.event, e.message_id.as_str(), e.talk_seconds),
        (Vendor::Tencent, EventKind::Delivered, "c-1", Some(8))
    );
    // Unix seconds: the same instant whatever the zone.
    assert_eq!(
        e.at.unwrap(),
        Utc.with_ymd_and_hms(2016, 8, 3, 4, 0, 43).unwrap()
    );
    assert_eq!(e.raw["voicecode_callback"]["call_from"], "075583763333");

    let failure = r#"{"voice_failure_callback":{"call_from":"","callid":"c-2","failure_code":5,"failure_reason":"无人接听","mobile":"13800138000","nationcode":"86"}}"#;
    let e = &parse(Vendor::Tencent, &[], failure.as_bytes()).unwrap()[0];
    assert_eq!(
        (e.event, e.state_code, e.state_desc.as_deref()),
        (EventKind::Failed, Some(5), Some("无人接听"))
    );
}

/// The SMS delivery reports arrive on the vendors' push URLs as their voice pushes do, and are
/// told from them by shape: the documents' own examples.
#[test]
fn sms_delivery_reports_become_delivered_or_failed_events() {
    // Alibaba Cloud SmsReport (help.aliyun.com/document_detail/101867.html), a failure beside it.
    let aliyun = r#"[
        {"phone_number":"13811110000","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:00:05",
         "success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1",
         "biz_id":"900619746936498440^0","out_id":"signup-7"},
        {"phone_number":"13811110001","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:01:00",
         "success":false,"err_code":"MK:0001","err_msg":"","sms_size":"1","biz_id":"900619746936498441^0"}
    ]"#;
    let events = parse(Vendor::Aliyun, &[], aliyun.as_bytes()).unwrap();
    let summary: Vec<(&str, EventKind, Option<&str>)> = events
        .iter()
        .map(|e| (e.message_id.as_str(), e.event, e.state_desc.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "900619746936498440^0",
                EventKind::Delivered,
                Some("DELIVERED 用户接收成功")
            ),
            ("900619746936498441^0", EventKind::Failed, Some("MK:0001")),
        ]
    );
    assert_eq!(events[0].user_data.as_deref(), Some("signup-7"));
    assert_eq!(events[0].phone.as_deref(), Some("13811110000"));
    assert_eq!(
        events[0].at.unwrap(),
        Utc.with_ymd_and_hms(2016, 12, 31, 16, 0, 5).unwrap()
    );

    // Tencent's status callback (cloud.tencent.com/document/api/382/43547).
    let tencent = r#"[
        {"user_receive_time":"2015-10-17 08:03:04","nationcode":"86","mobile":"13800138000",
         "report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":"2433:1"},
        {"user_receive_time":"2015-10-17 08:03:09","nationcode":"86","mobile":"13800138001",
         "report_status":"FAIL","errmsg":"MN:0001","description":"空号","sid":"2433:2"}
    ]"#;
    let events = parse(Vendor::Tencent, &[], tencent.as_bytes()).unwrap();
    let summary: Vec<(&str, EventKind, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| {
            let phone = e.phone.as_deref();
            (
                e.message_id.as_str(),
                e.event,
                phone,
                e.state_desc.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "2433:1",
                EventKind::Delivered,
                Some("+8613800138000"),
                Some("DELIVRD 用户短信送达成功")
            ),
            (
                "2433:2",
                EventKind::Failed,
                Some("+8613800138001"),
                Some("MN:0001 空号")
            ),
        ]
    );
    assert_eq!(
        events[0].at.unwrap(),
        Utc.with_ymd_and_hms(2015, 10, 17, 0, 3, 4).unwrap()
    );

    // ihuyi's 发送回执推送 (短信验证码接口文档 v3.3 §5), a form post; any code but 2 is a failure.
    let ihuyi = [
        "code=2&msg=%E7%94%A8%E6%88%B7%E6%8E%A5%E6%94%B6%E6%88%90%E5%8A%9F&mobilephone=13800138000\
         &smsid=14745625541233112231&report_time=2017-08-02+14%3A31%3A51",
        "code=0&msg=UNDELIV&mobilephone=13800138001&smsid=14745625541233112232\
         &report_time=2017-08-02+14%3A32%3A00",
    ];
    let events: Vec<CallEvent> = ihuyi
        .iter()
        .flat_map(|body| parse(Vendor::Ihuyi, &[], body.as_bytes()).unwrap())
        .collect();
    let summary: Vec<(&str, EventKind, Option<&str>, Option<i64>)> = events
        .iter()
        .map(|e| {
            let desc = e.state_desc.as_deref();
            (e.message_id.as_str(), e.event, desc, e.state_code)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "14745625541233112231",
                EventKind::Delivered,
                Some("用户接收成功"),
                Some(2)
            ),
            (
                "14745625541233112232",
                EventKind::Failed,
                Some("UNDELIV"),
                Some(0)
            ),
        ]
    );
    assert_eq!(events[0].phone.as_deref(), Some("13800138000"));
    assert_eq!(
        events[0].at.unwrap(),
        Utc.with_ymd_and_hms(2017, 8, 2, 6, 31, 51).unwrap()
    );

    // A report pushed again is dropped as any event is.
    let dedupe = Deduplicator::new(16);
    assert!(dedupe.first_time(&events[0]));
    assert!(!dedupe.first_time(&events[0]));
}

#[test]
fn malformed_pushes_are_invalid_input() {
    for (vendor, body) in [
        (Vendor::Huawei, "not json"),
        (Vendor::Huawei, r#"{"eventType":"answer"}"#),
        (
            Vendor::Huawei,
            r#"{"eventType":"teleport","statusInfo":{"sessionId":"s"}}"#,
        ),
        (Vendor::Cloud10658, "taskid=1&status=maybe"),
        (Vendor::Cloud10658, "status=1"),
        (Vendor::Aliyun, r#"{"call_id":"c","status_code":"200000"}"#),
        (Vendor::Aliyun, r#"[{"status_code":"200000"}]"#),
        (Vendor::Tencent, r#"{"voicecode_callback":{"result":"0"}}"#),
        (Vendor::Aliyun, r#"[{"biz_id":"b","success":"yes"}]"#),
        (Vendor::Tencent, r#"[{"report_status":"SUCCESS"}]"#),
        (Vendor::Tencent, r#"[{"sid":"s"}]"#),
        (Vendor::Tencent, "42"),
        (Vendor::Ihuyi, "code=2&msg=ok"),
        (Vendor::Ihuyi, "smsid=1&msg=ok"),
        (Vendor::Ihuyi, "%ZZ"),
        (Vendor::Ytx, "{}"),
    ] {
        let err = parse(vendor, &[], body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{vendor} {body}");
    }
}

/// Every vendor that pushes has an acknowledgement, JSON where the vendor asks for a body;
/// the others have none.
#[test]
fn every_pushing_vendor_has_its_acknowledgement() {
    let json = "application/json; charset=utf-8";
    for vendor in Vendor::ALL {
        let expected = match vendor {
            Vendor::Aliyun => Some(PushAck {
                body: callbacks::ALIYUN_REPORT_ACK,
                content_type: json,
            }),
            Vendor::Tencent => Some(PushAck {
                body: callbacks::TENCENT_CALLBACK_ACK,
                content_type: json,
            }),
            Vendor::Ihuyi => Some(PushAck {
                body: "success",
                content_type: "text/plain; charset=utf-8",
            }),
            Vendor::Huawei | Vendor::Cloud10658 => Some(PushAck::EMPTY),
            _ => None,
        };
        assert_eq!(callbacks::push_ack(vendor), expected, "{vendor}");
        // A vendor is acknowledged exactly when its pushes can be parsed.
        let parses = parse(vendor, &[], b"").map_err(|e| e.field() == Some("vendor"));
        assert_eq!(expected.is_none(), parses == Err(true), "{vendor}");
        if let Some(ack) = expected.filter(|a| a.content_type == json) {
            serde_json::from_str::<serde_json::Value>(ack.body).unwrap();
        }
    }
}

fn signed_headers(secret: &str, url: &str, nonce: &str, created: &str) -> Vec<(String, String)> {
    let digest = push_digest(secret, url, nonce, created);
    vec![(
        "X-AKSK".to_owned(),
        format!(
            r#"UsernameToken Username="app",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}""#
        ),
    )]
}

fn at(h: u32, m: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 5, 26, h, m, s).unwrap()
}

#[test]
fn a_genuine_push_is_accepted_once() {
    let verifier = HuaweiPushVerifier::new(SECRET, URL);
    let headers = signed_headers(
        SECRET,
        URL,
        "ac1c911c4792492687f8f6b2264a491e",
        "2018-05-26T00:35:30Z",
    );
    // The known-answer digest from the vendor protocol notes.
    assert!(headers[0]
        .1
        .contains("CSuMmH1TsX7hxz8sX7gi+cqjdmlEDSBa83HImWYMF/0="));
    verifier.verify_at(&headers, at(0, 36, 0)).unwrap();
    let replay = verifier.verify_at(&headers, at(0, 36, 1)).unwrap_err();
    assert_eq!(replay.kind(), ErrorKind::AuthFailed);
    assert!(replay.message().contains("already used"), "{replay}");
}

#[test]
fn forged_stale_and_malformed_pushes_are_refused_with_a_reason() {
    let verifier = HuaweiPushVerifier::new(SECRET, URL).with_window(Duration::from_secs(300));
    let now = at(0, 36, 0);
    let cases = [
        (
            signed_headers("wrong-secret", URL, "n1", "2018-05-26T00:35:30Z"),
            "digest",
        ),
        (
            signed_headers(
                SECRET,
                "https://evil.example.com/status",
                "n2",
                "2018-05-26T00:35:30Z",
            ),
            "digest",
        ),
        (
            signed_headers(SECRET, URL, "n3", "2018-05-26T00:20:00Z"),
            "window",
        ),
        (
            signed_headers(SECRET, URL, "n4", "2018-05-26T00:45:00Z"),
            "window",
        ),
        (
            signed_headers(SECRET, URL, "bad nonce!", "2018-05-26T00:35:30Z"),
            "nonce",
        ),
        (vec![], "no X-AKSK"),
        (
            vec![("X-AKSK".to_owned(), "Basic abc".to_owned())],
            "malformed",
        ),
    ];
    for (headers, reason) in cases {
        let err = verifier.verify_at(&headers, now).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthFailed);
        assert!(
            err.message().contains(reason),
            "expected {reason:?} in {err}"
        );
    }
}

#[test]
fn deduplicator_passes_each_event_once() {
    let body = r#"{"eventType":"fee","feeLst":[{"sessionId":"s1"},{"sessionId":"s1"},{"sessionId":"s2"}]}"#;
    let dedupe = Deduplicator::new(2);
    let firsts: Vec<bool> = huawei(body).iter().map(|e| dedupe.first_time(e)).collect();
    assert_eq!(firsts, [true, false, true]);
    // Bounded: with capacity 2, a third key evicts the oldest.
    let third = &huawei(r#"{"eventType":"fee","feeLst":[{"sessionId":"s3"}]}"#)[0];
    assert!(dedupe.first_time(third));
    assert!(dedupe.first_time(&huawei(body)[0]), "s1 was forgotten");
}

/// The one header shape every binding passes: an object (a list value is one header each) or
/// `[name, value]` pairs; anything else names the field.
#[test]
fn headers_come_as_an_object_or_as_pairs() {
    let pairs = |v: serde_json::Value| callbacks::header_pairs("headers", v);
    let expected = vec![
        ("a".to_owned(), "1".to_owned()),
        ("b".to_owned(), "2".to_owned()),
        ("b".to_owned(), "3".to_owned()),
    ];
    assert_eq!(
        pairs(serde_json::json!({"a": "1", "b": ["2", "3"]})).unwrap(),
        expected
    );
    assert_eq!(
        pairs(serde_json::json!([["a", "1"], ["b", "2"], ["b", "3"]])).unwrap(),
        expected
    );
    for bad in [
        serde_json::json!(5),
        serde_json::json!({"a": 1}),
        serde_json::json!([["a"]]),
        serde_json::json!([["a", "1", "2"]]),
        serde_json::json!(["a: 1"]),
    ] {
        let err = pairs(bad.clone()).unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidInput, Some("headers")),
            "{bad}"
        );
    }
}

/// A status report to `https://example.com/sms/report?token=s3cret`, signed by Huawei's own
/// signer (`huaweicloudsdkcore.signer.Signer` 3.1.219, which leaves form bodies unsigned), as a
/// report with 推送AKSK鉴权 on arrives.
fn signed_report() -> (Vec<(String, String)>, &'static [u8]) {
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("X-Sdk-Date", "20181031T084345Z"),
        ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ("Host", "example.com"),
        (
            "Authorization",
            "SDK-HMAC-SHA256 Access=my_app_key, \
             SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, \
             Signature=593793df25e880524695de3235356b246189269bd3b23ea7a3a4122d98976e85",
        ),
    ];
    let body = b"sequence=1&total=1&updateTime=2018-10-31T08%3A43%3A41Z&source=2\
        &smsMsgId=2ea20735-f856-4376-afbf-570bd70a46ee_11840135&status=DELIVRD";
    let headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (headers, body)
}

#[test]
fn a_signed_huawei_sms_report_verifies_and_a_changed_one_does_not() {
    use voicecode::callbacks::HuaweiReportVerifier;
    let url = "https://example.com/sms/report?token=s3cret";
    let now = Utc.with_ymd_and_hms(2018, 10, 31, 8, 44, 0).unwrap();
    let verifier = HuaweiReportVerifier::new("my_app_key", "my_app_secret", url).unwrap();
    let (headers, body) = signed_report();
    verifier.verify_at(&headers, body, now).unwrap();
    // No nonce: the same report verifies again (de-duplicate its event instead).
    verifier.verify_at(&headers, body, now).unwrap();
    let [event] = parse(Vendor::Huawei, &headers, body)
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(event.event, EventKind::Delivered);

    let refusals: Vec<(&str, voicecode::Error)> = vec![
        (
            "another secret",
            HuaweiReportVerifier::new("my_app_key", "other", url)
                .unwrap()
                .verify_at(&headers, body, now)
                .unwrap_err(),
        ),
        (
            "another URL",
            HuaweiReportVerifier::new(
                "my_app_key",
                "my_app_secret",
                "https://example.com/sms/report",
            )
            .unwrap()
            .verify_at(&headers, body, now)
            .unwrap_err(),
        ),
        (
            "another application",
            HuaweiReportVerifier::new("other_key", "my_app_secret", url)
                .unwrap()
                .verify_at(&headers, body, now)
                .unwrap_err(),
        ),
        (
            "stale",
            verifier
                .verify_at(&headers, body, now + chrono::Duration::minutes(20))
                .unwrap_err(),
        ),
        (
            "unsigned",
            verifier.verify_at(&headers[..4], body, now).unwrap_err(),
        ),
        ("another host", {
            let mut changed = headers.clone();
            changed[3].1 = "evil.example".into();
            verifier.verify_at(&changed, body, now).unwrap_err()
        }),
    ];
    for (what, err) in refusals {
        assert_eq!(
            (err.kind(), err.vendor()),
            (ErrorKind::AuthFailed, Some(Vendor::Huawei)),
            "{what}: {err}"
        );
        assert!(!err.message().contains("my_app_secret"), "{what}: {err}");
    }
    let err = HuaweiReportVerifier::new("k", "s", "not a url").unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("url"))
    );
}
