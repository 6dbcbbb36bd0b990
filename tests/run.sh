#!/usr/bin/env bash
# Builds everything and runs every test suite: the command the README gives and CI runs.
# Each suite installs what it needs beyond the machine's toolchains (cargo tools, apt, pip,
# npm and Maven packages). Every suite runs even when an earlier one fails; the exit status
# is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

suite() {
    local name="$1"
    shift
    printf '\n==> %s\n' "$name"
    local started=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        printf '==> %s: ok (%ss)\n' "$name" $((SECONDS - started))
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf '==> %s: FAILED (%ss)\n' "$name" $((SECONDS - started))
    fi
}

suite "Versions" bash release/test-check-versions.sh
suite "Rust format" cargo fmt --all -- --check
suite "Rust lint" cargo clippy --workspace --all-targets --locked -- -D warnings
suite "Rust tests" cargo test --workspace --locked
suite "C ABI, PHP and Java" bash ffi-c/test.sh
suite "Python" bash bindings-python/test.sh
suite "Node" bash bindings-node/test.sh
# The release artefacts, then installing each one with no Rust on PATH. CI builds them with thin
# LTO (release-ci) to save minutes; `bash release/build.sh` alone uses the full release profile.
suite "Release artefacts" bash release/build.sh --profile "${VOICECODE_RELEASE_PROFILE:-release-ci}"
suite "Install from the artefacts" bash release/test-install.sh

echo
((failed)) && printf 'failed suites: %s\n' "${failures[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
