//! What the platforms send back after accepting a call: the call outcome a test chooses, and
//! how a vendor module's pushes go out (each vendor's module writes its own).
//!
//! Pushes go out promptly ([`PUSH_INTERVAL`] apart) so that tests of receivers stay fast; the
//! real platforms take seconds. A receiver that fails is logged and not retried.

use std::future::Future;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// Time between two pushes of one call.
const PUSH_INTERVAL: Duration = Duration::from_millis(20);

/// How a simulated call ends.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CallOutcome {
    /// The user answers and hears the code: callout, alerting, answer, disconnect (16).
    #[default]
    Answered,
    /// The line is busy: callout, disconnect (17).
    Busy,
    /// It rings out: callout, alerting, disconnect (19).
    NoAnswer,
}

impl CallOutcome {
    /// The snake_case name the admin API and every binding use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The Q.850 cause of the disconnect (Huawei's `stateCode`).
    pub fn state_code(self) -> u16 {
        match self {
            CallOutcome::Answered => 16,
            CallOutcome::Busy => 17,
            CallOutcome::NoAnswer => 19,
        }
    }
}

impl std::str::FromStr for CallOutcome {
    type Err = String;

    /// Reads a name as [`CallOutcome::as_str`] writes it; the error lists the valid names.
    fn from_str(name: &str) -> Result<Self, String> {
        crate::wire::parse_name("call outcome", name)
    }
}

/// The pushes a vendor module owes for an accepted send, made once the answer is out.
pub(crate) type FollowUp = Box<dyn FnOnce(Pusher) -> BoxFuture<'static, ()> + Send>;

/// A [`FollowUp`] of an async function of the [`Pusher`].
pub(crate) fn follow_up<F>(push: impl FnOnce(Pusher) -> F + Send + 'static) -> FollowUp
where
    F: Future<Output = ()> + Send + 'static,
{
    Box::new(move |pusher| Box::pin(push(pusher)))
}

/// How a vendor's pushes go out: the simulator's HTTP client, and where the vendor's account
/// pushes to when that is an account setting (`SimOptions::push_urls`) rather than part of the
/// request.
pub(crate) struct Pusher {
    pub(crate) http: reqwest::Client,
    pub(crate) account_url: Option<String>,
}

impl Pusher {
    /// POSTs `body` with `headers` to `url`, [`PUSH_INTERVAL`] after the previous push.
    pub(crate) async fn post(&self, url: &str, headers: &[(&str, &str)], body: String) {
        tokio::time::sleep(PUSH_INTERVAL).await;
        let mut request = self.http.post(url).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        report(url, request.send().await);
    }
}

fn report(url: &str, result: reqwest::Result<reqwest::Response>) {
    match result {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => log::warn!(
            "voicecode-sim: push to {url} answered HTTP {}",
            response.status()
        ),
        Err(e) => log::warn!("voicecode-sim: push to {url} failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_match_the_admin_api() {
        for &outcome in <CallOutcome as strum::VariantArray>::VARIANTS {
            assert_eq!(outcome.as_str().parse::<CallOutcome>(), Ok(outcome));
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_valid_ones() {
        let e = "hung_up".parse::<CallOutcome>().unwrap_err();
        assert!(e.contains("\"hung_up\""), "{e}");
        assert!(e.contains("answered, busy or no_answer"), "{e}");
    }
}
