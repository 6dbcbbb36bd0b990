//! A real `redis-server` for the store tests: installed when missing (Debian's package, as
//! `tests/run.sh` does), started on 127.0.0.1 on a free port with a temporary directory and no
//! persistence, and stopped by its PID when the test drops it.
//!
//! Redis tests are never skipped silently: without a server they fail, saying how to get one.
//! Outside CI (`CI` unset) `VOICECODE_SKIP_REDIS=1` skips them on purpose.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// Whether Redis tests may be skipped here: only when asked, and never in CI.
pub fn skipped() -> bool {
    let asked = std::env::var("VOICECODE_SKIP_REDIS").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if asked && ci {
        panic!("VOICECODE_SKIP_REDIS=1 is refused in CI: the Redis store must be tested there");
    }
    if asked {
        eprintln!("skipping a Redis test: VOICECODE_SKIP_REDIS=1");
    }
    asked
}

fn find_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([
            "/usr/bin".into(),
            "/usr/sbin".into(),
            "/usr/local/bin".into(),
        ])
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

/// The `redis-server` binary, installed with apt-get the first time if it is missing.
fn binary() -> PathBuf {
    static INSTALL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALL
        .get_or_init(|| {
            if let Some(found) = find_binary() {
                return Ok(found);
            }
            eprintln!("redis-server is missing: installing it with apt-get");
            let install = Command::new("sh")
                .args([
                    "-c",
                    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server",
                ])
                .status();
            match install {
                Ok(status) if status.success() => find_binary()
                    .ok_or_else(|| "apt-get installed redis-server, but it is not on PATH".into()),
                Ok(status) => Err(format!("apt-get install redis-server failed ({status})")),
                Err(e) => Err(format!("cannot run apt-get: {e}")),
            }
        })
        .clone()
        .unwrap_or_else(|e| {
            panic!(
                "the Redis store tests need redis-server: {e}. Install the Debian package \
                 redis-server (tests/run.sh does), or set VOICECODE_SKIP_REDIS=1 outside CI"
            )
        })
}

fn free_port() -> u16 {
    // Ports are handed out one at a time, so two servers of one test binary never race for one.
    static LOCK: Mutex<()> = Mutex::new(());
    let _held = LOCK.lock().unwrap();
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let binary = binary();
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let port = free_port();
            let child = Command::new(&binary)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--dir"])
                .arg(dir.path())
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let mut server = RedisServer {
                child: Some(child),
                port,
                _dir: dir,
            };
            if server.wait_ready() {
                return server;
            }
            // Most likely another process took the port between bind and start: try another.
            server.stop();
        }
        panic!("redis-server did not start on 127.0.0.1")
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(_exited))) = self.child.as_mut().map(Child::try_wait) {
                return false;
            }
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read as _, Write as _};
                let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                let mut answer = [0u8; 7];
                if stream.write_all(b"PING\r\n").is_ok()
                    && stream.read_exact(&mut answer).is_ok()
                    && &answer == b"+PONG\r\n"
                {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// `redis://127.0.0.1:PORT/0`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server (by its PID) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
