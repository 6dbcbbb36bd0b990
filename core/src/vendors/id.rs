//! [`Vendor`], made from the registry's ids alone: errors, results and events name vendors, so
//! it depends on no vendor module.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal => $module:ident::$config:ident, )*) => {
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
