#!/usr/bin/env bash
# Where the time of a send goes: perf profiles of the paths the benchmarks compare (the C ABI,
# PHP over FFI, the core's blocking and async clients, Node's promises and its failing
# synchronous call), each against the same simulator process. Writes the top frames of
# each to bench/profiles/<path>.txt, which bench/RESULTS.md cites beside its figures.
#
#   bash bench/profile.sh [SECONDS]     (default 3 s per path)
#
# Builds with the `profiling` profile (release code, symbols and line tables kept). Needs perf
# (Debian's linux-perf, installed when missing), php-cli with FFI, and Node with the binding's
# npm dependencies (bench/run.sh installs them); Node runs with --perf-basic-prof, so that perf
# names its JavaScript frames.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
seconds="${1:-3}"

target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
export CARGO_TARGET_DIR="$target"
work="$target/profile"
out="$here/profiles"
mkdir -p "$work" "$out"

step() { printf '\n==> profile: %s\n' "$*"; }

if ! command -v perf >/dev/null; then
    step "apt-get install linux-perf"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi

step "builds (profiling)"
cargo build --quiet --locked --profile profiling -p voicecode-sim -p voicecode-ffi -p voicecode-bench
lib="$target/profiling"
gcc -O2 -g -Wall -Wextra -Werror -std=c11 -I include bench/layers/c_layer.c \
    -L "$lib" -Wl,-rpath,"$lib" -lvoicecode -lpthread -o "$work/c_layer"
export VOICECODE_LIB="$lib/libvoicecode.so"
(
    cd bindings-node
    [ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
    npx napi build --platform --profile profiling --output-dir build --js binding.js \
        --dts index.d.ts >/dev/null
)
export VOICECODE_NODE="$root/bindings-node"

step "simulator"
"$lib/voicecode-sim" --port 0 --write-configs "$work/configs" >"$work/sim.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    sim="$(head -n1 "$work/sim.log" 2>/dev/null || true)"
    [[ "$sim" == http* && -f "$work/configs/oneaccess.json" ]] && break
    sleep 0.1
done
[[ "$sim" == http* ]] || { cat "$work/sim.log" >&2; exit 1; }
for vendor in ytx ihuyi cloud10658; do
    curl -fsS -X POST "$sim/_sim/balance" -H 'Content-Type: application/json' \
        -d "{\"vendor\":\"$vendor\",\"units\":1000000000000}" >/dev/null
done

# profile NAME COMMAND...: records COMMAND and keeps the shares by shared object and the top
# symbols, with the command, the time and the machine's load.
profile() {
    local name="$1"
    shift
    step "$name"
    perf record --quiet -g -F 2999 -o "$work/$name.data" -- "$@" >/dev/null
    # Then CPU time and context switches per send, in a run of its own: less sensitive to the
    # machine's load than sends per second.
    local before after
    before="$(wc -l <"$results")"
    perf stat -x, -e task-clock,context-switches -o "$work/$name.stat" -- "$@" >/dev/null
    after="$(tail -n +"$((before + 1))" "$results")"
    local per_send
    per_send="$(python3 - "$work/$name.stat" "$seconds" <<'PY' "$after"
import json, sys
stat, seconds, lines = sys.argv[1], float(sys.argv[2]), sys.argv[3]
# Sends per second, or ns per call; the core's paired ratios count no sends of their own.
rows = [r for r in map(json.loads, filter(None, lines.splitlines())) if "per_s" in r or "ns" in r]
if not all("per_s" in r for r in rows):
    # A part that times single calls (Node's failing call) reports ns per call itself.
    print("; ".join(f"{r['layer']}: {r['ns']:,.0f} ns per call" for r in rows))
    sys.exit()
sends = sum(r["per_s"] for r in rows) * seconds
values = {row.split(",")[2]: float(row.split(",")[0]) for row in open(stat) if row.count(",") > 2}
cpu_us = values["task-clock"] * 1000 / sends
print(f"{sends:,.0f} sends; per send: {cpu_us:.1f} us of CPU, "
      f"{values['context-switches'] / sends:.2f} context switches")
PY
)"
    {
        printf '# %s\n\n' "$name"
        printf 'command: %s\n' "$*"
        printf 'recorded: %s UTC, load average %s\n' "$(date -u '+%Y-%m-%d %H:%M')" \
            "$(cut -d' ' -f1-3 /proc/loadavg)"
        printf 'perf stat: %s\n\n' "$per_send"
        echo '## by shared object'
        perf report -i "$work/$name.data" --no-children --sort dso -g none --stdio \
            --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo
        echo '## top symbols (share of all samples)'
        perf report -i "$work/$name.data" --no-children --sort dso,sym -g none --stdio \
            --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | awk 'NR <= 40'
        echo
        echo '## top frames with their callees (share of all samples)'
        perf report -i "$work/$name.data" --children --sort sym -g none --stdio \
            --percent-limit 3 2>/dev/null | grep -v '^#' | grep -v '^$' | awk 'NR <= 50'
    } >"$out/$name.txt"
    # awk reads to the end, so sed never meets a closed pipe (set -o pipefail).
    sed -n '/by shared object/,$p' "$out/$name.txt" | awk 'NR <= 20'
}

results="$work/results.jsonl"
: >"$results"
profile c-abi-loopback "$work/c_layer" loopback "$results" "$seconds" "$work/configs"
profile php-ffi-loopback php -d ffi.enable=true bench/layers/php_layer.php loopback \
    "$results" "$seconds" "$work/configs"
profile php-curl-loopback php bench/baselines/curl_baseline.php "$sim" "$results" "$seconds" \
    "$work/configs"
profile core-loopback "$lib/voicecode-bench" loopback "$sim" "$results" "$seconds"
# --perf-basic-prof also writes V8's log, into the working directory unless told where.
node=(node --perf-basic-prof --no-logfile-per-isolate --logfile="$work/v8.log")
profile node-loopback "${node[@]}" bench/layers/node_layer.mjs loopback "$results" "$seconds" \
    "$work/configs"
profile node-overhead "${node[@]}" bench/layers/node_layer.mjs overhead "$results" "$seconds" \
    "$work/configs"
echo
cat "$results"
echo "written: $out/*.txt"
