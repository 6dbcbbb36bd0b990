//! One verification across channels: the code goes by SMS first and, on a resend within its
//! lifetime, by voice, with the same code; against the simulator over loopback HTTP.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone as _, Utc};
use voicecode::verify::store::{self, MemoryStore};
use voicecode::{
    ChannelConfig, Check, Clock, Delivery, ErrorKind, Outcome, Product, Router, StartOptions,
    Vendor, Verifier, VerifierConfig,
};
use voicecode_sim::{Fault, Operation, SimOptions, Simulator};

const TO: &str = "+8613800138000";
const SECRET: &str = "test-secret-of-32-bytes-long!!!!";

#[derive(Debug)]
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    /// 2024-03-01 10:00 in Shanghai.
    fn new() -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap(),
        )))
    }

    fn advance_secs(&self, secs: i64) {
        *self.0.lock().unwrap() += chrono::Duration::seconds(secs);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct Env {
    sim: Simulator,
    clock: Arc<TestClock>,
    store: Arc<MemoryStore>,
    verifier: Verifier,
}

fn router(sim: &Simulator, vendor: Vendor, product: Product) -> Router {
    let config = sim.product_config_json(vendor, product).unwrap();
    Router::new(vec![ChannelConfig::from_value(config).unwrap()]).unwrap()
}

/// A Tencent SMS router and a Huawei voice router, SMS first. (Tencent's simulated limit is
/// one message of the same content in 30 s, so a new code may go at once in real time.)
fn env() -> Env {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let clock = TestClock::new();
    let store = Arc::new(MemoryStore::new());
    let routers = vec![
        router(&sim, Vendor::Tencent, Product::Sms),
        router(&sim, Vendor::Huawei, Product::Voice),
    ];
    let verifier = Verifier::with_routers_and_store(
        routers,
        VerifierConfig::new(SECRET),
        Arc::clone(&store) as Arc<dyn store::Store>,
    )
    .unwrap()
    .with_clock(Arc::clone(&clock) as Arc<dyn Clock>);
    Env {
        sim,
        clock,
        store,
        verifier,
    }
}

fn number_record(store: &dyn store::Store) -> String {
    let mut value = None;
    store
        .update(
            &format!("voicecode:v1:number:{TO}"),
            std::time::Duration::from_secs(60),
            &mut |stored| {
                value = stored.map(str::to_owned);
                store::Write::Keep
            },
        )
        .unwrap();
    value.expect("a record")
}

#[test]
fn a_code_sent_by_sms_is_resent_by_voice_and_the_one_code_approves() {
    let env = env();
    let first = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(first.channel, Product::Sms);
    assert!(matches!(first.delivery, Delivery::Sent { .. }));
    assert_eq!(env.sim.count(Vendor::Tencent, Operation::SendSmsCode), 1);
    let code = env.sim.last_code(TO).unwrap();
    assert_eq!(code.len(), 6);

    env.clock.advance_secs(61);
    let resent = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(resent.channel, Product::Voice);
    assert_eq!(env.sim.count(Vendor::Huawei, Operation::SendCode), 1);
    assert_eq!(env.sim.last_code(TO).as_deref(), Some(code.as_str()));
    // The code's lifetime runs from its first send.
    assert_eq!(resent.expires_at, first.expires_at);
    assert_eq!(resent.unverified_starts, 2);

    // A third start stays on the workflow's last channel, still with the one code.
    env.clock.advance_secs(61);
    let third = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(third.channel, Product::Voice);
    assert_eq!(env.sim.last_code(TO).as_deref(), Some(code.as_str()));

    assert_eq!(
        env.verifier.check(TO, &code).unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    assert_eq!(env.verifier.check(TO, &code).unwrap(), Check::NotFound);
}

#[test]
fn the_code_is_stored_sealed_never_in_clear() {
    let env = env();
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    let code = env.sim.last_code(TO).unwrap();
    let record = number_record(env.store.as_ref());
    assert!(!record.contains(&code), "{record}");
    let parsed: serde_json::Value = serde_json::from_str(&record).unwrap();
    let sealed = parsed["pending"]["sealed"].as_str().unwrap();
    assert!(sealed.len() > 30, "{sealed}");
    assert_eq!(parsed["pending"]["channel"], "sms");
}

#[test]
fn wrong_codes_count_across_channels() {
    let env = env();
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    let code = env.sim.last_code(TO).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        env.verifier.check(TO, wrong).unwrap(),
        Check::WrongCode { attempts_left: 4 }
    );
    env.clock.advance_secs(61);
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(
        env.verifier.check(TO, wrong).unwrap(),
        Check::WrongCode { attempts_left: 3 }
    );
    assert_eq!(
        env.verifier.check(TO, &code).unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

#[test]
fn a_resend_that_places_no_call_leaves_the_verification_as_it_was() {
    let env = env();
    let first = env.verifier.start(TO, &StartOptions::new()).unwrap();
    let code = env.sim.last_code(TO).unwrap();
    env.clock.advance_secs(61);
    // Huawei's flow control (HTTP 403, 1010009) refuses the call: none was placed.
    env.sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(err.outcome(), Outcome::Refused);
    // The cooldown and the count are given back: the next resend goes at once, by voice.
    let resent = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(resent.channel, Product::Voice);
    assert_eq!(resent.unverified_starts, 2);
    assert_eq!(resent.expires_at, first.expires_at);
    assert_eq!(env.sim.last_code(TO).as_deref(), Some(code.as_str()));
    assert!(env.verifier.check(TO, &code).unwrap().is_approved());
}

#[test]
fn an_unknown_resend_keeps_the_code_and_says_it_may_have_been_sent() {
    let env = env();
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    let code = env.sim.last_code(TO).unwrap();
    env.clock.advance_secs(61);
    env.sim.inject(Vendor::Huawei, Fault::Http500 { times: 1 });
    let resent = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert!(resent.may_have_been_sent());
    assert_eq!(resent.channel, Product::Voice);
    assert_eq!(
        env.verifier.check(TO, &code).unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

#[test]
fn a_start_may_ask_for_its_channel() {
    let env = env();
    let voice = StartOptions::new().channel(Product::Voice);
    let started = env.verifier.start(TO, &voice).unwrap();
    assert_eq!(started.channel, Product::Voice);
    assert_eq!(env.sim.count(Vendor::Tencent, Operation::SendSmsCode), 0);
    let code = env.sim.last_code(TO).unwrap();
    assert_eq!(
        env.verifier.check(TO, &code).unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

#[test]
fn an_expired_code_is_never_resent() {
    let env = env();
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    let old = env.sim.last_code(TO).unwrap();
    env.clock.advance_secs(601);
    let again = env.verifier.start(TO, &StartOptions::new()).unwrap();
    // A new verification: the first channel again, with a new code.
    assert_eq!(again.channel, Product::Sms);
    env.clock.advance_secs(1);
    assert_eq!(env.sim.count(Vendor::Tencent, Operation::SendSmsCode), 2);
    let new = env.sim.last_code(TO).unwrap();
    assert_ne!(new, old);
    assert!(env.verifier.check(TO, &new).unwrap().is_approved());
}

#[test]
fn a_code_of_the_callers_own_is_sent_as_given_even_on_a_resend() {
    let env = env();
    env.verifier
        .start(TO, &StartOptions::new().code("482193"))
        .unwrap();
    env.clock.advance_secs(61);
    let resent = env
        .verifier
        .start(TO, &StartOptions::new().code("735120"))
        .unwrap();
    assert_eq!(resent.channel, Product::Voice);
    assert_eq!(env.sim.last_code(TO).as_deref(), Some("735120"));
    // The call was placed with the new code, which supersedes the first.
    assert_eq!(
        env.verifier.check(TO, "735120").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

#[test]
fn channels_and_workflows_the_routers_cannot_serve_are_named() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let voice_only = Verifier::new(
        router(&sim, Vendor::Huawei, Product::Voice),
        VerifierConfig::new(SECRET),
    )
    .unwrap();
    let err = voice_only
        .start(TO, &StartOptions::new().channel(Product::Sms))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("channel"))
    );
    assert!(sim.journal().is_empty());

    let mut config = VerifierConfig::new(SECRET);
    config.workflow = Some(vec![Product::Sms, Product::Voice]);
    let err = Verifier::new(router(&sim, Vendor::Huawei, Product::Voice), config).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidConfig, Some("workflow"))
    );

    let two_voice = vec![
        router(&sim, Vendor::Huawei, Product::Voice),
        router(&sim, Vendor::Ihuyi, Product::Voice),
    ];
    let err = Verifier::with_routers(two_voice, VerifierConfig::new(SECRET)).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidConfig, Some("channels"))
    );

    // Tencent SMS takes up to 6 digits, Huawei 2 to 8: the code must suit both.
    let mut config = VerifierConfig::new(SECRET);
    config.code_length = 8;
    let both = vec![
        router(&sim, Vendor::Tencent, Product::Sms),
        router(&sim, Vendor::Huawei, Product::Voice),
    ];
    let err = Verifier::with_routers(both, config).unwrap_err();
    assert_eq!(err.field(), Some("code_length"));
}

#[test]
fn the_workflow_comes_from_the_settings() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let clock = TestClock::new();
    let config = VerifierConfig::from_value(serde_json::json!({
        "secret": SECRET,
        "workflow": ["voice", "sms"],
    }))
    .unwrap();
    let verifier = Verifier::with_routers(
        vec![
            router(&sim, Vendor::Tencent, Product::Sms),
            router(&sim, Vendor::Huawei, Product::Voice),
        ],
        config,
    )
    .unwrap()
    .with_clock(Arc::clone(&clock) as Arc<dyn Clock>);
    assert_eq!(
        verifier.as_async().workflow(),
        [Product::Voice, Product::Sms]
    );
    assert_eq!(
        verifier.start(TO, &StartOptions::new()).unwrap().channel,
        Product::Voice
    );
    clock.advance_secs(61);
    assert_eq!(
        verifier.start(TO, &StartOptions::new()).unwrap().channel,
        Product::Sms
    );
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendSmsCode), 1);
    let bad =
        VerifierConfig::from_value(serde_json::json!({"secret": SECRET, "workflow": ["fax"]}));
    assert_eq!(bad.unwrap_err().field(), Some("workflow[0]"));
}
