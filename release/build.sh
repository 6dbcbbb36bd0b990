#!/usr/bin/env bash
# The release command: builds every artefact, optimised, into dist/ (git-ignored), so that
# Python, Node, C/C++, PHP and Java users install voicecode without a Rust toolchain.
#
#   bash release/build.sh                        # [profile.release]: fat LTO, one codegen unit
#   bash release/build.sh --profile release-ci   # the same artefacts, thin LTO (what CI builds)
#
# dist/ then holds, for version V of the workspace:
#   voicecode-V-cp39-abi3-manylinux_*_x86_64.whl, voicecode-V.tar.gz     pip (wheel, sdist)
#   voicecode-V.tgz, voicecode-linux-x64-gnu-V.tgz                        npm (napi-rs layout)
#   voicecode-V-x86_64-linux-gnu.tar.gz    lib/ (libvoicecode.so with SONAME, .a, voicecode.pc),
#                                          include/voicecode.h, bin/voicecode, licences, README
#   voicecode-php-V.zip                    the composer package
#   voicecode-V.jar                        Java; libvoicecode bundled under JNA's linux-x86-64/
#   SHA256SUMS
# Each artefact is built once; release/test-install.sh installs them with no Rust on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

profile=release
case "${1:-}" in
"") ;;
--profile) profile="${2:?--profile needs a name: release or release-ci}" ;;
*) echo "usage: release/build.sh [--profile release|release-ci]" >&2; exit 2 ;;
esac

target="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
export CARGO_TARGET_DIR="$target"
built="$target/$profile"
stage="$target/release-stage"
dist="$root/dist"
version="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')"
IFS=. read -r major minor _ <<<"$version"
# The SONAME carries the part of the version that changes with the ABI: MAJOR from 1.0 on,
# 0.MINOR before (Cargo's semver: 0.1.x are compatible with each other, 0.2.0 is not).
if ((major == 0)); then abi="0.$minor"; else abi="$major"; fi
soname="libvoicecode.so.$abi"
triple=x86_64-linux-gnu
started=$SECONDS

step() { printf '\n==> release: %s (%ss)\n' "$*" $((SECONDS - started)); }
# Rust builds take the machine's idle time only: other builds share its cores.
nice_run() { nice -n 10 "$@"; }

python3 release/check_versions.py
rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage"

# --- tools: maturin in its own venv, @napi-rs/cli from bindings-node's lock -------------------
step "tools"
tools="$target/release-tools"
if [[ ! -x "$tools/bin/maturin" ]]; then
    python3 -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2"
fi
if [[ ! -x bindings-node/node_modules/.bin/napi ]]; then
    (cd bindings-node && npm install --no-audit --no-fund --loglevel=error)
fi
command -v mvn >/dev/null || { echo "release: Maven (mvn) is needed for the jar" >&2; exit 1; }

# --- C: libvoicecode, the header, pkg-config, the CLI -------------------------------------
step "libvoicecode ($profile, SONAME $soname) and the voicecode command"
# `cargo rustc` passes the SONAME to this crate's link only; a plain `cargo build` keeps the
# unversioned library that the uninstalled -L target/... builds of ffi-c/README.md load.
nice_run cargo rustc --quiet --locked --profile "$profile" -p voicecode-ffi --lib -- \
    -C link-arg=-Wl,-soname,"$soname"
nice_run cargo build --quiet --locked --profile "$profile" -p voicecode-cli --bin voicecode
python3 release/check_versions.py --lib "$built/libvoicecode.so"

name="voicecode-$version-$triple"
c="$stage/$name"
install -d "$c/lib/pkgconfig" "$c/include" "$c/bin"
install -m 755 "$built/libvoicecode.so" "$c/lib/libvoicecode.so.$version"
ln -s "libvoicecode.so.$version" "$c/lib/$soname"
ln -s "$soname" "$c/lib/libvoicecode.so"
# The archive keeps its symbols (a static link needs them) and drops the debug sections that
# the precompiled standard library brings: half the size.
strip --strip-debug -o "$c/lib/libvoicecode.a" "$built/libvoicecode.a"
install -m 644 include/voicecode.h "$c/include/voicecode.h"
# ${pcfiledir} makes the file relocatable: the prefix is wherever the tarball was unpacked.
# shellcheck disable=SC2016 # the literal ${pcfiledir} is for pkg-config
sed -e 's|@PREFIX@|${pcfiledir}/../..|' -e "s|@VERSION@|$version|" ffi-c/voicecode.pc.in \
    >"$c/lib/pkgconfig/voicecode.pc"
install -m 755 "$built/voicecode" "$c/bin/voicecode"
install -m 644 LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$c/"
sed -e "s/@VERSION@/$version/g" -e "s/@SONAME@/$soname/g" -e "s/@SERIES@/$abi.x/g" release/tarball-README.md >"$c/README.md"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$dist/$name.tar.gz" "$name"

# --- Python: the abi3 wheel and the sdist --------------------------------------------------
step "Python wheel (abi3) and sdist"
# maturin audits the wheel as auditwheel does and tags it with the oldest manylinux policy its
# glibc symbol versions allow; the tag is printed below and the install test checks its form.
nice_run "$tools/bin/maturin" build --quiet --locked --profile "$profile" \
    -m bindings-python/Cargo.toml -o "$dist"
"$tools/bin/maturin" sdist -m bindings-python/Cargo.toml -o "$dist"

# --- Node: the main package and this machine's platform package -----------------------------
step "npm packages (napi-rs layout)"
(cd bindings-node && nice_run node_modules/.bin/napi build --platform --profile "$profile" \
    --output-dir build --js binding.js --dts index.d.ts >/dev/null)
diff -u bindings-node/index.d.ts bindings-node/build/index.d.ts ||
    { echo "release: bindings-node/index.d.ts is stale" >&2; exit 1; }
node release/npm-packages.mjs bindings-node "$stage/npm" LICENSE-MIT LICENSE-APACHE
for package in "$stage"/npm/*/; do
    (cd "$package" && npm pack --silent --pack-destination "$dist" >/dev/null)
done

# --- PHP: the composer package --------------------------------------------------------------
step "PHP composer package"
php_stage="$stage/php"
install -d "$php_stage"
cp -r bindings-php/composer.json bindings-php/README.md bindings-php/src bindings-php/examples \
    LICENSE-MIT LICENSE-APACHE "$php_stage/"
(cd "$php_stage" && zip -q -r -X "$dist/voicecode-php-$version.zip" .)

# --- Java: the jar, with libvoicecode under JNA's resource path -----------------------------
step "Java jar"
mvn -B -ntp -q -Dstyle.color=never -f bindings-java/pom.xml package -Dmaven.test.skip=true
jar_stage="$stage/jar"
install -d "$jar_stage/linux-x86-64"
cp "bindings-java/target/voicecode-$version.jar" "$dist/voicecode-$version.jar"
# JNA looks for libvoicecode on jna.library.path, then the system's paths, then the class
# path under linux-x86-64/: with it bundled, the jar works alone.
install -m 755 "$built/libvoicecode.so" "$jar_stage/linux-x86-64/libvoicecode.so"
install -m 644 LICENSE-MIT LICENSE-APACHE "$jar_stage/"
jar --update --file "$dist/voicecode-$version.jar" -C "$jar_stage" .

# --- sums and sizes -------------------------------------------------------------------------
step "SHA256SUMS"
(cd "$dist" && sha256sum -- * >SHA256SUMS && cat SHA256SUMS)

printf '\nartefacts in dist/ (%s profile, %ss):\n' "$profile" $((SECONDS - started))
(cd "$dist" && ls -l --block-size=K -- * | awk '{ printf "  %8s  %s\n", $5, $9 }')
printf 'inside them:\n'
for file in "$c/lib/libvoicecode.so.$version" "$c/lib/libvoicecode.a" "$c/bin/voicecode" \
    "$stage"/npm/*/*.node; do
    printf '  %8s  %s\n' "$(($(stat -c %s "$file") / 1024))K" "${file#"$stage/"}"
done
