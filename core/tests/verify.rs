//! The verifier end to end: codes sent through the simulator, kept in each real store (memory,
//! an SQLite file in a temporary directory, a `redis-server` of the test's own), checked under
//! a clock the test moves, so no test sleeps through a cooldown.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use chrono::{DateTime, TimeZone as _, Utc};
use redis_server::RedisServer;
use serde_json::json;
use voicecode::verify::store;
use voicecode::{
    AsyncRouter, ChannelConfig, Check, Clock, Delivery, ErrorKind, Outcome, Product, Router,
    StartOptions, Vendor, Verifier, VerifierConfig,
};
use voicecode_sim::{Fault, Operation, SimOptions, Simulator};

const TO: &str = "+8613800138000";
const SECRET: &str = "test-secret-of-32-bytes-long!!!!";

#[derive(Debug)]
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    /// 2024-03-01 10:00 in Shanghai: outside any night-time quiet hours.
    fn new() -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(
            Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap(),
        )))
    }

    fn advance_secs(&self, secs: i64) {
        *self.0.lock().unwrap() += chrono::Duration::seconds(secs);
    }

    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

// The SQLite and Redis tests need the crate's `sqlite` and `redis` features.
#[cfg_attr(not(all(feature = "sqlite", feature = "redis")), allow(dead_code))]
#[derive(Clone, Copy)]
enum Kind {
    Memory,
    Sqlite,
    Redis,
}

/// A store the test owns, as a `store` config string, and what keeps it alive.
struct StoreSpec {
    spec: String,
    dir: Option<tempfile::TempDir>,
    redis: Option<RedisServer>,
}

impl StoreSpec {
    fn new(kind: Kind) -> Option<StoreSpec> {
        Some(match kind {
            Kind::Memory => StoreSpec {
                spec: "memory".into(),
                dir: None,
                redis: None,
            },
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let spec = format!("sqlite:{}", dir.path().join("codes.db").display());
                StoreSpec {
                    spec,
                    dir: Some(dir),
                    redis: None,
                }
            }
            Kind::Redis => {
                if redis_server::skipped() {
                    return None;
                }
                let server = RedisServer::start();
                StoreSpec {
                    spec: server.url(),
                    dir: None,
                    redis: Some(server),
                }
            }
        })
    }

    /// Replaces the number's stored value with text that is not a record, behind the
    /// verifier's back: a hand edit or a damaged file.
    fn corrupt(&self, store: &dyn store::Store) {
        let key = format!("voicecode:v1:number:{TO}");
        if let Some(dir) = &self.dir {
            let conn = rusqlite::Connection::open(dir.path().join("codes.db")).unwrap();
            let changed = conn
                .execute("UPDATE voicecode_records SET value = 'not json {'", [])
                .unwrap();
            assert_eq!(changed, 1);
        } else if let Some(server) = &self.redis {
            let mut conn = ::redis::Client::open(server.url())
                .unwrap()
                .get_connection()
                .unwrap();
            let _: () = ::redis::cmd("SET")
                .arg(&key)
                .arg("not json {")
                .arg("KEEPTTL")
                .query(&mut conn)
                .unwrap();
        } else {
            // The memory store is reached only through the trait.
            store
                .update(&key, std::time::Duration::from_secs(60), &mut |_| {
                    store::Write::Put("not json {".into())
                })
                .unwrap();
        }
    }

    /// The number's stored value, read behind the verifier's back.
    fn number_value(&self, store: &dyn store::Store) -> Option<String> {
        let key = format!("voicecode:v1:number:{TO}");
        let mut seen = None;
        store
            .update(&key, std::time::Duration::from_secs(60), &mut |v| {
                seen = v.map(str::to_owned);
                store::Write::Keep
            })
            .unwrap();
        seen
    }

    /// Every key and value in the store, to prove what is (not) in it.
    fn dump(&self) -> Vec<(String, String)> {
        if let Some(dir) = &self.dir {
            let conn = rusqlite::Connection::open(dir.path().join("codes.db")).unwrap();
            let mut stmt = conn
                .prepare("SELECT key, value FROM voicecode_records")
                .unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            return rows.map(Result::unwrap).collect();
        }
        if let Some(server) = &self.redis {
            let mut conn = ::redis::Client::open(server.url())
                .unwrap()
                .get_connection()
                .unwrap();
            let keys: Vec<String> = ::redis::cmd("KEYS").arg("*").query(&mut conn).unwrap();
            return keys
                .into_iter()
                .map(|k| {
                    let v: String = ::redis::cmd("GET").arg(&k).query(&mut conn).unwrap();
                    (k, v)
                })
                .collect();
        }
        Vec::new()
    }
}

struct Env {
    sim: Simulator,
    clock: Arc<TestClock>,
    verifier: Verifier,
    store: StoreSpec,
    /// The verifier's store, to reach it behind the verifier's back.
    shared: Arc<dyn store::Store>,
    config: VerifierConfig,
}

impl Env {
    /// Another verifier on the same store and clock, whose only vendor is unreachable (a
    /// loopback port nobody listens on): every send fails with outcome `not_sent`.
    fn unreachable(&self) -> Verifier {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dead = router(
            &self.sim,
            &[Vendor::Huawei],
            json!({"base_url": format!("http://127.0.0.1:{port}")}),
        );
        Verifier::with_store(dead, self.config.clone(), self.shared.clone())
            .unwrap()
            .with_clock(self.clock.clone())
    }
}

fn router(sim: &Simulator, vendors: &[Vendor], changes: serde_json::Value) -> Router {
    let configs = vendors
        .iter()
        .map(|&v| {
            let mut config = sim.config_json(v);
            config
                .as_object_mut()
                .unwrap()
                .extend(changes.as_object().unwrap().clone());
            ChannelConfig::from_value(config).unwrap()
        })
        .collect();
    Router::new(configs).unwrap()
}

fn env_with(kind: Kind, edit: impl FnOnce(&mut VerifierConfig)) -> Option<Env> {
    let store = StoreSpec::new(kind)?;
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let clock = TestClock::new();
    let mut config = VerifierConfig::new(SECRET).store(store.spec.clone());
    edit(&mut config);
    let shared = store::open(&store.spec).unwrap();
    let verifier = Verifier::with_store(
        router(&sim, &[Vendor::Huawei], json!({})),
        config.clone(),
        shared.clone(),
    )
    .unwrap()
    .with_clock(clock.clone());
    Some(Env {
        sim,
        clock,
        verifier,
        store,
        shared,
        config,
    })
}

fn env(kind: Kind) -> Option<Env> {
    env_with(kind, |_| {})
}

fn calls(env: &Env) -> usize {
    env.sim.count(Vendor::Huawei, Operation::SendCode)
}

fn with_code(code: &str) -> StartOptions {
    StartOptions::new().code(code)
}

// The behaviours every store must give, run below against each of the three.

fn the_right_code_is_approved_once(kind: Kind) {
    let Some(env) = env(kind) else { return };
    let v = env.verifier.start(TO, &with_code("482193")).unwrap();
    assert!(matches!(v.delivery, Delivery::Sent { .. }), "{v:?}");
    assert_eq!((v.to.as_str(), v.max_attempts), (TO, 5));
    assert_eq!(calls(&env), 1);
    assert_eq!(
        env.verifier.check(TO, "000000").unwrap(),
        Check::WrongCode { attempts_left: 4 }
    );
    // The same number written nationally is the same verification.
    assert_eq!(
        env.verifier.check("13800138000", "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    assert_eq!(env.verifier.check(TO, "482193").unwrap(), Check::NotFound);
}

fn parallel_checks_of_the_right_code_approve_exactly_once(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    let barrier = Arc::new(Barrier::new(100));
    let results: Vec<Check> = thread::scope(|s| {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let (verifier, barrier) = (&env.verifier, barrier.clone());
                s.spawn(move || {
                    barrier.wait();
                    verifier.check(TO, "482193").unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let approved = results.iter().filter(|c| c.is_approved()).count();
    assert_eq!(approved, 1, "{results:?}");
    assert!(results.iter().all(|c| matches!(
        c,
        Check::Approved {
            channel: Product::Voice
        } | Check::NotFound
    )));
}

fn parallel_starts_place_exactly_one_call(kind: Kind) {
    let Some(env) = env(kind) else { return };
    let barrier = Arc::new(Barrier::new(50));
    let results: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let (verifier, barrier) = (&env.verifier, barrier.clone());
                s.spawn(move || {
                    barrier.wait();
                    verifier.start(TO, &StartOptions::new())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refused.kind(), ErrorKind::RateLimited, "{refused}");
        assert_eq!(refused.outcome(), Outcome::NotSent);
        let wait = refused.retry_after().expect("a wait time").as_secs();
        assert!((1..=60).contains(&wait), "{wait}");
    }
    assert_eq!(
        calls(&env),
        1,
        "exactly one call in the simulator's journal"
    );
}

fn the_cooldown_and_the_ttl_follow_the_clock(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    env.clock.advance_secs(45);
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after().unwrap().as_secs(), 15);
    env.clock.advance_secs(600 - 45);
    assert_eq!(env.verifier.check(TO, "482193").unwrap(), Check::Expired);
    let again = env.verifier.start(TO, &with_code("111222")).unwrap();
    assert_eq!(
        again.unverified_starts, 2,
        "the first code was never verified"
    );
    assert_eq!(
        env.verifier.check(TO, "111222").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    env.clock.advance_secs(60);
    let third = env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(third.unverified_starts, 1, "an approval resets the count");
    assert_eq!(calls(&env), 3);
}

fn the_hourly_cap_refuses_with_the_wait(kind: Kind) {
    let Some(env) = env(kind) else { return };
    for _ in 0..5 {
        env.verifier.start(TO, &StartOptions::new()).unwrap();
        env.clock.advance_secs(61);
    }
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after().unwrap().as_secs(), 3600 - 5 * 61);
    assert_eq!(calls(&env), 5);
}

fn wrong_codes_lock_the_verification(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    for left in (0..5).rev() {
        assert_eq!(
            env.verifier.check(TO, "999999").unwrap(),
            Check::WrongCode {
                attempts_left: left
            }
        );
    }
    assert_eq!(
        env.verifier.check(TO, "482193").unwrap(),
        Check::TooManyAttempts
    );
}

fn a_canceled_verification_approves_nothing(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    env.verifier.cancel(TO).unwrap();
    assert_eq!(env.verifier.check(TO, "482193").unwrap(), Check::Canceled);
    assert_eq!(
        env.verifier.check("+8613900139000", "482193").unwrap(),
        Check::NotFound
    );
}

fn a_refused_send_gives_the_cooldown_back(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    let err = env.verifier.start(TO, &with_code("482193")).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::RateLimited, Outcome::Refused)
    );
    assert_eq!(env.verifier.check(TO, "482193").unwrap(), Check::NotFound);
    let v = env.verifier.start(TO, &with_code("482193")).unwrap();
    assert_eq!(v.unverified_starts, 1, "the refused start is not counted");
    assert_eq!(
        env.verifier.check(TO, "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

fn an_unknown_send_keeps_the_verification_live(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.sim
        .inject(Vendor::Huawei, Fault::Http5xxHtml { times: 1 });
    let v = env.verifier.start(TO, &with_code("482193")).unwrap();
    assert!(v.may_have_been_sent(), "{v:?}");
    let Delivery::MayHaveBeenSent { error } = &v.delivery else {
        unreachable!()
    };
    assert_eq!(error.outcome(), Outcome::Unknown);
    // Never resent: one request, and the next start waits for the cooldown.
    assert_eq!(calls(&env), 1);
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(
        env.verifier.check(TO, "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

fn a_failed_resend_keeps_the_code_the_user_holds(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    env.clock.advance_secs(61);
    // The vendor refuses the resend (callee blacklisted): no call, and code A stays valid.
    env.sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1013004".into(),
            times: 1,
        },
    );
    let err = env.verifier.start(TO, &with_code("111222")).unwrap_err();
    assert_eq!(err.outcome(), Outcome::Refused, "{err}");
    assert_eq!(calls(&env), 2);
    // The vendor is unreachable for the next resend: nothing left this machine.
    env.clock.advance_secs(61);
    let err = env
        .unreachable()
        .start(TO, &with_code("333444"))
        .unwrap_err();
    assert_eq!(err.outcome(), Outcome::NotSent, "{err}");
    // The cooldown given back is the one of code A's start, long over.
    let err = env.verifier.check(TO, "111222").unwrap();
    assert_eq!(err, Check::WrongCode { attempts_left: 4 });
    assert_eq!(
        env.verifier.check(TO, "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    assert_eq!(env.verifier.check(TO, "482193").unwrap(), Check::NotFound);
    assert_eq!(calls(&env), 2);
}

fn an_unknown_resend_keeps_both_codes_valid(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    env.clock.advance_secs(61);
    env.sim
        .inject(Vendor::Huawei, Fault::Http5xxHtml { times: 1 });
    let v = env.verifier.start(TO, &with_code("111222")).unwrap();
    assert!(v.may_have_been_sent(), "{v:?}");
    // The user holds A, and B if the call came through: either approves, once.
    assert_eq!(
        env.verifier.check(TO, "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    assert_eq!(env.verifier.check(TO, "111222").unwrap(), Check::NotFound);
    // Once a newer call is known to be placed, only its code is valid.
    env.clock.advance_secs(61);
    env.verifier.start(TO, &with_code("555666")).unwrap();
    env.clock.advance_secs(61);
    env.verifier.start(TO, &with_code("777888")).unwrap();
    assert_eq!(
        env.verifier.check(TO, "555666").unwrap(),
        Check::WrongCode { attempts_left: 4 }
    );
    assert_eq!(
        env.verifier.check(TO, "777888").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

fn an_unreadable_record_fails_closed_until_cleared(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("482193")).unwrap();
    env.store.corrupt(env.shared.as_ref());
    env.clock.advance_secs(61);
    let journal = env.sim.journal().len();
    let refusals = [
        env.verifier.start(TO, &with_code("111222")).unwrap_err(),
        env.verifier.check(TO, "482193").unwrap_err(),
        env.verifier.cancel(TO).unwrap_err(),
    ];
    for err in &refusals {
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::StoreUnavailable, Outcome::NotSent),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("unreadable") && text.contains("verify clear --to"),
            "{text}"
        );
        assert!(!text.contains("482193") && !text.contains("111222") && !text.contains(SECRET));
    }
    assert_eq!(env.sim.journal().len(), journal, "no call was placed");
    assert_eq!(
        env.store.number_value(env.shared.as_ref()).as_deref(),
        Some("not json {"),
        "nothing was overwritten"
    );
    env.verifier.clear(TO).unwrap();
    assert_eq!(env.store.number_value(env.shared.as_ref()), None);
    env.verifier.start(TO, &with_code("111222")).unwrap();
    assert_eq!(
        env.verifier.check(TO, "111222").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
    assert_eq!(calls(&env), 2);
}

fn caller_keys_have_caps_and_give_back_the_number(kind: Kind) {
    let Some(env) = env_with(kind, |c| c.key_hourly_cap = Some(1)) else {
        return;
    };
    let by_ip = || StartOptions::new().key("10.9.8.7");
    env.verifier.start(TO, &by_ip()).unwrap();
    let other = "+8613900139000";
    let err = env.verifier.start(other, &by_ip()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert!(err.retry_after().unwrap().as_secs() > 3500, "{err}");
    // The other number's reservation was given back: without the key it goes through.
    env.verifier.start(other, &StartOptions::new()).unwrap();
    assert_eq!(calls(&env), 2);
    for (key, value) in env.store.dump() {
        assert!(
            !key.contains("10.9.8.7") && !value.contains("10.9.8.7"),
            "{key}"
        );
    }
}

fn quiet_hours_refuse_across_midnight_without_a_call(kind: Kind) {
    let Some(env) = env_with(kind, |c| c.quiet_hours = Some("22:00-08:00".into())) else {
        return;
    };
    let shanghai = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let at = |d: u32, h: u32, m: u32| {
        shanghai
            .with_ymd_and_hms(2024, 3, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    env.clock.set(at(1, 23, 30));
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::QuietHours, Outcome::NotSent)
    );
    assert_eq!(err.retry_after().unwrap().as_secs(), 8 * 3600 + 30 * 60);
    env.clock.set(at(2, 7, 59));
    let err = env.verifier.start(TO, &StartOptions::new()).unwrap_err();
    assert_eq!(err.retry_after().unwrap().as_secs(), 60);
    assert_eq!(calls(&env), 0);
    env.clock.set(at(2, 8, 0));
    env.verifier.start(TO, &StartOptions::new()).unwrap();
    assert_eq!(calls(&env), 1);
}

fn codes_are_never_stored_in_clear(kind: Kind) {
    let Some(env) = env(kind) else { return };
    env.verifier.start(TO, &with_code("739164")).unwrap();
    env.verifier.check(TO, "551022").unwrap();
    let dump = env.store.dump();
    if !matches!(kind, Kind::Memory) {
        assert!(!dump.is_empty());
    }
    for (key, value) in dump {
        assert!(key.starts_with("voicecode:v1:"), "{key}");
        for code in ["739164", "551022"] {
            assert!(
                !key.contains(code) && !value.contains(code),
                "{key}: {value}"
            );
        }
    }
}

macro_rules! every_store {
    ($($test:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $test() { super::$test(super::Kind::Memory) })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(#[test] fn $test() { super::$test(super::Kind::Sqlite) })*
        }
        #[cfg(feature = "redis")]
        mod redis {
            $(#[test] fn $test() { super::$test(super::Kind::Redis) })*
        }
    };
}

every_store!(
    the_right_code_is_approved_once,
    parallel_checks_of_the_right_code_approve_exactly_once,
    parallel_starts_place_exactly_one_call,
    the_cooldown_and_the_ttl_follow_the_clock,
    the_hourly_cap_refuses_with_the_wait,
    wrong_codes_lock_the_verification,
    a_canceled_verification_approves_nothing,
    a_refused_send_gives_the_cooldown_back,
    an_unknown_send_keeps_the_verification_live,
    a_failed_resend_keeps_the_code_the_user_holds,
    an_unknown_resend_keeps_both_codes_valid,
    an_unreadable_record_fails_closed_until_cleared,
    caller_keys_have_caps_and_give_back_the_number,
    quiet_hours_refuse_across_midnight_without_a_call,
    codes_are_never_stored_in_clear,
);

// Store-specific behaviour.

#[cfg(feature = "redis")]
#[test]
fn redis_down_is_store_unavailable_and_places_no_call() {
    let Some(mut store) = StoreSpec::new(Kind::Redis) else {
        return;
    };
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let config = VerifierConfig::new(SECRET).store(store.spec.clone());
    let verifier = Verifier::new(router(&sim, &[Vendor::Huawei], json!({})), config).unwrap();
    store.redis.as_mut().unwrap().stop();
    let err = verifier.start(TO, &with_code("482193")).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::StoreUnavailable, Outcome::NotSent)
    );
    assert!(!err.to_string().contains("482193"), "{err}");
    assert!(sim.journal().is_empty(), "no call without a store");
    let err = verifier.check(TO, "482193").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreUnavailable);
}

/// An update that writes nothing leaves its key watched on the connection it returns to the
/// pool; the next update on that connection must not see its transaction fail because that
/// other key changed meanwhile (each attempt reads the record again: `apply` runs once).
#[cfg(feature = "redis")]
#[test]
fn a_redis_update_that_writes_nothing_leaves_no_watch_behind() {
    use std::time::Duration;
    let Some(spec) = StoreSpec::new(Kind::Redis) else {
        return;
    };
    let redis_store = store::open(&spec.spec).unwrap();
    let ttl = Duration::from_secs(60);
    redis_store
        .update("voicecode:v1:read", ttl, &mut |_| store::Write::Keep)
        .unwrap();
    let mut other = ::redis::Client::open(spec.spec.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let _: () = ::redis::cmd("SET")
        .arg("voicecode:v1:read")
        .arg("changed by another client")
        .query(&mut other)
        .unwrap();
    let mut reads = 0;
    redis_store
        .update("voicecode:v1:written", ttl, &mut |_| {
            reads += 1;
            store::Write::Put("{}".to_owned())
        })
        .unwrap();
    assert_eq!(reads, 1, "the write was tried again");
    let written: Option<String> = ::redis::cmd("GET")
        .arg("voicecode:v1:written")
        .query(&mut other)
        .unwrap();
    assert_eq!(written.as_deref(), Some("{}"));
}

#[cfg(feature = "sqlite")]
#[test]
fn an_sqlite_file_survives_a_restart() {
    let store = StoreSpec::new(Kind::Sqlite).unwrap();
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let make = || {
        let config = VerifierConfig::new(SECRET).store(store.spec.clone());
        Verifier::new(router(&sim, &[Vendor::Huawei], json!({})), config).unwrap()
    };
    make().start(TO, &with_code("482193")).unwrap();
    assert_eq!(
        make().check(TO, "482193").unwrap(),
        Check::Approved {
            channel: Product::Voice
        }
    );
}

#[cfg(feature = "sqlite")]
#[test]
fn an_unopenable_sqlite_file_is_store_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("sqlite:{}/missing/dir/codes.db", dir.path().display());
    let err = store::open(&spec).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StoreUnavailable, "{err}");
}

// Construction and input.

fn sim_router(vendors: &[Vendor]) -> (Simulator, Router) {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let router = router(&sim, vendors, json!({}));
    (sim, router)
}

#[test]
fn the_code_length_must_suit_every_channel() {
    let (_sim, router) = sim_router(&[Vendor::Huawei, Vendor::Ihuyi]);
    let mut config = VerifierConfig::new(SECRET);
    config.code_length = 8; // huawei takes 2–8 digits, ihuyi only 4–6
    let err = Verifier::new(router.clone(), config).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidConfig, Some("code_length"))
    );
    assert!(err.message().contains("4 to 6 digits"), "{err}");
    let verifier = Verifier::new(router, VerifierConfig::new(SECRET)).unwrap();
    // A caller-given code follows the same, stricter rule, and is never quoted.
    let err = verifier.start(TO, &with_code("1234567")).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("code"))
    );
    assert!(!err.to_string().contains("1234567"), "{err}");
}

#[test]
fn a_router_with_oneaccess_is_invalid_config() {
    let (_sim, router) = sim_router(&[Vendor::Huawei, Vendor::Oneaccess]);
    let err = Verifier::new(router, VerifierConfig::new(SECRET)).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidConfig, Some("vendor"))
    );
    assert_eq!(err.vendor(), Some(Vendor::Oneaccess));
}

#[test]
fn bad_input_is_a_typed_error_naming_the_field() {
    let (sim, router) = sim_router(&[Vendor::Huawei]);
    let verifier = Verifier::new(router, VerifierConfig::new(SECRET)).unwrap();
    // Huawei speaks 2 to 8 digits: a check of anything else cannot match and uses no attempt.
    for code in ["", "1", "123456789", "12345a"] {
        let err = verifier.check(TO, code).unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidInput, Some("code")),
            "{code:?}"
        );
        assert!(code.is_empty() || !err.to_string().contains(code), "{err}");
    }
    let err = verifier.start("12345", &StartOptions::new()).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("to"))
    );
    let err = verifier
        .start(TO, &StartOptions::new().play_times(42))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("play_times"))
    );
    assert!(sim.journal().is_empty());
    // Bad input reserves nothing: a good start goes straight through.
    verifier.start(TO, &StartOptions::new()).unwrap();
}

#[test]
fn bad_settings_are_invalid_config_naming_the_key() {
    let (_sim, router) = sim_router(&[Vendor::Huawei]);
    type Edit = fn(&mut VerifierConfig);
    let cases: [(&str, Edit, &str); 17] = [
        ("secret", |c| c.secret = "short".into(), "16 bytes"),
        ("store", |c| c.store = "redis:/nohost".into(), "redis://"),
        ("store", |c| c.store = "mysql://db".into(), "redis://"),
        (
            "quiet_hours",
            |c| c.quiet_hours = Some("22h-8h".into()),
            "HH:MM",
        ),
        // The bounds: huawei speaks 2 to 8 digits, but fewer than 4 are refused whatever the
        // channel, and so is a lockout that never comes.
        ("code_length", |c| c.code_length = 2, "4 to 8 digits"),
        ("code_length", |c| c.code_length = 3, "4 to 8 digits"),
        ("code_length", |c| c.code_length = 9, "4 to 8 digits"),
        ("max_attempts", |c| c.max_attempts = 0, "1 to 10"),
        ("max_attempts", |c| c.max_attempts = 11, "1 to 10"),
        ("max_attempts", |c| c.max_attempts = 1_000_000, "1 to 10"),
        ("ttl_secs", |c| c.ttl_secs = 0, "1 to 600 seconds"),
        ("ttl_secs", |c| c.ttl_secs = 86_400, "1 to 600 seconds"),
        (
            "cooldown_secs",
            |c| c.cooldown_secs = 86_401,
            "0 to 86400 seconds",
        ),
        ("number_hourly_cap", |c| c.number_hourly_cap = 21, "1 to 20"),
        ("number_daily_cap", |c| c.number_daily_cap = 0, "1 to 50"),
        ("number_daily_cap", |c| c.number_daily_cap = 1000, "1 to 50"),
        ("key_daily_cap", |c| c.key_daily_cap = Some(0), "1 to"),
    ];
    for (field, edit, rule) in cases {
        let mut config = VerifierConfig::new(SECRET);
        edit(&mut config);
        let err = Verifier::new(router.clone(), config).unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (ErrorKind::InvalidConfig, Some(field)),
            "{err}"
        );
        assert!(err.message().contains(rule), "{field}: {err}");
    }
    // The edges are accepted.
    let mut config = VerifierConfig::new(SECRET);
    (config.code_length, config.max_attempts, config.ttl_secs) = (4, 10, 600);
    (config.number_hourly_cap, config.number_daily_cap) = (20, 50);
    Verifier::new(router.clone(), config.clone()).unwrap();
    (config.code_length, config.max_attempts, config.ttl_secs) = (8, 1, 1);
    let verifier = Verifier::new(router.clone(), config).unwrap();
    // A caller's own code is held to the same floor, without being quoted.
    let err = verifier.start(TO, &with_code("123")).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("code"))
    );
    assert!(err.message().contains("4 to 8 digits"), "{err}");
    assert!(!err.to_string().contains("123"), "{err}");
    let err = VerifierConfig::from_value(json!({"secret": SECRET, "ttl": 5})).unwrap_err();
    assert_eq!(err.field(), Some("ttl"));
    let err = VerifierConfig::from_value(json!({"secret": SECRET, "ttl_secs": "x"})).unwrap_err();
    assert_eq!(err.field(), Some("ttl_secs"));
}

#[test]
fn a_refused_config_opens_no_store() {
    let (_sim, router) = sim_router(&[Vendor::Huawei]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codes.db");
    let mut config = VerifierConfig::new("short").store(format!("sqlite:{}", file.display()));
    let err = Verifier::new(router.clone(), config.clone()).unwrap_err();
    assert_eq!(err.field(), Some("secret"));
    config.secret = SECRET.into();
    config.code_length = 12;
    let err = Verifier::new(router, config).unwrap_err();
    assert_eq!(err.field(), Some("code_length"));
    assert!(
        !file.exists(),
        "a refused config created {}",
        file.display()
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let config = VerifierConfig::new(SECRET).store("redis://:hunter2@127.0.0.1:6379/0");
    let shown = format!("{config:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("hunter2"),
        "{shown}"
    );
}

/// Credentials may sit anywhere in a store URL: the user or password of its userinfo, or a
/// query parameter. None is ever shown: not by `Debug`, not in an error, however malformed.
#[test]
fn store_url_credentials_never_show() {
    let (_sim, router) = sim_router(&[Vendor::Huawei]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let urls = [
        format!("redis://OddPlacePw@127.0.0.1:{port}/0"),
        format!("redis://127.0.0.1:{port}/0?password=QueryPw1"),
        format!("redis://127.0.0.1:{port}/0?db=0&Token=QueryPw2"),
        format!("redis://admin:ColonPw3@127.0.0.1:{port}/0"),
        "redis+unix:///tmp/redis.sock?pass=UnixPw4".into(),
        "unix:///tmp/redis.sock?db=1&PWD=UnixPw5".into(),
        "rediss://TlsUser:TlsPw6@127.0.0.1:6380/0?auth=TlsPw7".into(),
        "redis://BadPw8@[::1/0".into(),
        "redis://[bad?password=BadPw9".into(),
        "redis:BadPw10@127.0.0.1".into(),
        "BadPw11@127.0.0.1".into(),
    ];
    let secrets = [
        "OddPlacePw",
        "QueryPw",
        "ColonPw",
        "UnixPw",
        "TlsUser",
        "TlsPw",
        "BadPw",
    ];
    for url in urls {
        let config = VerifierConfig::new(SECRET).store(url.clone());
        let mut shown = vec![format!("{config:?}")];
        match Verifier::new(router.clone(), config) {
            Err(e) => shown.extend([e.to_string(), format!("{e:?}")]),
            // A redis:// URL connects lazily: the error comes with the first update.
            Ok(verifier) => {
                shown.push(format!("{verifier:?}"));
                let e = verifier.start(TO, &StartOptions::new()).unwrap_err();
                assert_eq!(e.kind(), ErrorKind::StoreUnavailable, "{e}");
                shown.extend([e.to_string(), format!("{e:?}")]);
            }
        }
        for text in shown {
            for secret in secrets {
                assert!(!text.contains(secret), "{url}: {text}");
            }
        }
    }
}

#[test]
fn a_blocking_verifier_inside_an_async_runtime_is_refused_before_any_store_step() {
    let Some(env) = env(Kind::Memory) else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let refused = env.verifier.start(TO, &with_code("482193")).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InvalidConfig, "{refused}");
        assert!(refused.message().contains("AsyncVerifier"), "{refused}");
        assert!(env.verifier.check(TO, "482193").is_err());
        assert!(env.verifier.cancel(TO).is_err());
    });
    // Nothing was reserved: outside the runtime the same start goes through, with one call.
    env.verifier.start(TO, &with_code("482193")).unwrap();
    assert_eq!(calls(&env), 1);
}

#[test]
fn the_async_verifier_is_the_same_verifier() {
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let configs = vec![ChannelConfig::from_value(sim.config_json(Vendor::Ytx)).unwrap()];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let router = AsyncRouter::new(configs).unwrap();
        let verifier = voicecode::AsyncVerifier::new(router, VerifierConfig::new(SECRET)).unwrap();
        verifier.start(TO, &with_code("Ab12cd")).await.unwrap();
        assert_eq!(
            verifier.check(TO, "Ab12cd").await.unwrap(),
            Check::Approved {
                channel: Product::Voice
            }
        );
    });
}

#[test]
fn start_options_read_the_shared_schema() {
    let options =
        StartOptions::from_value(json!({"code": "4821", "key": "10.0.0.1", "play_times": 2}))
            .unwrap();
    assert_eq!(options.code.as_deref(), Some("4821"));
    assert_eq!(options.send.play_times, Some(2));
    let err = StartOptions::from_value(json!({"plays": 2})).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidInput, Some("plays"))
    );
}
