#!/usr/bin/env bash
# voicecode's benchmarks, side by side with what integrators run today, against one simulator
# process; writes bench/RESULTS.md and bench/throughput.png. Every figure is a ratio to a
# baseline measured in the same run (the machine may be shared; absolute times are noisy).
#
#   bash bench/run.sh           release builds, the full run (about 20 minutes on 2 cores)
#   bash bench/run.sh --quick   every part briefly, debug builds, figures printed and written
#                               to $CARGO_TARGET_DIR/bench/RESULTS.md (not to bench/)
#
# Installs what it needs beyond the toolchains: a venv with maturin, requests and matplotlib,
# the Node addon's npm dependencies, php-curl, redis-server (started on a free port for the
# verifier's Redis store, stopped at the end).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
export CARGO_TARGET_DIR="$target"
work="$target/bench"
mkdir -p "$work"
results="$work/results.jsonl"
: >"$results"

if ((quick)); then
    # Debug builds: CI already has them from the other suites, and an optimised build of the
    # workspace, the wheel and the addon would add minutes on 2 cores for figures nobody reads.
    profile=debug cargo_profile=() bench_profile=(--profile dev) maturin_profile=(--profile dev) npm_build=build:debug
    seconds=0.3 micro_seconds=0.2 memory_sends=2000 in_flight=1,16,256,1024 latency_seconds=0.5
    report_dir="$work"
else
    profile=release cargo_profile=(--release) bench_profile=() maturin_profile=(--release) npm_build=build
    seconds=2 micro_seconds=2 memory_sends=100000 in_flight=1,16,64,256,1024 latency_seconds=2.5
    report_dir="$here"
fi
rounds=$((quick ? 1 : 5))
load() { printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"; }

step() { printf '\n==> bench: %s\n' "$*"; }

# --- what the benchmarks need ---------------------------------------------------------------
step "tools"
if ! command -v redis-server >/dev/null; then
    echo "apt-get install redis-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq redis-server >/dev/null
fi
if ! php -m | grep -qx curl || ! php -m | grep -qx FFI; then
    echo "apt-get install php-cli php-curl"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq php-cli php-curl >/dev/null
fi
venv="$work/venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2" \
    "requests>=2.31,<3" "matplotlib>=3.7,<4"

step "builds ($profile)"
cargo build --quiet --locked "${cargo_profile[@]}" -p voicecode-sim -p voicecode-ffi -p voicecode-bench
lib="$target/$profile"
rm -rf "$work/wheel"
"$venv/bin/maturin" build --quiet --locked "${maturin_profile[@]}" -m bindings-python/Cargo.toml -o "$work/wheel"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$work"/wheel/*.whl
(
    cd bindings-node
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        # As bindings-node/test.sh installs, for the same reasons: the committed lock left as it is.
        npm install --no-save --no-audit --no-fund --loglevel=error
    fi
    npm run --silent "$npm_build" >/dev/null
)
export VOICECODE_NODE="$root/bindings-node"
gcc -O2 -Wall -Wextra -Werror -std=c11 -I include bench/layers/c_layer.c \
    -L "$lib" -Wl,-rpath,"$lib" -lvoicecode -lpthread -o "$work/c_layer"
export VOICECODE_LIB="$lib/libvoicecode.so"

# --- one simulator for everything -----------------------------------------------------------
step "simulator"
ulimit -n "$(ulimit -Hn)"
sim_log="$work/sim.log"
"$lib/voicecode-sim" --port 0 --write-configs "$work/configs" >"$sim_log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    sim="$(head -n1 "$sim_log" 2>/dev/null || true)"
    [[ "$sim" == http* && -f "$work/configs/oneaccess.json" ]] && break
    sleep 0.1
done
[[ "$sim" == http* ]] || { cat "$sim_log" >&2; exit 1; }
echo "$sim"
admin() { curl -fsS -X "$1" "$sim/_sim/$2" -H 'Content-Type: application/json' ${3:+-d "$3"} >/dev/null; }
for vendor in ytx ihuyi cloud10658; do
    admin POST balance "{\"vendor\":\"$vendor\",\"units\":1000000000000}"
done
configs="$work/configs"
bench_bin="$lib/voicecode-bench"
node_layer=(node bench/layers/node_layer.mjs)
python_layer=("$py" bench/layers/python_layer.py)

# --- loopback, one caller ------------------------------------------------------------------
# Every layer runs right beside its baseline, round after round, so that load from elsewhere on
# the machine falls on both alike, and goes first in every other round, so that neither always
# meets the machine as the other left it; the report takes the median of the rounds' ratios.
pair() {  # baseline command, then `--`, then the layer's command
    local baseline=() layer=()
    while [[ "$1" != -- ]]; do baseline+=("$1"); shift; done
    shift
    layer=("$@")
    if ((round % 2)); then "${baseline[@]}"; "${layer[@]}"; else "${layer[@]}"; "${baseline[@]}"; fi
}
for round in $(seq "$rounds"); do
    step "loopback throughput, one caller, keep-alive (round $round of $rounds)"
    load
    "$bench_bin" loopback "$sim" "$results" "$seconds"
    # The C ABI's baseline, bare reqwest::blocking, runs inside the core's loop just before.
    "$work/c_layer" loopback "$results" "$seconds" "$configs"
    pair "$py" bench/baselines/requests_baseline.py loopback "$sim" "$results" "$seconds" "$configs" \
        -- "${python_layer[@]}" loopback "$results" "$seconds" "$configs"
    pair node bench/baselines/fetch_baseline.mjs "$sim" "$results" "$seconds" "$configs" \
        -- "${node_layer[@]}" loopback "$results" "$seconds" "$configs"
    "${node_layer[@]}" hop "$results" "$seconds" "$configs"  # Node's own thread hop, for the report
    # PHP's layer and baseline share one process, in turns, beside the baseline's control.
    php -d ffi.enable=true bench/layers/php_layer.php side-by-side "$results" "$seconds" "$configs"
done
admin DELETE journal  # the simulator journals every request; keep its memory flat
step "the blocking client's design and the shared client"
"$bench_bin" design "$sim" "$results" "$seconds"

admin DELETE journal

# --- micro ---------------------------------------------------------------------------------
step "micro: build + sign + parse per vendor (criterion), per-call overhead per layer"
# Each benchmark's figure is the median of its passes: a burst of load from elsewhere that
# outlasts one benchmark's seconds falls on one pass of it, not on its figure.
micro_passes=$((quick ? 1 : 3))
rm -rf "$work/criterion"
for pass in $(seq "$micro_passes"); do
    rm -rf "$target/criterion"
    cargo bench --quiet --locked "${bench_profile[@]}" -p voicecode-bench --bench micro -- \
        --warm-up-time 0.5 --measurement-time "$micro_seconds" --noplot 2>&1 | grep -v '^$' || true
    mkdir -p "$work/criterion"
    cp -r "$target/criterion" "$work/criterion/pass$pass"
done
"$py" bench/baselines/requests_baseline.py sign "$results" "$micro_seconds"
"${python_layer[@]}" overhead "$results" "$micro_seconds" "$configs"
"${node_layer[@]}" overhead "$results" "$micro_seconds" "$configs"
"$work/c_layer" overhead "$results" "$micro_seconds" "$configs"

# --- memory --------------------------------------------------------------------------------
step "memory: $memory_sends sends per layer in one process"
"$bench_bin" memory "$sim" "$results" 0 "$memory_sends"
admin DELETE journal
"${python_layer[@]}" memory "$results" 0 "$configs" "$memory_sends"
admin DELETE journal
"${node_layer[@]}" memory "$results" 0 "$configs" "$memory_sends"
admin DELETE journal
"$work/c_layer" memory "$results" 0 "$configs" "$memory_sends"

admin DELETE journal

# --- the verifier's stores ------------------------------------------------------------------
step "verifier: start + check pairs on the memory, SQLite and Redis stores"
# A redis-server of its own: 127.0.0.1, a free port, a temporary directory, no persistence.
redis_port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis_dir="$work/redis"
rm -rf "$redis_dir" && mkdir -p "$redis_dir"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$redis_dir" --save "" --appendonly no \
    >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$sim_pid" "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
    sleep 0.1
done
"$bench_bin" verifier "$sim" "$results" "$seconds" "redis://127.0.0.1:$redis_port/0"
kill "$redis_pid" 2>/dev/null || true
admin DELETE journal

# --- concurrency with 100 ms vendor latency ------------------------------------------------
step "concurrency: 100 ms injected latency, in flight $in_flight"
admin POST faults '{"vendor":"huawei","fault":"latency","ms":100}'
"$bench_bin" concurrency "$sim" "$results" "$latency_seconds" "$in_flight"
"${python_layer[@]}" asyncio "$results" "$latency_seconds" "$configs" "$in_flight"
"${python_layer[@]}" threads "$results" "$latency_seconds" "$configs" "$in_flight"
"${node_layer[@]}" promises "$results" "$latency_seconds" "$configs" "$in_flight"
"$work/c_layer" threads "$results" "$latency_seconds" "$configs" "$in_flight"
admin DELETE faults

# --- the report ----------------------------------------------------------------------------
step "report"
load
"$py" bench/report.py "$results" "$work/criterion" "$report_dir" "$profile" "$quick"
