//! `testing.Simulator`: the vendor simulator (`voicecode-sim`) in-process, for tests that need
//! no account: every vendor on one 127.0.0.1 port, fault injection, and a journal of what
//! reached the "vendor".

use std::sync::{Mutex, MutexGuard};

use napi::Env;
use napi_derive::napi;
use serde_json::{json, Value};
use voicecode::Product;
use voicecode_sim::{CallOutcome, FaultSpec, Operation, SimOptions, Simulator as CoreSimulator};

use crate::client::{parse_request, vendor};
use crate::convert::{camel, JsonArg};
use crate::error::{settle, Failure, Reply};

/// A running simulator. Call `close()` when done (or let it be garbage-collected).
#[napi(namespace = "testing")]
pub struct Simulator {
    inner: Mutex<Option<CoreSimulator>>,
    base_url: String,
    port: u16,
}

#[napi(namespace = "testing")]
impl Simulator {
    /// Starts the simulator on 127.0.0.1 (`port` 0, the default, picks a free one) and returns
    /// once it listens.
    #[napi(constructor, ts_args_type = "options?: SimulatorOptions")]
    pub fn new(env: Env, options: JsonArg) -> napi::Result<Self> {
        // The simulator's own option keys, in camelCase.
        let options = options
            .optional_object("options")
            .and_then(|o| parse_request::<SimOptions>("options", o.unwrap_or_else(|| json!({}))));
        let options = settle(&env, options)?;
        let sim =
            CoreSimulator::start(options).map_err(|e| napi::Error::from_reason(e.to_string()))?;
        Ok(Simulator {
            base_url: sim.base_url(),
            port: sim.port(),
            inner: Mutex::new(Some(sim)),
        })
    }

    /// `http://127.0.0.1:{port}`: the `baseUrl` of every vendor's config.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The port the simulator listens on.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        u32::from(self.port)
    }

    /// A ready channel config for the demo account of `vendor`'s `product` (`'voice'`, the
    /// default, or `'sms'`), pointing at this simulator.
    #[napi(
        ts_args_type = "vendor: Vendor, product?: Product",
        ts_return_type = "ChannelConfig"
    )]
    pub fn config(&self, vendor_name: JsonArg, product_name: JsonArg) -> Reply<Value> {
        Reply(self.with(|sim| {
            let vendor = vendor(vendor_name)?;
            let product = match product_name.optional_string("product")? {
                Some(name) => Product::from_arg(&name)?,
                None => Product::Voice,
            };
            Ok(camel(&sim.product_config_json(vendor, product)?))
        }))
    }

    /// Adds a fault for the vendor's next requests (every operation of that vendor).
    /// Counted faults are used up in order; `latency` stays until `clearFaults()`.
    #[napi(
        ts_args_type = "vendor: Vendor, fault: FaultSpec",
        ts_return_type = "void"
    )]
    pub fn inject(&self, vendor_name: JsonArg, fault: JsonArg) -> Reply<()> {
        Reply(self.with(|sim| {
            // The simulator's own admin-API shape, with the vendor given as its own argument.
            let mut spec = fault.object("fault")?;
            if let Value::Object(map) = &mut spec {
                map.insert(
                    "vendor".into(),
                    Value::String(vendor(vendor_name)?.as_str().into()),
                );
            }
            let spec: FaultSpec = parse_request("fault", spec)?;
            let injected = spec
                .to_fault()
                .map_err(|rule| voicecode::Error::invalid_input("fault", rule))?;
            sim.inject(spec.vendor, injected);
            Ok(())
        }))
    }

    /// Removes every pending fault.
    #[napi(ts_return_type = "void")]
    pub fn clear_faults(&self) -> Reply<()> {
        Reply(self.with(|sim| {
            sim.clear_faults();
            Ok(())
        }))
    }

    /// How the calls of later accepted sends end (Huawei status pushes, cloud10658 receipts).
    #[napi(ts_args_type = "outcome: CallOutcome", ts_return_type = "void")]
    pub fn set_call_outcome(&self, outcome: JsonArg) -> Reply<()> {
        Reply(self.with(|sim| {
            let outcome: CallOutcome = outcome
                .string("outcome")?
                .parse()
                .map_err(|rule| voicecode::Error::invalid_input("outcome", rule))?;
            sim.set_call_outcome(outcome);
            Ok(())
        }))
    }

    /// Sets a vendor account's balance in units (ytx, ihuyi, cloud10658 and aliyun).
    #[napi(
        ts_args_type = "vendor: Vendor, units: number",
        ts_return_type = "void"
    )]
    pub fn set_balance(&self, vendor_name: JsonArg, units: JsonArg) -> Reply<()> {
        Reply(self.with(|sim| {
            sim.set_balance(vendor(vendor_name)?, units.whole_number("units")?);
            Ok(())
        }))
    }

    /// A vendor account's balance in units, or `null` for vendors without one.
    #[napi(ts_args_type = "vendor: Vendor", ts_return_type = "number | null")]
    pub fn balance(&self, vendor_name: JsonArg) -> Reply<Option<f64>> {
        // Balances are small counts; f64 holds them exactly.
        Reply(self.with(|sim| Ok(sim.balance(vendor(vendor_name)?).map(|u| u as f64))))
    }

    /// Every request received on a vendor endpoint, oldest first.
    #[napi(ts_return_type = "JournalEntry[]")]
    pub fn journal(&self) -> Reply<Value> {
        Reply(self.with(|sim| Ok(camel(&sim.journal()))))
    }

    /// Forgets every journaled request.
    #[napi(ts_return_type = "void")]
    pub fn clear_journal(&self) -> Reply<()> {
        Reply(self.with(|sim| {
            sim.clear_journal();
            Ok(())
        }))
    }

    /// How many requests of `operation` reached `vendor`, whatever their verdict.
    #[napi(
        ts_args_type = "vendor: Vendor, operation: Operation",
        ts_return_type = "number"
    )]
    pub fn count(&self, vendor_name: JsonArg, operation: JsonArg) -> Reply<u32> {
        Reply(self.with(|sim| {
            let vendor = vendor(vendor_name)?;
            let operation: Operation = operation
                .string("operation")?
                .parse()
                .map_err(|rule| voicecode::Error::invalid_input("operation", rule))?;
            let count = sim.count(vendor, operation);
            Ok(u32::try_from(count).unwrap_or(u32::MAX))
        }))
    }

    /// The code the last accepted `sendCode` to `to` would have spoken, whichever vendor took
    /// it, for end-to-end tests of a sign-up flow without a phone. `to` may be written either
    /// way (`13800138000` or `+8613800138000`). `null` when no send to that number was
    /// accepted: refused and faulted sends record nothing, nor does OneAccess, whose SMS code
    /// is its own.
    #[napi(ts_args_type = "to: string", ts_return_type = "string | null")]
    pub fn last_code(&self, to: JsonArg) -> Reply<Option<String>> {
        Reply(self.with(|sim| Ok(sim.last_code(&to.string("to")?))))
    }

    /// Stops the server and closes its connections. Later calls throw.
    #[napi]
    pub fn close(&self) {
        drop(self.lock().take());
    }
}

impl Simulator {
    fn lock(&self) -> MutexGuard<'_, Option<CoreSimulator>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with<T>(&self, f: impl FnOnce(&CoreSimulator) -> Result<T, Failure>) -> Result<T, Failure> {
        match self.lock().as_ref() {
            Some(sim) => f(sim),
            None => Err(Failure::State("the simulator is closed".to_owned())),
        }
    }
}
