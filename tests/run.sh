#!/usr/bin/env bash
# Builds everything and runs every test suite: the command the README gives and CI runs.
# It installs whatever the suites need beyond the machine's toolchains.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "format check"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests"
cargo test --workspace --locked
