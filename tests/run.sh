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
# Each suite's output is also kept, so that the end of the run can repeat where a failed suite
# stopped: CI shows the last lines of a long run.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

suite() {
    local name="$1"
    shift
    printf '\n==> %s\n' "$name"
    local started=$SECONDS log="$logs/${#failures[@]}-$passed.log"
    if "$@" 2>&1 | tee "$log"; then
        passed=$((passed + 1))
        printf '==> %s: ok (%ss)\n' "$name" $((SECONDS - started))
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf '==> %s: FAILED (%ss)\n' "$name" $((SECONDS - started))
        cp "$log" "$logs/failed-${#failures[@]}.log"
    fi
}

# The verifier's Redis store is tested against a real redis-server (Debian's package); its
# tests fail rather than skip when it is missing, so it is installed here on a fresh machine.
if ! command -v redis-server >/dev/null; then
    printf '\n==> installing redis-server\n'
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null ||
        echo "could not install redis-server: the Redis store tests will fail"
fi

suite "Versions" bash release/test-check-versions.sh
suite "Rust format" cargo fmt --all -- --check
suite "Rust lint" cargo clippy --workspace --all-targets --locked -- -D warnings
# The API documentation as docs.rs builds it, every link resolved (libvoicecode's crate is the C
# ABI, documented by include/voicecode.h, and shares the core's crate name).
suite "Rust docs" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --exclude voicecode-ffi --no-deps --locked
suite "Rust tests" cargo test --workspace --locked
suite "Core without its store features" bash tests/store-features.sh
suite "C ABI, PHP and Java" bash ffi-c/test.sh
suite "Python" bash bindings-python/test.sh
suite "Node" bash bindings-node/test.sh
# Every benchmark part, briefly, on debug builds: figures printed, not asserted, so that the
# benchmarks cannot rot (bench/run.sh without --quick writes bench/RESULTS.md).
suite "Benchmarks (quick)" bash bench/run.sh --quick
# The release artefacts, then installing each one with no Rust on PATH. CI builds them with thin
# LTO (release-ci) to save minutes; `bash release/build.sh` alone uses the full release profile.
suite "Release artefacts" bash release/build.sh --profile "${VOICECODE_RELEASE_PROFILE:-release-ci}"
suite "Install from the artefacts" bash release/test-install.sh

for i in "${!failures[@]}"; do
    printf '\n==> the last lines of "%s"\n' "${failures[$i]}"
    tail -n 40 "$logs/failed-$((i + 1)).log"
done
echo
((failed)) && printf 'failed suites: %s\n' "${failures[*]}"
echo "suites: $passed passed, $failed failed"
((failed == 0))
