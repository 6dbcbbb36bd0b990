#!/usr/bin/env bash
# Installs libvoicecode (shared and static), include/voicecode.h and voicecode.pc under PREFIX.
#
#   cargo build --release -p voicecode-ffi
#   ffi-c/install.sh /usr/local                 # or: ffi-c/install.sh "$HOME/.local"
#
# A second argument names the directory holding the built libraries (default target/release).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:?usage: ffi-c/install.sh PREFIX [BUILD_DIR]}"
build="${2:-$root/target/release}"
version="$(sed -n 's/^#define VC_VERSION "\(.*\)"$/\1/p' "$root/include/voicecode.h")"

for file in libvoicecode.so libvoicecode.a; do
    [[ -f "$build/$file" ]] || { echo "install.sh: $build/$file is missing: build it first" >&2; exit 1; }
done
install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 755 "$build/libvoicecode.so" "$prefix/lib/libvoicecode.so"
install -m 644 "$build/libvoicecode.a" "$prefix/lib/libvoicecode.a"
install -m 644 "$root/include/voicecode.h" "$prefix/include/voicecode.h"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$root/ffi-c/voicecode.pc.in" \
    > "$prefix/lib/pkgconfig/voicecode.pc"
echo "installed libvoicecode $version under $prefix"
