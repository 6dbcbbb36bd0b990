#!/usr/bin/env bash
# The C ABI's whole suite: builds libvoicecode (with the simulator testing facility), checks the
# checked-in header against a fresh cbindgen run and Cargo.toml, then runs the C tests (also
# under valgrind), the install and pkg-config path, the README examples, and the PHP and Java
# tests. Installs what is missing first (cbindgen, php-cli, valgrind, clang-format, Maven).
#
#   ffi-c/test.sh               run everything
#   ffi-c/test.sh --regenerate  rewrite include/voicecode.h with the pinned cbindgen, then run
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

CBINDGEN_VERSION=0.29.4
THREADS=8 SENDS=10000          # the shared-handle stress test: exactly THREADS*SENDS in the journal
VALGRIND_SENDS=50              # the same test under valgrind, smaller to keep time down
# Where cargo builds: CARGO_TARGET_DIR (relative to the workspace, as cargo takes it) or target/.
target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
out="$target/ffi-c-tests"
lib="$target/debug"
passed=0
failed=0

step() { printf '\n==> ffi-c: %s\n' "$*"; }
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAILED: %s\n' "$*" >&2; }
# Runs a check; a failure is counted and reported, and the suite goes on.
check() {
    local what="$1"
    shift
    if "$@"; then pass; else fail "$what"; fi
}

# --- what the suite needs -------------------------------------------------------------------
step "installing what is missing"
apt_packages=()
command -v gcc >/dev/null || apt_packages+=(gcc)
command -v pkg-config >/dev/null || apt_packages+=(pkg-config)
command -v valgrind >/dev/null || apt_packages+=(valgrind)
command -v clang-format >/dev/null || apt_packages+=(clang-format)
{ command -v php >/dev/null && php -m | grep -qx FFI; } || apt_packages+=(php-cli)
command -v mvn >/dev/null || apt_packages+=(maven)
command -v javac >/dev/null || apt_packages+=(default-jdk-headless)
if ((${#apt_packages[@]})); then
    echo "apt-get install ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
cbindgen="${CARGO_HOME:-$HOME/.cargo}/bin/cbindgen"
if [[ "$("$cbindgen" --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]]; then
    echo "cargo install cbindgen $CBINDGEN_VERSION"
    cargo install --quiet cbindgen --version "$CBINDGEN_VERSION" --locked
fi

# --- the library ----------------------------------------------------------------------------
step "building libvoicecode (debug, with the simulator testing facility)"
cargo build --quiet --locked -p voicecode-ffi --features simulator
mkdir -p "$out"

step "checking include/voicecode.h"
# Single-file mode reads ffi-c/src only (no cargo metadata), so the result does not depend on
# the state of the rest of the workspace.
"$cbindgen" --quiet --config ffi-c/cbindgen.toml --output "$out/voicecode.h" ffi-c/src/lib.rs
if [[ "${1:-}" == "--regenerate" ]]; then
    cp "$out/voicecode.h" include/voicecode.h
    echo "include/voicecode.h regenerated"
fi
check "include/voicecode.h is what cbindgen $CBINDGEN_VERSION generates (run ffi-c/test.sh --regenerate)" \
    diff -u include/voicecode.h "$out/voicecode.h"

version="$(cargo pkgid -p voicecode-ffi | sed 's/.*[#@]//')"
IFS=. read -r major minor patch <<<"$version"
header_version() { sed -n "s/^#define $1 \(.*\)$/\1/p" include/voicecode.h; }
check "VC_VERSION is \"$version\" (Cargo.toml)" test "$(header_version VC_VERSION)" = "\"$version\""
check "VC_VERSION_MAJOR is $major" test "$(header_version VC_VERSION_MAJOR)" = "$major"
check "VC_VERSION_MINOR is $minor" test "$(header_version VC_VERSION_MINOR)" = "$minor"
check "VC_VERSION_PATCH is $patch" test "$(header_version VC_VERSION_PATCH)" = "$patch"

# Every declaration (function, type, enum, define) comes right after a doc comment.
undocumented="$(awk '
    /^#if defined\(VC_SIMULATOR\)/ { next }
    /^(vc_result|void|const char|bool|typedef struct|enum|#define VC_)/ && prev !~ /\*\/$/ { print FILENAME ":" NR ": " $0 }
    NF { prev = $0 }' include/voicecode.h)"
check "every declaration in include/voicecode.h has a doc comment: $undocumented" test -z "$undocumented"

step "Rust unit tests, format and lints of the ffi-c crate (with the simulator feature)"
check "cargo fmt" cargo fmt --check -p voicecode-ffi
check "cargo clippy" cargo clippy --quiet --locked -p voicecode-ffi --all-targets --features simulator -- -D warnings
check "cargo test" cargo test --quiet --locked -p voicecode-ffi --features simulator

# --- C --------------------------------------------------------------------------------------
step "compiling the C tests: gcc -Wall -Wextra -Wpedantic -Werror"
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -Iinclude)
link=(-L"$lib" -lvoicecode -lpthread -Wl,-rpath,"$lib")
check "clang-format: tests/c is formatted (clang-format -i tests/c/*.[ch])" \
    clang-format --dry-run --Werror --style=file tests/c/*.c tests/c/*.h
check "the header compiles as C without the testing facility" \
    gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -x c include/voicecode.h
check "the header compiles as C++" \
    g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -DVC_SIMULATOR -x c++ include/voicecode.h
for t in test_api test_threads test_verifier test_secrets leak_canary test_bad_input; do
    check "compile tests/c/$t.c" gcc "${cflags[@]}" -DVC_SIMULATOR -o "$out/$t" "tests/c/$t.c" "${link[@]}"
done

step "C tests against the simulator"
export RUST_BACKTRACE=0 # the panic-boundary test panics on purpose; keep its report short
check "test_api" "$out/test_api"
check "test_threads: $THREADS threads x $SENDS sends on one handle" "$out/test_threads" "$THREADS" "$SENDS"
verifier_dir="$(mktemp -d)"
check "test_verifier: the lifecycle, 100 parallel checks and 50 parallel starts (memory, SQLite)" \
    "$out/test_verifier" "$verifier_dir"
check "the bad-input corpus as lines for C" python3 tests/corpus/to_lines.py >"$out/bad_input.lines"
check "test_bad_input: tests/corpus/bad_input.json" "$out/test_bad_input" "$out/bad_input.lines"
check "the secrets scenario as lines for C" python3 tests/secrets/to_lines.py >"$out/secrets.lines"
check "test_secrets: every operation and failure with VOICECODE_LOG=trace" \
    env VOICECODE_LOG=trace "$out/test_secrets" "$out/secrets.lines" "$out/secrets.txt" \
    >"$out/secrets.stdout" 2>"$out/secrets.stderr"
check "no secret in the C layer's results, errors or logs" \
    python3 tests/secrets/check_output.py "$out/secrets.txt" "$out/secrets.stderr" "$out/secrets.stdout"

step "C tests under valgrind --leak-check=full --error-exitcode=1"
vg=(valgrind -q --leak-check=full --error-exitcode=1 --suppressions=tests/c/valgrind.supp)
check "test_api under valgrind" "${vg[@]}" "$out/test_api"
check "test_threads under valgrind" "${vg[@]}" "$out/test_threads" "$THREADS" "$VALGRIND_SENDS"
rm -rf "$verifier_dir" && mkdir -p "$verifier_dir"
check "test_verifier under valgrind" "${vg[@]}" "$out/test_verifier" "$verifier_dir"
rm -rf "$verifier_dir"
# The leak check must be able to fail: this program leaks an error object on purpose.
check "valgrind reports the deliberate leak of leak_canary" \
    bash -c '! "$@" >/dev/null 2>&1' _ "${vg[@]}" "$out/leak_canary"

# --- install, pkg-config and the README examples --------------------------------------------
step "install.sh, pkg-config and the README examples"
prefix="$out/prefix"
rm -rf "$prefix"
check "ffi-c/install.sh (cargo cinstall, dev profile)" ffi-c/install.sh "$prefix" --profile dev >/dev/null
soname="libvoicecode.so.$( ((major == 0)) && echo "0.$minor" || echo "$major")"
check "install.sh installed lib/libvoicecode.so.$version, its links and the archive" test \
    -f "$prefix/lib/libvoicecode.so.$version" -a "$(readlink "$prefix/lib/$soname")" = "libvoicecode.so.$version" \
    -a -L "$prefix/lib/libvoicecode.so" -a -f "$prefix/lib/libvoicecode.a" -a -f "$prefix/include/voicecode.h"
check "the installed library's SONAME is $soname" \
    bash -c 'readelf -d "$1" | grep -q "Library soname: \[$2\]"' _ "$prefix/lib/libvoicecode.so.$version" "$soname"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config --modversion is $version" test "$(pkg-config --modversion voicecode)" = "$version"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
check "the C example compiles with pkg-config" \
    gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$out/example" tests/c/example.c \
    $(pkg-config --cflags --libs voicecode) -Wl,-rpath,"$prefix/lib"
check "the C example needs $soname, not libvoicecode.so" \
    bash -c 'readelf -d "$1" | grep -q "Shared library: \[$2\]"' _ "$out/example" "$soname"
# shellcheck disable=SC2046
check "the C example links statically" \
    gcc -std=c11 -Wall -Wextra -Werror -o "$out/example-static" tests/c/example.c \
    $(pkg-config --cflags voicecode) "$prefix/lib/libvoicecode.a" \
    $(pkg-config --static --libs-only-l voicecode | sed 's/-lvoicecode//')

# The examples run against the simulator binary, as the README's quick start does.
cargo build --quiet --locked -p voicecode-sim --bin voicecode-sim
configs="$out/sim-configs"
rm -rf "$configs"
"$lib/voicecode-sim" --port 0 --write-configs "$configs" >"$out/sim.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -f "$configs/oneaccess.json" ]] && break; sleep 0.1; done
example_works() {
    local printed
    printed="$("$@")" && [[ "$printed" == *'"vendor":"ihuyi"'* || "$printed" == *"accepted by ihuyi"* ]] ||
        { echo "$printed" >&2; return 1; }
}
check "the C example sends a code (shared library)" example_works "$out/example" "$configs/ihuyi.json"
check "the C example sends a code (static library)" example_works "$out/example-static" "$configs/ihuyi.json"
export VOICECODE_LIB="$prefix/lib/libvoicecode.so"
check "the PHP example sends a code" example_works php bindings-php/examples/send.php "$configs/ihuyi.json"
unset VOICECODE_LIB
kill "$sim_pid" 2>/dev/null || true
trap - EXIT

# --- PHP and Java ---------------------------------------------------------------------------
step "PHP tests (FFI)"
check "bindings-php/tests/run.php" env VOICECODE_LIB="$lib/libvoicecode.so" php bindings-php/tests/run.php
check "bindings-php/tests/bad_input.php: the bad-input corpus" \
    env VOICECODE_LIB="$lib/libvoicecode.so" php bindings-php/tests/bad_input.php "$out/bad_input.lines"
check "bindings-php/tests/secrets.php: every operation and failure with VOICECODE_LOG=trace" \
    env VOICECODE_LIB="$lib/libvoicecode.so" VOICECODE_LOG=trace php bindings-php/tests/secrets.php \
    "$out/php-secrets.txt" >"$out/php-secrets.stdout" 2>"$out/php-secrets.stderr"
check "no secret in the PHP layer's results, exceptions or logs" python3 tests/secrets/check_output.py \
    "$out/php-secrets.txt" "$out/php-secrets.stderr" "$out/php-secrets.stdout"
for f in bindings-php/src/*.php bindings-php/tests/*.php bindings-php/examples/*.php; do
    check "php -l $f" php -l "$f" >/dev/null
done

step "Java tests (JNA, JUnit 5, Maven)"
check "mvn test" mvn -B -ntp -q -Dstyle.color=never -f bindings-java/pom.xml test -Dvoicecode.lib.dir="$lib" \
    -Dvoicecode.corpus.lines="$out/bad_input.lines"
# Surefire's reports, summed for the record (quiet mode prints nothing when all pass).
cat bindings-java/target/surefire-reports/TEST-*.xml 2>/dev/null |
    sed -n 's/^<testsuite .*tests="\([0-9]*\)".*failures="\([0-9]*\)".*/\1 \2/p' |
    awk '{ t += $1; f += $2 } END { printf "java: %d tests, %d failures\n", t, f }' || true

printf '\nffi-c: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
