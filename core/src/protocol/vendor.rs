//! What a vendor module implements: the [`Protocol`] trait on its config struct, and
//! [`SmsFlow`] for the vendor with captcha and SMS operations.

use std::fmt;
use std::sync::Arc;

use super::checks::CodeRule;
use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{
    Balance, CallEvent, Captcha, Receipt, SendCode, SendOptions, SendSmsCode, VerifyCaptcha,
};
use crate::phone::Phone;
use crate::{Error, Result, Vendor};

/// Reads a call-status push: its headers (for the body's format) and its body.
pub(crate) type PushParser = fn(&[(String, String)], &[u8]) -> Result<Vec<CallEvent>>;

/// What a receiver answers to a push once it has taken it: HTTP 200 with this body and
/// `Content-Type` (from the vendor's module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PushAck {
    /// The response body; empty for a vendor that asks for none.
    pub body: &'static str,
    /// The response's `Content-Type`.
    pub content_type: &'static str,
}

impl PushAck {
    /// An empty HTTP 200: what a vendor that specifies no answer body gets.
    pub const EMPTY: PushAck = PushAck {
        body: "",
        content_type: "text/plain; charset=utf-8",
    };

    /// A plain-text answer body.
    pub const fn text(body: &'static str) -> PushAck {
        PushAck {
            body,
            content_type: PushAck::EMPTY.content_type,
        }
    }

    /// A JSON answer body.
    pub const fn json(body: &'static str) -> PushAck {
        PushAck {
            body,
            content_type: "application/json; charset=utf-8",
        }
    }
}

/// Which vendor a config struct is for; the registry implements it.
pub(crate) trait VendorOf {
    fn vendor(&self) -> Vendor;
}

/// What a vendor module declares about its vendor, beside [`Protocol`] (which must stay usable as
/// `dyn Protocol`, so it can hold no constants).
pub(crate) trait VendorFacts {
    /// The vendor's name in prose.
    const DISPLAY_NAME: &'static str;
    /// The config key of the vendor's credential.
    const SECRET_KEY: Option<&'static str> = None;
    /// The vendor's push reader and what a receiver answers to its pushes, if it pushes call
    /// status.
    const PUSH: Option<(PushParser, PushAck)> = None;
}

/// What a vendor module implements on its config struct. Operations a vendor lacks keep the
/// default, which refuses them as `invalid_config` before anything is sent.
pub(crate) trait Protocol: VendorOf + fmt::Debug + Send + Sync {
    /// The vendor's own `scheme://host[:port]`, used when the config gives no `base_url`.
    fn default_base_url(&self) -> Result<&'static str>;

    /// Checks the vendor's keys beyond their types.
    fn validate(&self) -> Result<()>;

    /// The vendor's voice-code sends from a channel to `base`, worked out once when the channel
    /// is built.
    fn code_sender(&self, _base: &str) -> Result<Arc<dyn CodeSender>> {
        Err(unsupported(self.vendor(), "send_code", ""))
    }

    /// Checks, builds and signs in one call (the vendors' unit tests).
    #[cfg(test)]
    fn send_code(&self, base: &str, req: &SendCode, ctx: &Context) -> Result<HttpRequest>
    where
        Self: Sized,
    {
        let signer = self.code_sender(base)?.prepare(&ParsedSend::parse(req)?)?;
        Ok(signer.sign_last(ctx))
    }

    /// Reads the answer to a voice-code send.
    fn parse_send_code(&self, _resp: &HttpResponse) -> Result<Receipt> {
        Err(unsupported(self.vendor(), "send_code", ""))
    }

    /// Builds the balance request.
    fn balance(&self, _base: &str, _ctx: &Context) -> Result<HttpRequest> {
        Err(unsupported(
            self.vendor(),
            "balance",
            "the vendor publishes no balance API",
        ))
    }

    /// Reads the answer to [`Protocol::balance`].
    fn parse_balance(&self, _resp: &HttpResponse) -> Result<Balance> {
        Err(unsupported(self.vendor(), "balance", ""))
    }

    /// OneAccess's captcha and SMS operations, for the vendor that has them.
    fn sms_flow(&self) -> Option<&dyn SmsFlow> {
        None
    }

    /// The codes this vendor can speak, or `None` when it places no voice-code calls. No
    /// default: a new vendor must say, because the verifier generates codes that every channel
    /// of a router accepts.
    fn code_rule(&self) -> Option<CodeRule>;
}

/// A send whose number is parsed, once, before each channel checks it against its vendor.
#[derive(Debug, Clone)]
pub(crate) struct ParsedSend<'a> {
    pub(crate) to: Phone,
    pub(crate) code: &'a str,
    pub(crate) options: &'a SendOptions,
}

impl<'a> ParsedSend<'a> {
    pub(crate) fn parse(req: &'a SendCode) -> Result<Self> {
        Ok(ParsedSend {
            to: Phone::parse("to", &req.to)?,
            code: &req.code,
            options: &req.options,
        })
    }
}

/// A vendor's voice-code sends on one channel. It holds what depends on neither the request
/// nor the time, worked out once per channel (URLs, hash states keyed with the secret, fields
/// encoded in advance), so that each send only checks and encodes its own fields and each
/// signature only adds the time and the nonce.
pub(crate) trait CodeSender: Send + Sync {
    /// Checks a send against the vendor's rules, or says which field breaks which rule; what it
    /// returns builds and signs the request, with no check left to fail.
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer>;
}

/// A checked send's request, signed at the context's time with its nonce.
pub(crate) type Signer = Box<dyn Sign>;

/// Signs one checked send, as often as it is sent.
pub(crate) trait Sign: Send + Sync {
    /// The request at `ctx`'s time and nonce.
    fn sign(&self, ctx: &Context) -> HttpRequest;

    /// The request at `ctx`'s time and nonce, signed for the last time: what `sign` has to
    /// copy (a body written before the time was known) is moved into it instead.
    fn sign_last(self: Box<Self>, ctx: &Context) -> HttpRequest {
        self.sign(ctx)
    }
}

impl<F: Fn(&Context) -> HttpRequest + Send + Sync> Sign for F {
    fn sign(&self, ctx: &Context) -> HttpRequest {
        self(ctx)
    }
}

/// A signer for a body complete before the time is known (the JSON vendors'): `sign` hands
/// `request` a copy of it, `sign_last` the body itself, so a send signed once copies nothing.
pub(crate) struct WithBody<B, F> {
    body: B,
    request: F,
}

impl<B, F> WithBody<B, F>
where
    B: Clone + Send + Sync + 'static,
    F: Fn(&Context, B) -> HttpRequest + Send + Sync + 'static,
{
    pub(crate) fn signer(body: B, request: F) -> Signer {
        Box::new(WithBody { body, request })
    }
}

impl<B, F> Sign for WithBody<B, F>
where
    B: Clone + Send + Sync,
    F: Fn(&Context, B) -> HttpRequest + Send + Sync,
{
    fn sign(&self, ctx: &Context) -> HttpRequest {
        (self.request)(ctx, self.body.clone())
    }

    fn sign_last(self: Box<Self>, ctx: &Context) -> HttpRequest {
        (self.request)(ctx, self.body)
    }
}

/// Captcha, then verified captcha, then SMS code: the OneAccess flow.
pub(crate) trait SmsFlow {
    fn captcha(&self, base: &str) -> HttpRequest;
    fn parse_captcha(&self, resp: &HttpResponse) -> Result<Captcha>;
    fn verify_captcha(&self, base: &str, req: &VerifyCaptcha) -> Result<HttpRequest>;
    fn parse_verify_captcha(&self, resp: &HttpResponse) -> Result<String>;
    fn send_sms_code(&self, base: &str, req: &SendSmsCode) -> Result<HttpRequest>;
    fn parse_send_sms_code(&self, resp: &HttpResponse) -> Result<()>;
}

pub(crate) fn unsupported(vendor: Vendor, operation: &str, hint: &str) -> Error {
    let mut rule = format!("{vendor} has no {operation} operation");
    if !hint.is_empty() {
        rule.push_str("; ");
        rule.push_str(hint);
    }
    Error::invalid_config("vendor", rule).with_vendor(vendor)
}
