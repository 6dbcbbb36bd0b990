#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after the other, starting from the
# committed seeds in fuzz/corpus/<target>/ and keeping what it learns in fuzz/target/corpus/
# (not committed). cargo fuzz needs nightly features: RUSTC_BOOTSTRAP=1 enables them
# on a stable toolchain. A crash leaves its input in fuzz/artifacts/<target>/; copy it into
# fuzz/corpus/<target>/ with the fix, and the ordinary test suites replay it from then on
# (core/tests/fuzz_replay.rs, ffi-c's fuzz_replay unit test).
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo fuzz list)
failed=()
for target in "${targets[@]}"; do
    printf '\n==> fuzz %s for %ss\n' "$target" "$seconds"
    # -rss_limit_mb: a 10 MiB input is fine, a leak that grows without bound is not.
    mkdir -p "target/corpus/$target"
    if ! cargo fuzz run "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1; then
        failed+=("$target")
    fi
done
echo
((${#failed[@]})) && { echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/)"; exit 1; }
echo "fuzz: ${#targets[@]} targets, no crash"
