#!/usr/bin/env bash
# Builds libvoicecode with cargo-c and installs it under PREFIX, as a distribution lays out a C
# library: lib/libvoicecode.so.V (SONAME libvoicecode.so.0.MINOR before 1.0, libvoicecode.so.MAJOR
# after) with its two links, lib/libvoicecode.a, include/voicecode.h and lib/pkgconfig/voicecode.pc.
#
#   ffi-c/install.sh /usr/local                 # or: ffi-c/install.sh "$HOME/.local"
#   ffi-c/install.sh PREFIX --profile dev       # a debug build (the tests' install check)
#
# Installs the pinned cargo-c (cargo install; it compiles cargo, so the first time takes
# minutes) when `cargo cinstall` is missing or of another version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:?usage: ffi-c/install.sh PREFIX [--profile NAME]}"
shift
profile=release
case "${1:-}" in
"") ;;
--profile) profile="${2:?--profile needs a name}" ;;
*) echo "usage: ffi-c/install.sh PREFIX [--profile NAME]" >&2; exit 2 ;;
esac
CARGO_C_VERSION=0.10.24 # also in release/build.sh

if [[ "$(cargo cinstall --version 2>/dev/null)" != *" $CARGO_C_VERSION+"* ]]; then
    echo "cargo install cargo-c $CARGO_C_VERSION (once; minutes)" >&2
    cargo install --quiet --locked cargo-c --version "$CARGO_C_VERSION"
fi
[[ "$prefix" == /* ]] || prefix="$PWD/$prefix"
cd "$root"
cargo cinstall --locked --profile "$profile" -p voicecode-ffi \
    --prefix "$prefix" --libdir "$prefix/lib" --includedir "$prefix/include"
echo "installed libvoicecode $(sed -n 's/^#define VC_VERSION "\(.*\)"$/\1/p' include/voicecode.h) under $prefix"
