//! The embedded default: verifications in this process's memory, gone when it exits.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Store, Write};
use crate::Result;

/// Drop expired keys every this many updates, so numbers that never come back do not pile up.
const SWEEP_EVERY: u64 = 1024;

/// Records in a map behind one `Mutex`: holding the lock across read, decide and write is
/// what makes an update atomic.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<Map>,
}

#[derive(Debug, Default)]
struct Map {
    entries: HashMap<String, (String, Instant)>,
    updates: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn update(
        &self,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> Result<()> {
        // A panic in another update cannot leave a half-written record: writes replace a
        // whole value, so the map is usable even if the lock was poisoned.
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.updates += 1;
        if map.updates % SWEEP_EVERY == 0 {
            map.entries.retain(|_, (_, expires)| *expires > now);
        }
        // `apply` reads the record in place: the lock is held, so nothing can change it, and a
        // send's three updates copy neither the record nor, when it exists, the key.
        let current = map.entries.get(key).filter(|(_, expires)| *expires > now);
        match apply(current.map(|(value, _)| value.as_str())) {
            Write::Keep => {}
            Write::Put(value) => match map.entries.get_mut(key) {
                Some(entry) => *entry = (value, now + ttl),
                None => {
                    map.entries.insert(key.to_owned(), (value, now + ttl));
                }
            },
            Write::Delete => {
                map.entries.remove(key);
            }
        }
        Ok(())
    }

    fn blocks(&self) -> bool {
        false
    }
}
