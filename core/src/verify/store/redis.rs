//! Redis: one store for many app instances behind a load balancer.
//!
//! An update is optimistic: `WATCH key`, `GET key`, decide, then `MULTI`/`SET`/`EXEC`. If any
//! other client wrote the key after the `WATCH`, Redis discards the transaction and the update
//! starts again from a fresh read, a bounded number of times. The rules stay in Rust (the
//! verifier's `policy`), shared with the other stores, instead of being re-written in Lua.
//!
//! Each step is one pipeline, so an update that writes takes two round trips to the server and
//! one that writes nothing takes one: the read is `UNWATCH`, `WATCH`, `GET` (Redis runs a
//! pipeline's commands in order, so the key is watched before it is read), and the write
//! `MULTI`, `SET` or `DEL`, `EXEC`. An update that writes nothing leaves its key watched on
//! the connection; the `UNWATCH` opening the next update on it drops that watch, which would
//! otherwise fail the next transaction whenever the old key changed.

use std::sync::Mutex;
use std::time::Duration;

use super::{redacted, Store, Write};
use crate::{Error, Result};

/// Time allowed to connect, and for each command's answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// Conflicting updates of one key before giving up: far more than any real contention (100
/// parallel checks of one number pass well within it).
const MAX_TRIES: u32 = 500;
/// Idle connections kept for reuse; `WATCH` is per connection, so concurrent updates each need
/// their own.
const MAX_IDLE: usize = 32;

/// A Redis server reached with the redis crate's synchronous connections, pooled.
pub struct RedisStore {
    client: redis::Client,
    idle: Mutex<Vec<redis::Connection>>,
    /// The URL with any password hidden, for messages.
    shown: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store at `url` (`redis://host:port/db`, optionally `redis://:password@…`). Connects
    /// lazily: a server that is down shows as `store_unavailable` on the first update.
    pub fn open(url: &str) -> Result<Self> {
        let shown = redacted(url);
        let client = redis::Client::open(url).map_err(|_| {
            Error::invalid_config(
                "store",
                format!("{shown} is not a redis://host:port/db URL"),
            )
        })?;
        Ok(RedisStore {
            client,
            idle: Mutex::new(Vec::new()),
            shown,
        })
    }

    fn unavailable(&self, e: impl std::fmt::Display) -> Error {
        Error::store_unavailable(format!("redis {}: {e}", self.shown))
    }

    fn connection(&self) -> Result<redis::Connection> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        if let Some(conn) = pooled {
            return Ok(conn);
        }
        let conn = self
            .client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| self.unavailable(e))?;
        conn.set_read_timeout(Some(IO_TIMEOUT))
            .and_then(|()| conn.set_write_timeout(Some(IO_TIMEOUT)))
            .map_err(|e| self.unavailable(e))?;
        Ok(conn)
    }

    fn give_back(&self, conn: redis::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// One optimistic attempt: `Some(())` when done, `None` when another write came between.
    fn try_once(
        conn: &mut redis::Connection,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> redis::RedisResult<Option<()>> {
        let (current,): (Option<String>,) = redis::pipe()
            .cmd("UNWATCH")
            .ignore()
            .cmd("WATCH")
            .arg(key)
            .ignore()
            .cmd("GET")
            .arg(key)
            .query(conn)?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        match apply(current.as_deref()) {
            Write::Keep => return Ok(Some(())),
            Write::Put(value) => {
                let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
                pipe.cmd("SET").arg(key).arg(value).arg("PX").arg(ttl_ms);
            }
            Write::Delete => {
                pipe.cmd("DEL").arg(key);
            }
        }
        // EXEC answers nil when a watched key changed: the transaction did nothing.
        let done: Option<(redis::Value,)> = pipe.query(conn)?;
        Ok(done.map(drop))
    }
}

impl Store for RedisStore {
    fn update(
        &self,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> Result<()> {
        let mut conn = self.connection()?;
        for attempt in 0..MAX_TRIES {
            match Self::try_once(&mut conn, key, ttl, apply) {
                Ok(Some(())) => {
                    self.give_back(conn);
                    return Ok(());
                }
                Ok(None) => backoff(attempt),
                // The connection may be mid-transaction or broken: it is dropped, not reused.
                Err(e) => return Err(self.unavailable(e)),
            }
        }
        Err(self.unavailable(format!(
            "gave up after {MAX_TRIES} conflicting updates of one key"
        )))
    }
}

/// A short random pause, growing with the attempt, so that contenders stop colliding.
fn backoff(attempt: u32) {
    let byte = crate::http::random_bytes::<1>();
    let ceiling_us = 200 * u64::from(attempt.min(20) + 1);
    std::thread::sleep(Duration::from_micros(u64::from(byte[0]) * ceiling_us / 255));
}
