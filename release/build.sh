#!/usr/bin/env bash
# The release command: builds every artefact, optimised, into dist/ (git-ignored), so that
# Python, Node, C/C++, PHP and Java users install voicecode without a Rust toolchain.
#
#   bash release/build.sh                        # [profile.release]: fat LTO, one codegen unit
#   bash release/build.sh --profile release-ci   # the same artefacts, thin LTO (what CI builds)
#   bash release/build.sh --all-targets          # every target below, not only x86_64 glibc
#
# Every glibc artefact is linked by zig (cargo-zigbuild, maturin --zig) against glibc 2.17's
# symbol versions, so it loads on CentOS 7 and every later glibc distribution.
# dist/ then holds, for version V of the workspace:
#   voicecode-V-cp39-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl, voicecode-V.tar.gz
#                                          pip (abi3 wheel, sdist)
#   voicecode-V.tgz, voicecode-linux-x64-gnu-V.tgz                        npm (napi-rs layout)
#   voicecode-V-x86_64-linux-gnu.tar.gz    lib/ (libvoicecode.so with SONAME, .a, voicecode.pc),
#                                          include/voicecode.h, bin/voicecode, licences, README
#   voicecode-php-V.zip                    the composer package
#   voicecode-V.jar                        Java; libvoicecode bundled under JNA's linux-x86-64/
#   SHA256SUMS
# Each artefact is built once; release/test-install.sh installs them with no Rust on PATH and
# checks their ELF machine and glibc symbol versions.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

# The build tools, pinned; each is installed from its registry when missing or of another
# version. @napi-rs/cli is pinned by bindings-node/package-lock.json.
MATURIN_VERSION=1.16.0
ZIGLANG_VERSION=0.14.1 # zig 0.16's `ar` breaks ring's build
CARGO_ZIGBUILD_VERSION=0.22.1
CARGO_C_VERSION=0.10.24 # cargo-c 0.10.24+cargo-0.98.0: compiles cargo itself, minutes to install

profile=release
all_targets=false
while (($#)); do
    case "$1" in
    --profile) profile="${2:?--profile needs a name: release or release-ci}" && shift 2 ;;
    --all-targets) all_targets=true && shift ;;
    *) echo "usage: release/build.sh [--profile release|release-ci] [--all-targets]" >&2; exit 2 ;;
    esac
done

target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
export CARGO_TARGET_DIR="$target"
stage="$target/release-stage"
dist="$root/dist"
version="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')"
IFS=. read -r major minor _ <<<"$version"
# The SONAME carries the part of the version that changes with the ABI: MAJOR from 1.0 on,
# 0.MINOR before (Cargo's semver: 0.1.x are compatible with each other, 0.2.0 is not).
if ((major == 0)); then abi="0.$minor"; else abi="$major"; fi
soname="libvoicecode.so.$abi"
started=$SECONDS

# The targets: Rust's triple, then the names each ecosystem gives it. The glibc ones link
# against glibc 2.17; the musl ones give the static command. The jar bundles the glibc
# libraries (JNA has no separate musl directory).
#   rust triple               tarball             npm platform      JNA resource dir  wheel tag
targets_table='
x86_64-unknown-linux-gnu    x86_64-linux-gnu    linux-x64-gnu     linux-x86-64      manylinux2014
aarch64-unknown-linux-gnu   aarch64-linux-gnu   linux-arm64-gnu   linux-aarch64     manylinux2014
x86_64-unknown-linux-musl   x86_64-linux-musl   linux-x64-musl    -                 musllinux_1_2
aarch64-unknown-linux-musl  aarch64-linux-musl  linux-arm64-musl  -                 musllinux_1_2
'
# The default (tests/run.sh on every CI run) builds the x86_64 glibc set; --all-targets all four.
targets=(x86_64-unknown-linux-gnu)
if $all_targets; then
    mapfile -t targets < <(awk 'NF { print $1 }' <<<"$targets_table")
fi
# field NAME TRIPLE: one column of the table above for a Rust triple.
field() {
    awk -v want="$2" -v col="$1" '$1 == want {
        split("rust tarball npm jna wheel", names, " ")
        for (i in names) if (names[i] == col) print $i }' <<<"$targets_table"
}
# cargo-zigbuild's spelling: a glibc target carries the oldest glibc it links against.
zig_target() { if [[ "$1" == *-gnu ]]; then echo "$1.2.17"; else echo "$1"; fi; }

step() { printf '\n==> release: %s (%ss)\n' "$*" $((SECONDS - started)); }
# Rust builds take the machine's idle time only: other builds share its cores.
nice_run() { nice -n 10 "$@"; }

python3 release/check_versions.py
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"

# --- tools: maturin and zig in their own venv, cargo-zigbuild, the Rust targets, @napi-rs/cli --
step "tools"
tools="$target/release-tools"
[[ -x "$tools/bin/python" ]] || python3 -m venv "$tools"
if [[ "$("$tools/bin/maturin" --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ||
    "$("$tools/bin/python" -m ziglang version 2>/dev/null)" != "$ZIGLANG_VERSION" ]]; then
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
        "maturin[zig]==$MATURIN_VERSION" "ziglang==$ZIGLANG_VERSION"
fi
# cargo-zigbuild (and maturin, which embeds it) runs `python -m ziglang` with this Python.
export CARGO_ZIGBUILD_PYTHON_PATH="$tools/bin/python"
if [[ "$(cargo-zigbuild --version 2>/dev/null)" != "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ]]; then
    echo "cargo install cargo-zigbuild $CARGO_ZIGBUILD_VERSION"
    cargo install --quiet --locked cargo-zigbuild --version "$CARGO_ZIGBUILD_VERSION" \
        --target-dir "$target/tool-builds"
fi
if [[ "$(cargo cinstall --version 2>/dev/null)" != *" $CARGO_C_VERSION+"* ]]; then
    echo "cargo install cargo-c $CARGO_C_VERSION"
    cargo install --quiet --locked cargo-c --version "$CARGO_C_VERSION" --target-dir "$target/tool-builds"
fi
# A target rustup cannot add fails the build here, loudly.
rustup target add "${targets[@]}"
if [[ ! -x bindings-node/node_modules/.bin/napi ]]; then
    (cd bindings-node && npm install --no-audit --no-fund --loglevel=error)
fi
command -v mvn >/dev/null || { echo "release: Maven (mvn) is needed for the jar" >&2; exit 1; }
if $all_targets && ! command -v aarch64-linux-gnu-strip >/dev/null; then
    # binutils for aarch64 (strip, objdump): Debian's package
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq binutils-aarch64-linux-gnu >/dev/null
fi

# --- C: libvoicecode, the header, pkg-config, the CLI, per target ---------------------------
# with_zig TRIPLE [VAR=VALUE...] COMMAND...: runs a cargo COMMAND (niced) with zig as the
# target's C compiler, archiver and linker, for the glibc version zig_target names, through
# cargo-zigbuild's wrappers (which adapt rustc's and build scripts' flags to zig): what
# `cargo zigbuild` does, for cargo-c and plain cargo alike.
with_zig() {
    local rust="$1" zig key dir
    shift
    zig="$(zig_target "$rust")"
    key="${rust//-/_}"
    dir="$tools/zig-wrappers/$zig"
    mkdir -p "$dir"
    printf '#!/bin/sh\nexec cargo-zigbuild zig cc -- -fno-sanitize=all -target %s "$@"\n' \
        "${zig/-unknown-/-}" >"$dir/cc"
    printf '#!/bin/sh\nexec cargo-zigbuild zig ar -- "$@"\n' >"$dir/ar"
    chmod +x "$dir/cc" "$dir/ar"
    env "CC_$key=$dir/cc" "AR_$key=$dir/ar" "CARGO_TARGET_${key^^}_LINKER=$dir/cc" nice -n 10 env "$@"
}
c_tarball() {
    local rust="$1" zig name c
    zig="$(zig_target "$rust")"
    name="voicecode-$version-$(field tarball "$rust")"
    c="$stage/$name"
    step "libvoicecode (cargo-c) and the voicecode command for $zig ($profile, SONAME $soname)"
    # cargo cinstall builds and lays out the library as ffi-c/Cargo.toml's [package.metadata.capi]
    # says: libvoicecode.so.V with SONAME libvoicecode.so.ABI and both links, libvoicecode.a,
    # include/voicecode.h and lib/pkgconfig/voicecode.pc. A musl shared library links musl's
    # libc dynamically (-crt-static); the command stays static.
    local rustflags=()
    [[ "$rust" != *-musl ]] || rustflags=("CARGO_TARGET_$(tr a-z- A-Z_ <<<"$rust")_RUSTFLAGS=-C target-feature=-crt-static")
    with_zig "$rust" "${rustflags[@]}" cargo cinstall --locked --profile "$profile" --target "$rust" \
        -p voicecode-ffi --prefix / --destdir "$c" --libdir lib --includedir include
    [[ -f "$c/lib/libvoicecode.so.$version" && -L "$c/lib/$soname" ]] ||
        { echo "release: cargo cinstall did not lay out lib/libvoicecode.so.$version and $soname" >&2; exit 1; }
    # ${pcfiledir} makes the file relocatable: the prefix is wherever the tarball was unpacked.
    # shellcheck disable=SC2016 # the literal ${pcfiledir} is for pkg-config
    sed -i 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$c/lib/pkgconfig/voicecode.pc"
    # The archive keeps its symbols (a static link needs them) and drops the debug sections
    # that the precompiled standard library brings: half the size.
    strip_for "$rust" --strip-debug "$c/lib/libvoicecode.a"

    with_zig "$rust" cargo build --quiet --locked --profile "$profile" --target "$rust" \
        -p voicecode-cli --bin voicecode
    install -D -m 755 "$target/$rust/$profile/voicecode" "$c/bin/voicecode"
    install -m 644 LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$c/"
    sed -e "s/@VERSION@/$version/g" -e "s/@SONAME@/$soname/g" -e "s/@SERIES@/$abi.x/g" \
        -e "s/@TARGET@/$rust/g" release/tarball-README.md >"$c/README.md"
    tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$dist/$name.tar.gz" "$name"
    # The musl command is static: it runs on any Linux of its architecture, alone.
    [[ "$rust" != *-musl ]] || install -m 755 "$c/bin/voicecode" "$dist/voicecode-$version-${rust%%-*}-linux-static"
}
# strip_for TRIPLE ARGS...: the host's strip for x86_64, binutils' cross strip for aarch64.
strip_for() {
    local rust="$1"
    shift
    case "$rust" in
    x86_64-*) strip "$@" ;;
    aarch64-*) aarch64-linux-gnu-strip "$@" ;;
    esac
}
for rust in "${targets[@]}"; do c_tarball "$rust"; done
python3 release/check_versions.py --lib "$stage/voicecode-$version-x86_64-linux-gnu/lib/libvoicecode.so.$version"

# --- Python: the abi3 wheels and the sdist ---------------------------------------------------
# maturin links with zig for the policy's glibc, audits the wheel as auditwheel does (a symbol
# above the policy fails the build) and tags it; the install test checks the tag's form.
for rust in "${targets[@]}"; do
    step "Python wheel (abi3, $(field wheel "$rust")) for $rust"
    nice_run "$tools/bin/maturin" build --quiet --locked --profile "$profile" --zig \
        --target "$rust" --compatibility "$(field wheel "$rust")" \
        -m bindings-python/Cargo.toml -o "$dist"
done
"$tools/bin/maturin" sdist -m bindings-python/Cargo.toml -o "$dist"

# --- Node: the main package and the platform packages ---------------------------------------
for rust in "${targets[@]}"; do
    step "Node addon for $(zig_target "$rust") (napi-rs layout)"
    # -x builds through cargo-zigbuild, which links for the glibc the target names.
    (cd bindings-node && nice_run node_modules/.bin/napi build --platform --profile "$profile" \
        --target "$(zig_target "$rust")" -x --output-dir build --js binding.js --dts index.d.ts >/dev/null)
done
diff -u bindings-node/index.d.ts bindings-node/build/index.d.ts ||
    { echo "release: bindings-node/index.d.ts is stale" >&2; exit 1; }
platforms="$(for rust in "${targets[@]}"; do field npm "$rust"; done | paste -sd,)"
node release/npm-packages.mjs bindings-node "$stage/npm" "$platforms" LICENSE-MIT LICENSE-APACHE
for package in "$stage"/npm/*/; do
    (cd "$package" && npm pack --silent --pack-destination "$dist" >/dev/null)
done

# --- PHP: the composer package --------------------------------------------------------------
step "PHP composer package"
php_stage="$stage/php"
install -d "$php_stage"
cp -r bindings-php/composer.json bindings-php/README.md bindings-php/src bindings-php/examples \
    LICENSE-MIT LICENSE-APACHE "$php_stage/"
# Library::bundled() loads lib/<arch>-linux-<gnu|musl>/libvoicecode.so for the machine PHP runs on.
for rust in "${targets[@]}"; do
    install -D -m 755 "$stage/voicecode-$version-$(field tarball "$rust")/lib/libvoicecode.so.$version" \
        "$php_stage/lib/$(field tarball "$rust")/libvoicecode.so"
done
(cd "$php_stage" && zip -q -r -X "$dist/voicecode-php-$version.zip" .)

# --- Java: the jar, with libvoicecode under JNA's resource paths ----------------------------
step "Java jar"
mvn -B -ntp -q -Dstyle.color=never -f bindings-java/pom.xml package -Dmaven.test.skip=true
jar_stage="$stage/jar"
cp "bindings-java/target/voicecode-$version.jar" "$dist/voicecode-$version.jar"
# JNA looks for libvoicecode on jna.library.path, then the system's paths, then the class
# path under its platform's directory (linux-x86-64/, linux-aarch64/): with the glibc builds
# bundled, the jar works alone.
for rust in "${targets[@]}"; do
    [[ "$rust" == *-gnu ]] || continue
    install -D -m 755 "$stage/voicecode-$version-$(field tarball "$rust")/lib/libvoicecode.so.$version" \
        "$jar_stage/$(field jna "$rust")/libvoicecode.so"
done
install -m 644 LICENSE-MIT LICENSE-APACHE "$jar_stage/"
jar --update --file "$dist/voicecode-$version.jar" -C "$jar_stage" .

# --- sums and sizes -------------------------------------------------------------------------
step "SHA256SUMS"
(cd "$dist" && sha256sum -- * >SHA256SUMS && cat SHA256SUMS)

printf '\nartefacts in dist/ (%s profile, %ss):\n' "$profile" $((SECONDS - started))
(cd "$dist" && ls -l --block-size=K -- * | awk '{ printf "  %8s  %s\n", $5, $9 }')
printf 'inside them:\n'
for file in "$stage"/voicecode-*/lib/libvoicecode.so.* "$stage"/voicecode-*/lib/libvoicecode.a \
    "$stage"/voicecode-*/bin/voicecode "$stage"/npm/*/*.node; do
    [[ -L "$file" ]] || printf '  %8s  %s\n' "$(($(stat -c %s "$file") / 1024))K" "${file#"$stage/"}"
done
