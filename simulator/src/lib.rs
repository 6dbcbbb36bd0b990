//! voicecode-sim: a local fake of every vendor voicecode speaks to, so that nobody needs a paid
//! account to develop or test.
//!
//! One listener on 127.0.0.1 serves every vendor's paths (they do not overlap). Each request is
//! checked the way the real vendor checks it — signatures, timestamp windows, nonces, required
//! fields and their JSON types, balances, frequency limits — and answered in the vendor's own
//! shapes and codes. On top of that the simulator can inject faults (latency, vendor codes,
//! broken or hanging connections, unreadable bodies), pushes what the vendors push after a
//! call (Huawei call progress, cloud10658 receipts, Alibaba Cloud VoiceReport records, Tencent
//! callbacks), and keeps a journal of every request it received.
//!
//! ```no_run
//! use voicecode::{ChannelConfig, Client, SendCode, Vendor};
//! use voicecode_sim::{SimOptions, Simulator};
//!
//! let sim = Simulator::start(SimOptions::default())?;
//! let config = ChannelConfig::from_value(sim.config_json(Vendor::Ihuyi))?;
//! let receipt = Client::new(config)?.send_code(&SendCode::new("13800138000", "4821"))?;
//! assert_eq!(sim.count(Vendor::Ihuyi, voicecode_sim::Operation::SendCode), 1);
//! # let _ = receipt;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The API is synchronous on purpose: the simulator runs its own tokio runtime on a background
//! thread, so it is equally usable from plain tests, from async tests and from the C, Python and
//! Node bindings' test suites.

mod admin;
mod config;
pub mod demo;
mod exchange;
mod faults;
mod journal;
mod options;
mod push;
mod server;
mod state;
mod vendors;
mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use voicecode::{Product, Vendor};

pub use faults::{Fault, FaultSpec};
pub use journal::{JournalEntry, Operation, Verdict};
pub use options::SimOptions;
pub use push::CallOutcome;

use crate::exchange::Shared;

/// Why the simulator could not start, or could not write its configs.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The port could not be bound (in use, or not permitted).
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The runtime, its thread or the push client could not be created.
    #[error("cannot start the simulator: {0}")]
    Start(String),
    /// A config file or its directory could not be written ([`Simulator::write_configs`]).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// A running simulator. Dropping it stops the server and closes every connection.
pub struct Simulator {
    shared: Arc<Shared>,
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Simulator {
    /// Binds 127.0.0.1 on `options.port` and serves every vendor from a background thread.
    /// Returns once the port is listening, so requests can be sent straight away.
    pub fn start(options: SimOptions) -> Result<Simulator, SimError> {
        let requested = options.port;
        let bind_error = |source| SimError::Bind {
            port: requested,
            source,
        };
        let listener =
            std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, requested)))
                .map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let port = listener.local_addr().map_err(bind_error)?.port();
        let with_balance: Vec<Vendor> = vendors::ALL
            .iter()
            .filter(|side| side.balance)
            .map(|side| side.vendor)
            .collect();
        let shared = Shared::new(options, port, &with_balance).map_err(SimError::Start)?;
        let shared = Arc::new(shared);
        let router = server::router(Arc::clone(&shared));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (ready, started) = std::sync::mpsc::channel();
        // The runtime is built, used and dropped on its own thread: dropping a runtime inside
        // another one panics, and callers may well be async tests.
        let thread = std::thread::Builder::new()
            .name(format!("voicecode-sim:{port}"))
            .spawn(move || server::run(listener, router, stopped, ready))
            .map_err(|e| SimError::Start(format!("thread: {e}")))?;
        let started = started
            .recv()
            .unwrap_or_else(|_| Err("the server thread stopped while starting".into()));
        if let Err(e) = started {
            let _ = thread.join();
            return Err(SimError::Start(e));
        }
        Ok(Simulator {
            shared,
            port,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The port the simulator listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:{port}`: the `base_url` of every vendor's channel config.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// A channel config in the core schema (`voicecode::ChannelConfig::from_value`) with the
    /// vendor's demo credentials and `base_url` pointing at this simulator: its voice product,
    /// as a config without `product` is.
    pub fn config_json(&self, vendor: Vendor) -> serde_json::Value {
        config::channel_config(vendor, Product::Voice, &self.shared.base_url)
            .expect("every vendor has a simulated voice side (`vendors::tests` checks)")
    }

    /// As [`Simulator::config_json`], for the vendor's `product`; `invalid_input` on `product`
    /// when the vendor has no such product ([`Vendor::products`]).
    pub fn product_config_json(
        &self,
        vendor: Vendor,
        product: Product,
    ) -> Result<serde_json::Value, voicecode::Error> {
        config::channel_config(vendor, product, &self.shared.base_url).ok_or_else(|| {
            voicecode::Error::invalid_input("product", format!("{vendor} has no {product} product"))
        })
    }

    /// Writes the config of every product of every vendor into `dir` (created if missing) as
    /// `ytx.json`, `huawei.json`, …, `aliyun-sms.json`, ready for `voicecode send --config`;
    /// returns each product with the file written, voice products first, in [`Vendor::ALL`]
    /// order.
    pub fn write_configs(&self, dir: &Path) -> Result<Vec<(Vendor, Product, PathBuf)>, SimError> {
        let failed = |path: &Path| {
            let path = path.to_owned();
            move |source| SimError::Write { path, source }
        };
        std::fs::create_dir_all(dir).map_err(failed(dir))?;
        let products = Product::ALL.into_iter().flat_map(|product| {
            Vendor::ALL
                .into_iter()
                .filter(move |vendor| vendor.products().contains(&product))
                .map(move |vendor| (vendor, product))
        });
        products
            .map(|(vendor, product)| {
                let name = match product {
                    Product::Voice => format!("{vendor}.json"),
                    _ => format!("{vendor}-{product}.json"),
                };
                let path = dir.join(name);
                let config = self
                    .product_config_json(vendor, product)
                    .expect("the vendor offers the product");
                // A JSON value always serialises; the newline is for people who cat the file.
                std::fs::write(&path, format!("{config:#}\n")).map_err(failed(&path))?;
                Ok((vendor, product, path))
            })
            .collect()
    }

    /// Adds a fault for the vendor's next requests (every operation of that vendor).
    /// Counted faults are used up in the order they were injected; `Latency` stays until
    /// [`Simulator::clear_faults`].
    pub fn inject(&self, vendor: Vendor, fault: Fault) {
        self.shared.lock().faults.inject(vendor, fault);
    }

    /// Removes every pending fault of every vendor.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The faults still pending, per vendor, with their remaining counts.
    pub fn faults(&self) -> Vec<(Vendor, Fault)> {
        self.shared.lock().faults.pending()
    }

    /// How the calls of later accepted sends end, as their pushes tell.
    pub fn set_call_outcome(&self, outcome: CallOutcome) {
        self.shared.lock().outcome = outcome;
    }

    /// Sets a vendor account's balance in units (ignored for vendors without one; see
    /// [`SimOptions::balances`]).
    pub fn set_balance(&self, vendor: Vendor, units: u64) {
        self.shared.lock().set_balance(vendor, units);
    }

    /// A vendor account's balance in units, for vendors that have one.
    pub fn balance(&self, vendor: Vendor) -> Option<u64> {
        self.shared.lock().balance(vendor)
    }

    /// Every request received on a vendor endpoint, oldest first.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.lock().journal.entries().to_vec()
    }

    /// Forgets every journaled request.
    pub fn clear_journal(&self) {
        self.shared.lock().journal.clear();
    }

    /// The code the last accepted send-code to `to` would have spoken, whichever vendor took
    /// it: what a user's phone would have heard, for end-to-end tests of a sign-up flow.
    /// `to` is read in national form, so `13800138000` and `+8613800138000` are the same
    /// number. `None` when no send to that number was accepted (a refused or
    /// faulted send records nothing). OneAccess sends no code of its own, so it records none.
    pub fn last_code(&self, to: &str) -> Option<String> {
        self.shared
            .lock()
            .last_code(to)
            .map(|sent| sent.code.clone())
    }

    /// How many requests of this operation reached this vendor, whatever their verdict.
    pub fn count(&self, vendor: Vendor, operation: Operation) -> usize {
        self.shared.lock().journal.count(vendor, operation)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The receiver is gone only if the server already stopped.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}
