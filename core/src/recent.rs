//! A bounded memory of recently seen keys: the one eviction policy behind push replay
//! protection, event de-duplication and the shared push verifiers.
//!
//! Keys are forgotten oldest first once the capacity is reached, and from the oldest end once
//! past their expiry, so memory stays bounded under a flood whatever the keys.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use chrono::{DateTime, Utc};

#[derive(Debug)]
pub(crate) struct Recent<K, V = ()> {
    capacity: usize,
    entries: HashMap<K, (V, Option<DateTime<Utc>>)>,
    order: VecDeque<K>,
}

impl<K: Clone + Eq + Hash, V> Recent<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Recent {
            capacity: capacity.max(1),
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).map(|(value, _)| value)
    }

    /// Forgets, from the oldest end, the keys whose expiry is before `now`.
    pub(crate) fn forget_expired(&mut self, now: DateTime<Utc>) {
        while let Some(oldest) = self.order.front() {
            let expired = self
                .entries
                .get(oldest)
                .is_none_or(|(_, until)| until.is_some_and(|until| until < now));
            if !expired {
                break;
            }
            let oldest = self.order.pop_front().expect("front exists");
            self.entries.remove(&oldest);
        }
    }

    /// Remembers `key` until `until` (or until it is the oldest of too many); false, and
    /// nothing changed, when it is already remembered.
    pub(crate) fn insert(&mut self, key: K, value: V, until: Option<DateTime<Utc>>) -> bool {
        if self.entries.contains_key(&key) {
            return false;
        }
        while self.order.len() >= self.capacity {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.entries.insert(key.clone(), (value, until));
        self.order.push_back(key);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    #[test]
    fn a_key_is_new_once() {
        let mut recent = Recent::<&str>::new(10);
        assert!(recent.insert("a", (), None));
        assert!(!recent.insert("a", (), None));
        assert!(recent.get(&"a").is_some());
    }

    #[test]
    fn the_oldest_key_goes_first_when_full() {
        let mut recent = Recent::<u32>::new(2);
        for key in [1, 2, 3] {
            assert!(recent.insert(key, (), None));
        }
        assert!(recent.get(&1).is_none(), "the oldest was forgotten");
        assert!(recent.get(&2).is_some() && recent.get(&3).is_some());
        assert!(recent.insert(1, (), None), "a forgotten key is new again");
    }

    #[test]
    fn expired_keys_are_forgotten_from_the_oldest_end() {
        let mut recent = Recent::<u32>::new(10);
        recent.insert(1, (), Some(at(100)));
        recent.insert(2, (), Some(at(300)));
        recent.forget_expired(at(200));
        assert!(recent.get(&1).is_none());
        assert!(recent.get(&2).is_some());
    }
}
