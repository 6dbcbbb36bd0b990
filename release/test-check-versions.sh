#!/usr/bin/env bash
# Proves that release/check_versions.py passes on the workspace and fails when any one manifest
# disagrees: for each manifest, a temporary copy of the files it reads with only that one
# changed must be refused, with the file named.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
checker="$root/release/check_versions.py"

python3 "$checker"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t manifests < <(python3 "$checker" --list-files)
version="$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')"
IFS=. read -r major minor patch <<<"$version"
other="$major.$minor.$((patch + 1))"

fresh_copy() {
    local file
    rm -rf "$work/tree"
    for file in "${manifests[@]}"; do
        install -D -m 644 "$file" "$work/tree/$file"
    done
}

# One edit per manifest (sed expressions over the copy); each must make the check fail.
edits=(
    "Cargo.toml|s/^version = \"$version\"/version = \"$other\"/"
    "core/Cargo.toml|s/^version.workspace = true/version = \"$version\"/"
    "bindings-python/pyproject.toml|s/^dynamic = \[\"version\"\]/version = \"$other\"/"
    "bindings-node/package.json|s/\"version\": \"$version\"/\"version\": \"$other\"/"
    "bindings-node/package-lock.json|0,/\"version\": \"$version\"/s//\"version\": \"$other\"/"
    "bindings-php/composer.json|s/\"version\": \"$version\"/\"version\": \"$other\"/"
    "bindings-java/pom.xml|0,/<version>$version<\/version>/s//<version>$other<\/version>/"
    "include/voicecode.h|s/^#define VC_VERSION \"$version\"/#define VC_VERSION \"$other\"/"
    "include/voicecode.h|s/^#define VC_VERSION_PATCH $patch$/#define VC_VERSION_PATCH $((patch + 1))/"
    "ffi-c/cbindgen.toml|s/^#define VC_VERSION \"$version\"/#define VC_VERSION \"$other\"/"
    "ffi-c/src/lib.rs|s/^pub const VC_VERSION_MINOR: u32 = $minor;/pub const VC_VERSION_MINOR: u32 = $((minor + 1));/"
)

fresh_copy
python3 "$checker" --root "$work/tree" >/dev/null || { echo "the unchanged copy must pass" >&2; exit 1; }

failures=0
for edit in "${edits[@]}"; do
    file="${edit%%|*}"
    expression="${edit#*|}"
    fresh_copy
    sed -i "$expression" "$work/tree/$file"
    if cmp -s "$file" "$work/tree/$file"; then
        echo "FAILED: the edit '$expression' changed nothing in $file" >&2
        failures=$((failures + 1))
    elif python3 "$checker" --root "$work/tree" 2>"$work/stderr" >/dev/null; then
        echo "FAILED: the check passed with $file changed by '$expression'" >&2
        failures=$((failures + 1))
    elif ! grep -q "$file" "$work/stderr"; then
        echo "FAILED: the check failed without naming $file:" >&2
        cat "$work/stderr" >&2
        failures=$((failures + 1))
    else
        echo "refused as it should be: $(head -1 "$work/stderr")"
    fi
done
# The vc_version() check must fail against a library reporting another version: a stand-in
# library built from one C line.
if command -v cc >/dev/null; then
    printf 'const char *vc_version(void) { return "%s"; }\n' "$other" >"$work/vc_version.c"
    cc -shared -fPIC -o "$work/libstandin.so" "$work/vc_version.c"
    if python3 "$checker" --lib "$work/libstandin.so" 2>"$work/stderr" >/dev/null; then
        echo "FAILED: the check passed with vc_version() returning $other" >&2
        failures=$((failures + 1))
    else
        echo "refused as it should be: $(head -1 "$work/stderr")"
    fi
fi
((failures == 0))
echo "the version check refuses each of ${#edits[@]} single-manifest changes and a wrong vc_version()"
