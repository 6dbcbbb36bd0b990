#!/usr/bin/env python3
"""Checks that every manifest carries the workspace's one version.

The version is written in one place, `[workspace.package] version` in the root Cargo.toml.
Every crate takes it (`version.workspace = true`), the Python package takes it from Cargo
(`dynamic = ["version"]`, filled in by maturin), and the other manifests repeat it, so this
script compares them all with it: bindings-node/package.json and its package-lock.json,
bindings-php/composer.json, bindings-java/pom.xml, the header's VC_VERSION defines (and the
cbindgen config and Rust constants they are generated from) and, given `--lib`, what
`vc_version()` of a built libvoicecode returns.

    release/check_versions.py [--root DIR] [--lib path/to/libvoicecode.so]
    release/check_versions.py --list-files     # the files it reads, relative to the root

Exit status 0 when everything agrees, 1 with one line per disagreement otherwise.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

MANIFESTS = [
    "Cargo.toml",
    "bindings-python/pyproject.toml",
    "bindings-node/package.json",
    "bindings-node/package-lock.json",
    "bindings-php/composer.json",
    "bindings-java/pom.xml",
    "include/voicecode.h",
    "ffi-c/cbindgen.toml",
    "ffi-c/src/lib.rs",
]


def crate_manifests(root: Path) -> list[str]:
    workspace = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]
    return [f"{member}/Cargo.toml" for member in workspace["members"]]


def files(root: Path) -> list[str]:
    return MANIFESTS + crate_manifests(root)


def check(root: Path, lib: Path | None) -> list[str]:
    problems: list[str] = []
    cargo = tomllib.loads((root / "Cargo.toml").read_text())
    version = cargo["workspace"]["package"]["version"]
    major, minor, patch = version.split("-")[0].split(".")

    def expect(what: str, found: object, wanted: object) -> None:
        if found != wanted:
            problems.append(f"{what} is {found!r}, not {wanted!r} (Cargo.toml)")

    for manifest in crate_manifests(root):
        package = tomllib.loads((root / manifest).read_text())["package"]
        expect(f"{manifest}: package.version", package.get("version"), {"workspace": True})

    pyproject = tomllib.loads((root / "bindings-python/pyproject.toml").read_text())["project"]
    if "version" in pyproject.get("dynamic", []):
        if "version" in pyproject:
            problems.append("bindings-python/pyproject.toml: version is both dynamic and set")
    else:
        expect("bindings-python/pyproject.toml: project.version", pyproject.get("version"), version)

    package_json = json.loads((root / "bindings-node/package.json").read_text())
    expect("bindings-node/package.json: version", package_json.get("version"), version)
    lock = json.loads((root / "bindings-node/package-lock.json").read_text())
    expect("bindings-node/package-lock.json: version", lock.get("version"), version)
    expect(
        'bindings-node/package-lock.json: packages[""].version',
        lock.get("packages", {}).get("", {}).get("version"),
        version,
    )

    composer = json.loads((root / "bindings-php/composer.json").read_text())
    expect("bindings-php/composer.json: version", composer.get("version"), version)

    pom = ET.parse(root / "bindings-java/pom.xml").getroot()
    pom_version = pom.find("{http://maven.apache.org/POM/4.0.0}version")
    expect(
        "bindings-java/pom.xml: project.version",
        None if pom_version is None else pom_version.text,
        version,
    )

    header = (root / "include/voicecode.h").read_text()
    cbindgen = (root / "ffi-c/cbindgen.toml").read_text()
    lib_rs = (root / "ffi-c/src/lib.rs").read_text()

    def define(text: str, name: str) -> str | None:
        match = re.search(rf"^#define {name} (.*)$", text, re.MULTILINE)
        return match.group(1) if match else None

    def rust_const(name: str) -> str | None:
        match = re.search(rf"^pub const {name}: u32 = (\d+);$", lib_rs, re.MULTILINE)
        return match.group(1) if match else None

    expect("include/voicecode.h: VC_VERSION", define(header, "VC_VERSION"), f'"{version}"')
    # In cbindgen.toml the define ends the TOML string: `#define VC_VERSION "0.1.0""""`.
    cbindgen_define = define(cbindgen, "VC_VERSION")
    expect(
        "ffi-c/cbindgen.toml: VC_VERSION",
        cbindgen_define and cbindgen_define.removesuffix('"""'),
        f'"{version}"',
    )
    for name, part in [("MAJOR", major), ("MINOR", minor), ("PATCH", patch)]:
        expect(f"include/voicecode.h: VC_VERSION_{name}", define(header, f"VC_VERSION_{name}"), part)
        expect(f"ffi-c/src/lib.rs: VC_VERSION_{name}", rust_const(f"VC_VERSION_{name}"), part)

    if lib is not None:
        library = ctypes.CDLL(str(lib))
        library.vc_version.restype = ctypes.c_char_p
        expect(f"vc_version() of {lib}", library.vc_version().decode(), version)

    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--lib", type=Path, help="a built libvoicecode whose vc_version() to check")
    parser.add_argument("--list-files", action="store_true", help="print the files read")
    args = parser.parse_args()
    if args.list_files:
        print("\n".join(files(args.root)))
        return 0
    problems = check(args.root, args.lib)
    for problem in problems:
        print(f"version mismatch: {problem}", file=sys.stderr)
    if problems:
        return 1
    version = tomllib.loads((args.root / "Cargo.toml").read_text())["workspace"]["package"]
    print(f"every manifest says {version['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
