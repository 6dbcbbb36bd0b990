#!/usr/bin/env bash
# Builds the Python package the way users install it (pip install ./bindings-python, a debug
# build) into bindings-python/.venv, then checks it: cargo fmt and clippy on the native crate,
# ruff, mypy --strict on the package, examples and tests, stubtest of the native module's stub
# against the built module, and the pytest suite against the in-process simulator, including
# the conformance tests against the vendors' official SDKs (pinned in tests/official-sdks.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

step() { printf '\n==> python: %s\n' "$*"; }

python="${PYTHON:-python3}"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    step "venv ($("$python" --version))"
    "$python" -m venv "$venv"
fi
py="$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check)

step "tools (maturin, pytest, mypy, ruff, flask for the README's receiver)"
"${pip[@]}" install --quiet "pip>=23" "maturin>=1.9.4,<2" "pytest>=8,<10" "mypy>=1.11,<3" \
    "ruff>=0.6,<1" "flask>=3,<4"

step "the vendors' official SDKs, at the versions tests/official-sdks.txt pins"
"${pip[@]}" install --quiet -r "$here/tests/official-sdks.txt"

step "Rust format and lint"
(cd "$root" && cargo fmt -p voicecode-python -- --check)
(cd "$root" && cargo clippy -p voicecode-python --all-targets --locked -- -D warnings)

step "pip install ./bindings-python (debug build)"
# The same PEP 517 build users get (maturin in an isolated build environment); the dev profile
# keeps it quick and lets debug assertions run under the tests.
MATURIN_PEP517_ARGS="--profile dev --locked" \
    "${pip[@]}" install --quiet --force-reinstall --no-deps "$here"
# The installed copy must be the one under test, not the source folder.
(cd /tmp && "$py" -c 'import voicecode, sys; assert "site-packages" in voicecode.__file__, voicecode.__file__')

step "the distributable wheel is abi3 (CPython >= 3.9) and manylinux"
wheels="$root/target/python-wheels"
rm -rf "$wheels"
"$venv/bin/maturin" build --quiet --profile dev --locked -m "$here/Cargo.toml" -o "$wheels"
wheel="$(basename "$wheels"/*.whl)"
[[ "$wheel" == voicecode-*-cp39-abi3-manylinux_*.whl ]] || { echo "unexpected wheel $wheel" >&2; exit 1; }
echo "$wheel"

step "ruff"
"$venv/bin/ruff" format --check python tests examples
"$venv/bin/ruff" check python tests examples

step "mypy --strict (package, examples, tests) and stubtest (native module vs its stub)"
"$py" -m mypy --strict python/voicecode examples tests
(cd /tmp && "$py" -m mypy.stubtest voicecode._voicecode)

step "pytest"
"$py" -m pytest tests
