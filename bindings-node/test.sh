#!/usr/bin/env bash
# The Node addon's suite, from a fresh machine: npm dependencies (@napi-rs/cli, prettier,
# typescript) from package-lock.json, a debug build of the addon, a check that the committed
# index.d.ts is what the build generates, formatting and lints, then the `node --test` suite
# against the simulator.
set -euo pipefail
cd "$(dirname "$0")"

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "bindings-node: Node.js 20 or later is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Install from package-lock.json when it changed since the last install. `npm install`, not
# `npm ci`: @napi-rs/cli's cross-compiling helpers (@napi-rs/lzma, tar, wasm-tools) list
# platform packages of versions the registry does not have, so the lock cannot hold them and
# `npm ci` refuses it as out of sync; `npm install` keeps the locked versions and skips the
# missing optional packages, which a native build never uses. `--no-save` leaves the committed
# lock as it is.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error
fi

# Debug build on purpose (`npm run build` is the release build users get): debug assertions run
# under the suite, and CI does not pay for an optimised build.
npm run --silent build:debug

if ! diff -u index.d.ts build/index.d.ts; then
  echo "bindings-node: index.d.ts is stale; run 'npm run build && cp build/index.d.ts index.d.ts' and commit it" >&2
  exit 1
fi

npx prettier --check --log-level warn .
cargo fmt -p voicecode-node --check
cargo clippy -q -p voicecode-node --all-targets -- -D warnings
cargo test -q -p voicecode-node

node --test test/*.test.js test/*.test.mjs
