//! Where verifications live: one trait with one primitive, an atomic read-modify-write of one
//! key, and three implementations chosen by one config string.
//!
//! The rules are not here: the verifier passes them in (from `policy`) as the function that
//! turns the stored value into the new one, so memory, SQLite and Redis enforce exactly the
//! same limits, and a store only has to make that one step atomic. Values are JSON text, except
//! in the memory store, where the verifier keeps its records as they are ([`Store::as_memory`]).
//!
//! SQLite and Redis are cargo features (`sqlite`, `redis`, both default): a build without one
//! refuses its URL as `invalid_config` naming `store` and the missing feature.

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use self::memory::MemoryStore;
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;
#[cfg(feature = "sqlite")]
pub use self::sqlite::SqliteStore;
pub use super::policy::Write;
use crate::{Error, Result};

/// A key-value store that can update one key atomically.
///
/// Values are JSON text written by the verifier; keys are `voicecode:v1:…`. Errors are
/// [`Error::store_unavailable`], and must never quote a value.
pub trait Store: fmt::Debug + Send + Sync {
    /// Reads `key`'s value (`None` when absent or past its TTL), calls `apply` on it and writes
    /// what `apply` returns, as one atomic step: no other update of `key`, from this process or
    /// another, can come in between. A written value expires `ttl` after the write.
    ///
    /// `apply` may be called more than once (optimistic stores retry after a conflict); only
    /// the write of its last call counts, so it must have no effect besides its return value.
    fn update(
        &self,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> Result<()>;

    /// Whether an update waits on a file or a socket. An async verifier runs such updates on
    /// tokio's blocking pool; one that only takes a lock (the memory store) runs inline, saving
    /// two thread hand-offs per update.
    fn blocks(&self) -> bool {
        true
    }

    /// This store as the [`MemoryStore`], if it is one: a verifier then keeps its records there
    /// as they are, with no JSON written or parsed per update. Other stores keep the default.
    fn as_memory(&self) -> Option<&MemoryStore> {
        None
    }
}

/// The store named by the `store` config key: `memory`, `sqlite:PATH` or
/// `redis://host:port/db`. A malformed name is `invalid_config` naming `store`; a store that
/// cannot be opened is `store_unavailable`.
pub fn open(spec: &str) -> Result<Arc<dyn Store>> {
    const RULE: &str = "must be memory, sqlite:PATH or redis://host:port/db";
    if spec == "memory" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if let Some(path) = spec.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err(Error::invalid_config(
                "store",
                format!("sqlite: needs a file path; {RULE}"),
            ));
        }
        #[cfg(feature = "sqlite")]
        return Ok(Arc::new(SqliteStore::open(path)?));
        #[cfg(not(feature = "sqlite"))]
        return Err(not_built("sqlite"));
    }
    if spec.starts_with("redis://") {
        #[cfg(feature = "redis")]
        return Ok(Arc::new(RedisStore::open(spec)?));
        #[cfg(not(feature = "redis"))]
        return Err(not_built("redis"));
    }
    Err(Error::invalid_config(
        "store",
        format!("{} {RULE}", redacted(spec)),
    ))
}

/// The error for a store whose cargo feature this build left out.
#[cfg(not(all(feature = "sqlite", feature = "redis")))]
fn not_built(feature: &str) -> Error {
    Error::invalid_config(
        "store",
        format!("this build has no {feature} store: build voicecode with its `{feature}` feature"),
    )
}

/// A store name as it may be shown. Credentials can sit in a URL's userinfo (user and
/// password: `redis://pw@host` is a password to Redis) or in any query parameter
/// (`?password=`, `?pass=`, `?token=`…), so all of these are replaced by `***`, whatever their
/// names; a name that is not a URL with a host shows only its scheme. `sqlite:PATH` and
/// `memory` hold no credentials and show as they are.
pub(crate) fn redacted(spec: &str) -> String {
    const HIDDEN: &str = "***";
    if spec == "memory" || (spec.starts_with("sqlite:") && !spec.starts_with("sqlite://")) {
        return format!("{spec:?}");
    }
    match url::Url::parse(spec) {
        Ok(mut url) if !url.cannot_be_a_base() => {
            if !url.username().is_empty() {
                let _ = url.set_username(HIDDEN);
            }
            if url.password().is_some() {
                let _ = url.set_password(Some(HIDDEN));
            }
            if url.query().is_some() {
                let names: Vec<String> = url.query_pairs().map(|(name, _)| name.into()).collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(names.iter().map(|name| (name, HIDDEN)));
            }
            if url.fragment().is_some() {
                url.set_fragment(Some(HIDDEN));
            }
            format!("{:?}", url.as_str())
        }
        // Not a URL, or one without a host (`redis:pw@host`): it may still hold a password.
        _ => match spec.split_once(':') {
            Some((scheme, _))
                if !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                format!("{:?}", format!("{scheme}:…"))
            }
            None if !spec.contains(['@', '?', '#']) => format!("{spec:?}"),
            _ => "\"…\"".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_store_names_are_invalid_config_naming_store() {
        for bad in ["", "mem", "sqlite:", "postgres://x", "redis:/nohost"] {
            let err = open(bad).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (crate::ErrorKind::InvalidConfig, Some("store")),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn a_store_left_out_of_the_build_is_invalid_config_naming_its_feature() {
        for (spec, feature, built) in [
            ("sqlite:codes.db", "sqlite", cfg!(feature = "sqlite")),
            ("redis://127.0.0.1:1/0", "redis", cfg!(feature = "redis")),
        ] {
            if built {
                continue;
            }
            let err = open(spec).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidConfig, "{err}");
            assert_eq!(err.field(), Some("store"));
            assert!(
                err.to_string().contains(&format!("`{feature}` feature")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_redis_password_is_never_shown() {
        let shown = redacted("redis://:hunter2@127.0.0.1:6379/0");
        assert!(!shown.contains("hunter2"), "{shown}");
        let err = open("redis://:hunter2@[bad/0").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn userinfo_and_every_query_value_are_hidden_and_the_rest_kept() {
        for (spec, shown) in [
            (
                "redis://pw@127.0.0.1:6379/0",
                "redis://***@127.0.0.1:6379/0",
            ),
            ("redis://u:pw@h:1/0", "redis://***:***@h:1/0"),
            (
                "redis://h:1/0?db=2&PassWord=pw",
                "redis://h:1/0?db=***&PassWord=***",
            ),
            (
                "redis+unix:///tmp/r.sock?pass=pw",
                "redis+unix:///tmp/r.sock?pass=***",
            ),
            (
                "unix:///tmp/r.sock?pwd=pw#pw",
                "unix:///tmp/r.sock?pwd=***#***",
            ),
            ("rediss://h:6380/0", "rediss://h:6380/0"),
            ("redis:pw@h", "redis:…"),
            ("pw@h", "…"),
            ("sqlite:/var/lib/codes.db", "sqlite:/var/lib/codes.db"),
            ("memory", "memory"),
            ("mem", "mem"),
            ("h?password=pw", "…"),
        ] {
            assert_eq!(redacted(spec), format!("{shown:?}"), "{spec}");
        }
    }
}
