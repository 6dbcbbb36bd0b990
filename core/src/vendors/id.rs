//! [`Vendor`], made from the registry's ids alone, and [`Product`]: errors, results and events
//! name them, so this depends on no vendor module.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    (
        voice { $( $(#[$doc:meta])* $variant:ident = $id:literal => $module:ident::$config:ident, )* }
        sms { $($sms:tt)* }
    ) => {
        /// The vendors voicecode speaks to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Vendor {
            $( $(#[$doc])* #[serde(rename = $id)] $variant, )*
        }

        impl Vendor {
            /// Every vendor, in the order of the README's table.
            pub const ALL: [Vendor; [$($id),*].len()] = [$(Vendor::$variant),*];

            /// The id used in configs and by every binding.
            pub fn as_str(self) -> &'static str {
                match self { $(Vendor::$variant => $id,)* }
            }
        }
    };
}

registry!(ids);

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a channel sends: a voice call that speaks the code, or an SMS that carries it. A
/// config's `product` key selects it; voice is the default, and what `oneaccess` (whose own
/// captcha + SMS flow is not a code send) is filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Product {
    /// A voice call that speaks the code.
    Voice,
    /// A text message that carries the code.
    Sms,
}

impl Product {
    /// Both products, voice first.
    pub const ALL: [Product; 2] = [Product::Voice, Product::Sms];

    /// The id used in configs and by every binding: `voice` or `sms`.
    pub fn as_str(self) -> &'static str {
        match self {
            Product::Voice => "voice",
            Product::Sms => "sms",
        }
    }
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
