//! The embedded default: verifications in this process's memory, gone when it exits.

use std::hash::{BuildHasher, RandomState};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use hashbrown::hash_table::{Entry, HashTable};

use super::{Store, Write};
use crate::verify::policy::Value;
use crate::Result;

/// Drop expired keys after at least this many updates, so numbers that never come back do not
/// pile up.
const SWEEP_EVERY: u64 = 1024;

/// What a value is left as when an update panicked while it could change it: not JSON.
const SPOILED: &str = "(unreadable: an update panicked while changing this value)";

/// Records in this process's memory: a table behind one `Mutex`, whose lock held across read,
/// decide and write is what makes an update atomic.
///
/// A verifier keeps its records here as they are ([`Store::as_memory`]), with no JSON written
/// or parsed per update; [`Store::update`] reads them as JSON text like every store's.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<Map>,
}

#[derive(Debug, Default)]
struct Map {
    entries: HashTable<Slot>,
    /// SipHash under random keys, as std's `HashMap` hashes: the store's keys hold phone
    /// numbers anyone may ask a verifier to call, and numbers whose hashes collide cannot be
    /// picked without those keys.
    hasher: RandomState,
    updates: u64,
    /// The update count at which the next sweep runs.
    next_sweep: u64,
}

/// One key's value, kept with the key's hash: a table that grows moves its slots by their
/// hashes. Hashing every key again would read each one from the heap, up to a third of what
/// inserting a number costs in a store of tens of thousands.
#[derive(Debug)]
struct Slot {
    hash: u64,
    key: String,
    value: Value,
    expires: Instant,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Hands `apply` the live value of `key`, if any, and writes back what it returns, as one
    /// step; returns `apply`'s answer. `apply` may change the value where it lies: `Keep` then
    /// keeps it as `apply` left it, with the expiry it had.
    pub(crate) fn update_value<T>(
        &self,
        key: &str,
        ttl: Duration,
        apply: impl FnOnce(Option<&mut Value>) -> (Write<Value>, T),
    ) -> T {
        // A panic in another update leaves no half-written record readable (see below), so
        // the map is usable even if the lock was poisoned.
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let map = &mut *map;
        let now = Instant::now();
        map.updates += 1;
        if map.updates >= map.next_sweep {
            map.entries.retain(|slot| slot.expires > now);
            // A sweep visits every record: waiting for as many updates as there are records
            // left keeps that to about one record per update however many numbers are kept,
            // where a fixed interval made each update slower as the map grew.
            let left = u64::try_from(map.entries.len()).unwrap_or(u64::MAX);
            map.next_sweep = map.updates.saturating_add(left.max(SWEEP_EVERY));
        }
        // The key is hashed once and looked up once; an update of a key that exists copies
        // neither its value nor the key.
        let hash = map.hasher.hash_one(key);
        let found = map
            .entries
            .entry(hash, |slot| slot.key == key, |slot| slot.hash);
        let mut found = match found {
            Entry::Occupied(found) => found,
            Entry::Vacant(absent) => {
                let (write, answer) = apply(None);
                if let Write::Put(value) = write {
                    absent.insert(Slot {
                        hash,
                        key: key.to_owned(),
                        value,
                        expires: now + ttl,
                    });
                }
                return answer;
            }
        };
        let slot = found.get_mut();
        // `apply` reads the record in place: the lock is held, so nothing can change it.
        let live = Some(&mut slot.value).filter(|_| slot.expires > now);
        let (write, answer) = match panic::catch_unwind(AssertUnwindSafe(|| apply(live))) {
            Ok(applied) => applied,
            Err(panicked) => {
                // `apply` may have changed the value where it lies before it panicked. What it
                // left is replaced by text no decision can read, which every decision refuses
                // (the verifier fails closed) until the number is cleared or the value expires.
                slot.value = Value::Text(SPOILED.to_owned());
                panic::resume_unwind(panicked)
            }
        };
        match write {
            Write::Keep => {}
            Write::Put(new) => (slot.value, slot.expires) = (new, now + ttl),
            Write::Delete => {
                found.remove();
            }
        }
        answer
    }
}

impl Store for MemoryStore {
    fn update(
        &self,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> Result<()> {
        self.update_value(key, ttl, |value| {
            let text = value.map(|value| value.text());
            let write = match apply(text.as_deref()) {
                Write::Keep => Write::Keep,
                Write::Put(text) => Write::Put(Value::Text(text)),
                Write::Delete => Write::Delete,
            };
            (write, ())
        });
        Ok(())
    }

    fn blocks(&self) -> bool {
        false
    }

    fn as_memory(&self) -> Option<&MemoryStore> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::policy::{KeyRecord, Record};

    fn put(store: &MemoryStore, key: &str, ttl: Duration) {
        store
            .update(key, ttl, &mut |_| Write::Put("{}".to_owned()))
            .expect("the memory store never fails");
    }

    fn len(store: &MemoryStore) -> usize {
        store.map.lock().expect("not poisoned").entries.len()
    }

    /// A store holding the verifier's record `{"starts":[1]}` under `key`, as it is.
    fn holding_a_key_record(key: &str) -> MemoryStore {
        let store = MemoryStore::new();
        let record = Record::Key(KeyRecord { starts: vec![1] });
        store.update_value(key, Duration::from_secs(60), |_| {
            (Write::Put(Value::Record(Box::new(record))), ())
        });
        store
    }

    #[test]
    fn records_kept_as_they_are_read_as_json_through_the_store_interface() {
        let (store, ttl) = (holding_a_key_record("k"), Duration::from_secs(60));
        let mut seen = None;
        store
            .update("k", ttl, &mut |value| {
                seen = value.map(str::to_owned);
                Write::Put(r#"{"starts":[2]}"#.to_owned())
            })
            .expect("the memory store never fails");
        assert_eq!(seen.as_deref(), Some(r#"{"starts":[1]}"#));
        let held = store.update_value("k", ttl, |value| (Write::Keep, value.as_deref().cloned()));
        assert_eq!(held, Some(Value::Text(r#"{"starts":[2]}"#.to_owned())));
    }

    #[test]
    fn a_value_an_update_panicked_on_is_left_unreadable() {
        let (store, ttl) = (holding_a_key_record("k"), Duration::from_secs(60));
        let panicked = panic::catch_unwind(|| {
            store.update_value("k", ttl, |value| -> (Write<Value>, ()) {
                if let Some(Value::Record(record)) = value {
                    **record = Record::Key(KeyRecord { starts: vec![] });
                }
                panic!("a decision failed halfway");
            })
        });
        assert!(panicked.is_err());
        let mut seen = None;
        store
            .update("k", ttl, &mut |value| {
                seen = value.map(str::to_owned);
                Write::Keep
            })
            .expect("the memory store never fails");
        let seen = seen.expect("the key is kept");
        assert!(
            serde_json::from_str::<serde_json::Value>(&seen).is_err(),
            "{seen}"
        );
    }

    #[test]
    fn expired_records_are_swept_and_live_ones_kept() {
        let store = MemoryStore::new();
        for i in 0..10 {
            put(&store, &format!("gone{i}"), Duration::from_millis(1));
        }
        put(&store, "kept", Duration::from_secs(600));
        std::thread::sleep(Duration::from_millis(20));
        for _ in 0..SWEEP_EVERY {
            put(&store, "kept", Duration::from_secs(600));
        }
        assert_eq!(len(&store), 1, "the ten expired records are swept");
        let mut seen = None;
        store
            .update("kept", Duration::from_secs(600), &mut |value| {
                seen = value.map(str::to_owned);
                Write::Keep
            })
            .expect("the memory store never fails");
        assert_eq!(seen.as_deref(), Some("{}"));
    }

    #[test]
    fn every_key_is_found_after_the_table_grows() {
        // The table grows many times over (it starts empty) and moves its records by the
        // hashes kept with them: a key must still find its own record, and only its own.
        let store = MemoryStore::new();
        let ttl = Duration::from_secs(600);
        for i in 0..5000 {
            store
                .update(&format!("+86139{i:08}"), ttl, &mut |value| {
                    assert_eq!(value, None, "a new key finds no record");
                    Write::Put(format!("{{\"n\":{i}}}"))
                })
                .expect("the memory store never fails");
        }
        assert_eq!(len(&store), 5000);
        for i in (0..5000).rev() {
            let mut seen = None;
            store
                .update(&format!("+86139{i:08}"), ttl, &mut |value| {
                    seen = value.map(str::to_owned);
                    Write::Keep
                })
                .expect("the memory store never fails");
            assert_eq!(seen, Some(format!("{{\"n\":{i}}}")));
        }
    }

    #[test]
    fn sweeps_are_spaced_by_the_records_left() {
        let store = MemoryStore::new();
        // Sweeps run at updates 1, 1 + 1024, 1 + 2048 and 1 + 4096, each finding every record
        // live; the last one, before its own record went in, found 4096.
        let records = SWEEP_EVERY * 4 + 1;
        for i in 0..records {
            put(&store, &format!("+86139{i:08}"), Duration::from_secs(600));
        }
        let map = store.map.lock().expect("not poisoned");
        assert_eq!(map.updates, records);
        assert_eq!(map.next_sweep, records + SWEEP_EVERY * 4);
    }
}
