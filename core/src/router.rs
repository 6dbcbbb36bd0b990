//! Failover across vendors without ever ringing a phone twice.
//!
//! A router holds channels in order of preference. It moves on to the next channel only when the
//! current one certainly placed no call *and* another vendor can help: the request never left
//! (`not_sent`), or the vendor refused it for a reason of its own account (`rate_limited`,
//! `insufficient_balance`, `vendor_error`, `forbidden`, `auth_failed`). It stops at once after an
//! `unknown` outcome (the first call may be ringing) and on `invalid_input` (no vendor will take
//! it). Each channel's rules are checked before anything is sent: a channel that cannot carry the
//! request (a landline for a mobile-only vendor, a code too long) is skipped and reported.

use crate::client::refuse_inside_runtime;
use crate::error::Attempt;
use crate::protocol::vendor::ParsedSend;
use crate::protocol::PreparedSend;
use crate::{
    AsyncClient, ChannelConfig, Client, Error, ErrorKind, Outcome, Product, Receipt, Result,
    SendCode,
};

/// Whether a failure on one channel lets the router try the next.
pub fn should_fail_over(error: &Error) -> bool {
    use ErrorKind::*;
    match error.outcome() {
        Outcome::Unknown => false,
        Outcome::NotSent => !matches!(error.kind(), InvalidInput),
        Outcome::Refused => matches!(
            error.kind(),
            RateLimited | InsufficientBalance | VendorError | Forbidden | AuthFailed
        ),
    }
}

/// An async router over [`AsyncClient`]s.
#[derive(Debug, Clone)]
pub struct AsyncRouter {
    clients: Vec<AsyncClient>,
}

/// The blocking face of an [`AsyncRouter`], as [`Client`] is of [`AsyncClient`].
#[derive(Debug, Clone)]
pub struct Router {
    clients: Vec<Client>,
    asynch: AsyncRouter,
}

fn check_not_empty(len: usize) -> Result<()> {
    if len == 0 {
        return Err(Error::invalid_config(
            "channels",
            "a router needs at least one channel",
        ));
    }
    Ok(())
}

/// `items` in groups of one product each, in the order each product first appears.
fn by_product<T>(items: Vec<T>, product: impl Fn(&T) -> Product) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|g| product(&g[0]) == product(&item)) {
            Some(group) => group.push(item),
            None => groups.push(vec![item]),
        }
    }
    groups
}

/// A router fails over between channels that send the same way: a user told to expect a call
/// must not get a text instead, nor the other way round.
fn check_one_product(clients: &[AsyncClient]) -> Result<()> {
    let first = clients[0].product();
    match clients.iter().find(|c| c.product() != first) {
        Some(other) => Err(Error::invalid_config(
            "channels",
            format!(
                "mixes {first} and {} channels; a router fails over only between channels of one product (give the verifier one router per product)",
                other.product()
            ),
        )),
        None => Ok(()),
    }
}

/// One failover's record: every attempt so far and the last failure.
#[derive(Debug, Default)]
struct Failover {
    attempts: Vec<Attempt>,
    last: Option<Error>,
}

/// A send checked against every channel of a router, once: the channels that can carry it,
/// each with its prepared send, and a record that already lists the skipped ones.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    usable: Vec<(usize, PreparedSend)>,
    failover: Failover,
}

impl Plan {
    /// The plan, or the router's error when no channel can carry the send.
    pub(crate) fn sendable(self) -> Result<Plan> {
        if self.usable.is_empty() {
            return Err(self.failover.into_error());
        }
        Ok(self)
    }
}

impl Failover {
    fn note(&mut self, vendor: crate::Vendor, error: Error, skipped: bool) {
        self.attempts.push(error.to_attempt(vendor, skipped));
        self.last = Some(error);
    }

    /// Records a failed send; true when the next channel may be tried.
    fn failed(&mut self, vendor: crate::Vendor, error: Error) -> bool {
        let go_on = should_fail_over(&error);
        self.note(vendor, error, false);
        go_on
    }

    /// The router's error: the last failure, listing every attempt.
    fn into_error(self) -> Error {
        self.last
            .expect("a router has at least one channel, so a failover has a failure")
            .with_attempts(self.attempts)
    }
}

impl Router {
    /// A router over channels in order of preference.
    pub fn new(configs: Vec<ChannelConfig>) -> Result<Self> {
        let asynch = AsyncRouter::new(configs)?;
        let clients = asynch
            .clients
            .iter()
            .map(|c| Client::from_async(c.clone()))
            .collect::<Result<_>>()?;
        Ok(Router { clients, asynch })
    }

    /// A router over existing clients (which keep sharing their connection pools).
    pub fn from_clients(clients: Vec<Client>) -> Result<Self> {
        let asynch =
            AsyncRouter::from_clients(clients.iter().map(|c| c.as_async().clone()).collect())?;
        Ok(Router { clients, asynch })
    }

    /// One router per product of `clients`, each keeping its channels' order, in the order
    /// each product first appears: what a verifier over SMS and voice channels takes
    /// ([`crate::Verifier::with_routers`]).
    pub fn by_product(clients: Vec<Client>) -> Result<Vec<Router>> {
        check_not_empty(clients.len())?;
        by_product(clients, Client::product)
            .into_iter()
            .map(Router::from_clients)
            .collect()
    }

    /// The channels, in order.
    pub fn clients(&self) -> &[Client] {
        &self.clients
    }

    /// What every channel of this router sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.asynch.product()
    }

    /// The async router this one waits on; use it inside an async runtime.
    pub fn as_async(&self) -> &AsyncRouter {
        &self.asynch
    }

    /// Sends through the first channel that accepts; see the module docs for when it moves on.
    pub fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        refuse_inside_runtime("router")?;
        self.send_planned(self.asynch.plan(&ParsedSend::parse(req)))
    }

    /// Signs and sends through the plan's channels in order, on the caller's thread; the same
    /// loop as [`AsyncRouter::send_planned`].
    pub(crate) fn send_planned(&self, plan: Plan) -> Result<Receipt> {
        let mut failover = plan.failover;
        for (i, prepared) in plan.usable {
            let client = &self.clients[i];
            match client.send_prepared(prepared) {
                Ok(receipt) => return Ok(receipt),
                Err(e) => {
                    if !failover.failed(client.vendor(), e) {
                        break;
                    }
                }
            }
        }
        Err(failover.into_error())
    }
}

impl AsyncRouter {
    /// A router over channels in order of preference.
    pub fn new(configs: Vec<ChannelConfig>) -> Result<Self> {
        Self::from_clients(
            configs
                .into_iter()
                .map(AsyncClient::new)
                .collect::<Result<_>>()?,
        )
    }

    /// One router per product of `clients`; see [`Router::by_product`].
    pub fn by_product(clients: Vec<AsyncClient>) -> Result<Vec<AsyncRouter>> {
        check_not_empty(clients.len())?;
        by_product(clients, AsyncClient::product)
            .into_iter()
            .map(AsyncRouter::from_clients)
            .collect()
    }

    /// A router over existing clients (which keep sharing their connection pools).
    pub fn from_clients(clients: Vec<AsyncClient>) -> Result<Self> {
        check_not_empty(clients.len())?;
        check_one_product(&clients)?;
        Ok(AsyncRouter { clients })
    }

    /// The channels, in order.
    pub fn clients(&self) -> &[AsyncClient] {
        &self.clients
    }

    /// What every channel of this router sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.clients[0].product()
    }

    /// Sends through the first channel that accepts; see the module docs for when it moves on.
    pub async fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        self.send_planned(self.plan(&ParsedSend::parse(req))).await
    }

    /// Checks `send` against every channel, once; nothing is signed yet. A number that could not
    /// be parsed is skipped on each channel, as for any other rule.
    pub(crate) fn plan(&self, send: &Result<ParsedSend>) -> Plan {
        let mut plan = Plan::default();
        for (i, client) in self.clients.iter().enumerate() {
            let prepared = match send {
                Ok(send) => client.channel().prepare(send),
                Err(e) => Err(e.clone().with_vendor(client.vendor())),
            };
            match prepared {
                Ok(prepared) => plan.usable.push((i, prepared)),
                Err(e) => plan.failover.note(client.vendor(), e, true),
            }
        }
        plan
    }

    /// Signs and sends through the plan's channels in order; see the module docs for when it
    /// moves on.
    pub(crate) async fn send_planned(&self, plan: Plan) -> Result<Receipt> {
        let mut failover = plan.failover;
        for (i, prepared) in plan.usable {
            let client = &self.clients[i];
            match client.send_prepared(prepared).await {
                Ok(receipt) => return Ok(receipt),
                Err(e) => {
                    if !failover.failed(client.vendor(), e) {
                        break;
                    }
                }
            }
        }
        Err(failover.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(kind: ErrorKind) -> Error {
        Error::answered(
            crate::Vendor::Huawei,
            (kind, Outcome::Refused),
            403,
            "1",
            "m",
        )
    }

    #[test]
    fn fails_over_only_when_no_call_was_placed_and_another_vendor_can_help() {
        use ErrorKind::*;
        for kind in [
            RateLimited,
            InsufficientBalance,
            VendorError,
            Forbidden,
            AuthFailed,
        ] {
            assert!(should_fail_over(&refused(kind)), "{kind}");
        }
        for kind in [
            InvalidInput,
            InvalidConfig,
            RecipientBlocked,
            ContentRejected,
        ] {
            assert!(!should_fail_over(&refused(kind)), "{kind}");
        }
        let v = crate::Vendor::Ytx;
        assert!(should_fail_over(&Error::transport(
            v,
            Network,
            Outcome::NotSent,
            "refused"
        )));
        assert!(!should_fail_over(&Error::transport(
            v,
            Timeout,
            Outcome::Unknown,
            "t"
        )));
        assert!(!should_fail_over(&Error::transport(
            v,
            Network,
            Outcome::Unknown,
            "reset"
        )));
        assert!(!should_fail_over(&Error::protocol(v, 502, "html")));
        assert!(!should_fail_over(&Error::invalid_input("code", "bad")));
    }
}
