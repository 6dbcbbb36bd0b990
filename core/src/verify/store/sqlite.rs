//! An SQLite file: embedded like the memory store, but verifications survive a restart and
//! several processes on one machine can share the file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension as _, TransactionBehavior};

use super::{Store, Write};
use crate::{Error, Result};

/// How long an update waits for another process's transaction on the same file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One table, `voicecode_records (key, value, expires_ms)`.
///
/// Each update is a `BEGIN IMMEDIATE` transaction: it takes SQLite's write lock before reading,
/// so no other connection, in this process or another, can update between the read and the
/// write. Within the process one connection behind a `Mutex` serialises the updates.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn unavailable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::store_unavailable(format!("sqlite {}: {e}", path.display()))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl SqliteStore {
    /// Opens (or creates) the file at `path` and its table.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let conn = Connection::open(&path).map_err(|e| unavailable(&path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| unavailable(&path, e))?;
        // WAL lets readers of other processes go on while one writes.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| unavailable(&path, e))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS voicecode_records (
                 key TEXT PRIMARY KEY NOT NULL,
                 value TEXT NOT NULL,
                 expires_ms INTEGER NOT NULL
             )",
        )
        .map_err(|e| unavailable(&path, e))?;
        // Expired rows are ignored when read; clearing them at start keeps the file small.
        conn.execute(
            "DELETE FROM voicecode_records WHERE expires_ms <= ?1",
            params![now_ms()],
        )
        .map_err(|e| unavailable(&path, e))?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
        })
    }

    fn update_in(
        conn: &mut Connection,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> rusqlite::Result<()> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_ms();
        let slot: Option<String> = tx
            .query_row(
                "SELECT value FROM voicecode_records WHERE key = ?1 AND expires_ms > ?2",
                params![key, now],
                |row| row.get(0),
            )
            .optional()?;
        match apply(slot.as_deref()) {
            // Nothing to write: ending the transaction releases the lock.
            Write::Keep => {}
            Write::Put(value) => {
                let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
                tx.execute(
                    "INSERT OR REPLACE INTO voicecode_records (key, value, expires_ms)
                     VALUES (?1, ?2, ?3)",
                    params![key, value, now.saturating_add(ttl_ms)],
                )?;
            }
            Write::Delete => {
                tx.execute("DELETE FROM voicecode_records WHERE key = ?1", params![key])?;
            }
        }
        tx.commit()
    }
}

impl Store for SqliteStore {
    fn update(
        &self,
        key: &str,
        ttl: Duration,
        apply: &mut dyn FnMut(Option<&str>) -> Write,
    ) -> Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        // A failed statement rolls its transaction back when `tx` drops.
        Self::update_in(&mut conn, key, ttl, apply).map_err(|e| unavailable(&self.path, e))
    }
}
