//! Failover across channels: when it moves on, when it must not, and what it reports.

mod support;

use support::{closed_port, huawei_config, ytx_config, Reply, TestServer, HUAWEI_OK, YTX_OK};
use voicecode::{AsyncRouter, ChannelConfig, ErrorKind, Outcome, Router, SendCode, Vendor};

fn configs(jsons: &[String]) -> Vec<ChannelConfig> {
    jsons
        .iter()
        .map(|j| ChannelConfig::from_json(j).unwrap())
        .collect()
}

fn ihuyi_config(base_url: &str) -> String {
    format!(r#"{{"vendor":"ihuyi","base_url":"{base_url}","account":"VM1","api_key":"k"}}"#)
}

const RATE_LIMITED: &str =
    r#"{"resultcode":"1010009","resultdesc":"No more APIs can be invoked."}"#;

fn request() -> SendCode {
    SendCode::new("+8613800138000", "123456")
}

#[test]
fn moves_on_after_a_refusal_another_vendor_can_help_with() {
    let huawei = TestServer::start(|_| Reply::Json(403, RATE_LIMITED.into()));
    let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let router = Router::new(configs(&[
        huawei_config(&huawei.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    let receipt = router.send_code(&request()).unwrap();
    assert_eq!(receipt.vendor, Vendor::Ytx);
    assert_eq!((huawei.seen().len(), ytx.seen().len()), (1, 1));
}

#[test]
fn moves_on_when_nothing_was_sent() {
    let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let dead = huawei_config(&format!("http://127.0.0.1:{}", closed_port()));
    let router = Router::new(configs(&[dead, ytx_config(&ytx.base_url)])).unwrap();
    assert_eq!(router.send_code(&request()).unwrap().vendor, Vendor::Ytx);
}

#[test]
fn never_moves_on_after_a_timeout() {
    let huawei = TestServer::start(|_| Reply::Hang);
    let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let router = Router::new(configs(&[
        huawei_config(&huawei.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    let err = router.send_code(&request()).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Timeout, Outcome::Unknown)
    );
    assert!(
        ytx.seen().is_empty(),
        "a second vendor must not ring the phone again"
    );
    assert_eq!(err.attempts().len(), 1);
}

#[test]
fn never_moves_on_after_a_refusal_no_vendor_can_fix() {
    let blocked = r#"{"resultcode":"1013004","resultdesc":"Callee in blacklist."}"#;
    let huawei = TestServer::start(move |_| Reply::Json(403, blocked.into()));
    let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let router = Router::new(configs(&[
        huawei_config(&huawei.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    let err = router.send_code(&request()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RecipientBlocked);
    assert!(ytx.seen().is_empty());
}

/// A server error with the vendor's own refusal in its body: the refusal cannot be trusted, so
/// the outcome is unknown and the router stops.
#[test]
fn never_moves_on_after_a_server_error_whatever_its_body() {
    for status in [500, 502, 503] {
        let huawei = TestServer::start(move |_| Reply::Json(status, RATE_LIMITED.into()));
        let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
        let router = Router::new(configs(&[
            huawei_config(&huawei.base_url),
            ytx_config(&ytx.base_url),
        ]))
        .unwrap();
        let err = router.send_code(&request()).unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome(), err.retryable()),
            (ErrorKind::RateLimited, Outcome::Unknown, false),
            "{err}"
        );
        assert_eq!(
            (err.vendor_code(), err.http_status()),
            (Some("1010009"), Some(status))
        );
        assert_eq!(err.vendor_message(), Some("No more APIs can be invoked."));
        assert_eq!((huawei.seen().len(), ytx.seen().len()), (1, 0), "{status}");
        assert_eq!(err.attempts().len(), 1);
    }
}

/// A success body under a server error is no receipt either: the answer cannot be trusted.
#[test]
fn a_success_body_under_a_server_error_is_unknown_and_stops_the_router() {
    let ytx = TestServer::start(|_| Reply::Json(500, YTX_OK.into()));
    let huawei = TestServer::start(|_| Reply::Json(200, HUAWEI_OK.into()));
    let router = Router::new(configs(&[
        ytx_config(&ytx.base_url),
        huawei_config(&huawei.base_url),
    ]))
    .unwrap();
    let err = router.send_code(&request()).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.http_status()),
        (ErrorKind::Protocol, Outcome::Unknown, Some(500))
    );
    assert_eq!((ytx.seen().len(), huawei.seen().len()), (1, 0));
}

/// A vendor code for a server-side failure leaves the call's fate open, even under HTTP 200.
#[test]
fn never_moves_on_after_a_code_that_leaves_the_call_open() {
    let ytx = TestServer::start(|_| {
        Reply::Json(
            200,
            r#"{"statusCode":"-100","statusMsg":"异常错误"}"#.into(),
        )
    });
    let huawei = TestServer::start(|_| Reply::Json(200, HUAWEI_OK.into()));
    let router = Router::new(configs(&[
        ytx_config(&ytx.base_url),
        huawei_config(&huawei.base_url),
    ]))
    .unwrap();
    let err = router.send_code(&request()).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.retryable()),
        (ErrorKind::VendorError, Outcome::Unknown, false)
    );
    assert_eq!(
        (err.vendor_code(), err.http_status()),
        (Some("-100"), Some(200))
    );
    assert_eq!((ytx.seen().len(), huawei.seen().len()), (1, 0));
}

#[test]
fn channels_that_cannot_carry_the_request_are_skipped_and_reported() {
    // An 8-digit code is too long for ihuyi (4–6) but fine for huawei.
    let ihuyi = TestServer::start(|_| Reply::Json(200, "{}".into()));
    let huawei = TestServer::start(|_| Reply::Json(200, HUAWEI_OK.into()));
    let router = Router::new(configs(&[
        ihuyi_config(&ihuyi.base_url),
        huawei_config(&huawei.base_url),
    ]))
    .unwrap();
    let receipt = router
        .send_code(&SendCode::new("13800138000", "12345678"))
        .unwrap();
    assert_eq!(receipt.vendor, Vendor::Huawei);
    assert!(ihuyi.seen().is_empty());
}

#[test]
fn the_final_error_lists_every_attempt() {
    let huawei = TestServer::start(|_| Reply::Json(403, RATE_LIMITED.into()));
    let ytx = TestServer::start(|_| {
        Reply::Json(
            200,
            r#"{"statusCode":"-204","statusMsg":"账户余额不足"}"#.into(),
        )
    });
    let ihuyi = TestServer::start(|_| Reply::Json(200, "{}".into()));
    let router = Router::new(configs(&[
        ihuyi_config(&ihuyi.base_url),
        huawei_config(&huawei.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    let err = router
        .send_code(&SendCode::new("13800138000", "12345678"))
        .unwrap_err();
    let summary: Vec<_> = err
        .attempts()
        .iter()
        .map(|a| {
            (
                a.vendor,
                a.kind,
                a.outcome,
                a.vendor_code.clone(),
                a.skipped,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                Vendor::Ihuyi,
                ErrorKind::InvalidInput,
                Outcome::NotSent,
                None,
                true
            ),
            (
                Vendor::Huawei,
                ErrorKind::RateLimited,
                Outcome::Refused,
                Some("1010009".into()),
                false
            ),
            (
                Vendor::Ytx,
                ErrorKind::InsufficientBalance,
                Outcome::Refused,
                Some("-204".into()),
                false
            ),
        ]
    );
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::InsufficientBalance, Outcome::Refused)
    );
    for vendor in ["ihuyi skipped", "huawei failed", "ytx failed"] {
        assert!(err.message().contains(vendor), "{err}");
    }
}

#[test]
fn a_request_no_channel_can_carry_sends_nothing() {
    let ihuyi = TestServer::start(|_| Reply::Json(200, "{}".into()));
    let router = Router::new(configs(&[ihuyi_config(&ihuyi.base_url)])).unwrap();
    let err = router
        .send_code(&SendCode::new("075528001234", "1234"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome(), err.field()),
        (ErrorKind::InvalidInput, Outcome::NotSent, Some("to"))
    );
    assert!(ihuyi.seen().is_empty());
}

#[test]
fn an_empty_router_is_a_config_error() {
    assert_eq!(
        Router::new(vec![]).unwrap_err().kind(),
        ErrorKind::InvalidConfig
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_router_fails_over_the_same_way() {
    let huawei = TestServer::start(|_| Reply::Json(403, RATE_LIMITED.into()));
    let ytx = TestServer::start(|_| Reply::Json(200, YTX_OK.into()));
    let router = AsyncRouter::new(configs(&[
        huawei_config(&huawei.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    assert_eq!(
        router.send_code(&request()).await.unwrap().vendor,
        Vendor::Ytx
    );

    let hang = TestServer::start(|_| Reply::Hang);
    let router = AsyncRouter::new(configs(&[
        huawei_config(&hang.base_url),
        ytx_config(&ytx.base_url),
    ]))
    .unwrap();
    let err = router.send_code(&request()).await.unwrap_err();
    assert_eq!(err.outcome(), Outcome::Unknown);
    assert_eq!(
        ytx.seen().len(),
        1,
        "only the first test's send reached ytx"
    );
}

#[test]
fn a_router_never_mixes_voice_and_sms_channels() {
    let sms = r#"{"vendor":"tencent","product":"sms","secret_id":"AKID","secret_key":"k",
        "sms_sdk_app_id":"1400006666","sign_name":"腾讯云","template_id":"449739"}"#;
    let mixed = || {
        vec![
            ChannelConfig::from_json(&ihuyi_config("http://127.0.0.1:9")).unwrap(),
            ChannelConfig::from_json(sms).unwrap(),
        ]
    };
    for err in [
        Router::new(mixed()).unwrap_err(),
        AsyncRouter::new(mixed()).unwrap_err(),
    ] {
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidConfig, Some("channels"))
        );
        assert!(err.to_string().contains("mixes voice and sms"), "{err}");
    }
    let two_sms = vec![ChannelConfig::from_json(sms).unwrap(); 2];
    assert_eq!(Router::new(two_sms).unwrap().clients().len(), 2);
}
