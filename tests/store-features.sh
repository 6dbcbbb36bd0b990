#!/usr/bin/env bash
# The verifier's SQLite and Redis stores are cargo features of the core (`sqlite`, `redis`):
# the core builds and passes its unit tests without them, and every crate that
# release/build.sh ships (the C library, the CLI, the Python and Node modules) turns both on.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked -p voicecode --no-default-features
cargo test --quiet --locked -p voicecode --no-default-features --lib
for crate in voicecode-ffi voicecode-cli voicecode-python voicecode-node; do
    features=$(cargo tree --locked --quiet -p "$crate" -e normal,features -i voicecode --prefix none)
    for feature in sqlite redis; do
        if ! grep -q "voicecode feature \"$feature\"" <<<"$features"; then
            echo "$crate is built without the core's $feature feature" >&2
            exit 1
        fi
    done
done
echo "store features: the core builds without them; every artefact has both"
