#!/usr/bin/env python3
"""Writes tests/corpus/bad_input.json as lines a C program reads without a JSON parser:

    id <TAB> what <TAB> vendor <TAB> op <TAB> kind <TAB> field <TAB> payload in hex <TAB> product

`payload` is the JSON text the C ABI receives (a request, a config, or a config file's
bytes); `kind` and `field` are what the C ABI answers (the case's `c_abi`, where it reads the
JSON text itself). A case the C ABI cannot receive (a TOML file: the ABI takes JSON; bytes with
a NUL: a C string ends there) is written with what `skip` and the reason in `field`, so that
the C program counts it."""

import base64
import json
import sys
from pathlib import Path

corpus = Path(__file__).with_name("bad_input.json")
cases = json.loads(corpus.read_text(encoding="utf-8"))["cases"]


def payload(case: dict) -> bytes:
    if case["what"] == "send":
        return json.dumps(case["request"], ensure_ascii=False).encode()
    if case["what"] == "config":
        return json.dumps(case["config"], ensure_ascii=False).encode()
    if "text" in case:
        return case["text"].encode()
    if "text_base64" in case:
        return base64.b64decode(case["text_base64"])
    fill = case["fill"]
    return (fill.get("prefix", "") + fill["text"] * fill["repeat"] + fill.get("suffix", "")).encode()


out = sys.stdout
for case in cases:
    data = payload(case)
    expected = case.get("c_abi", case)
    what, field = case["what"], expected["field"]
    if case["what"] == "config_text" and case["format"] != "json":
        what, field, data = "skip", "a TOML file (the C ABI takes JSON)", b""
    elif b"\0" in data:
        what, field, data = "skip", "a NUL byte (a C string ends there)", b""
    row = [
        case["id"],
        what,
        case.get("vendor", "-"),
        case.get("op", "-"),
        expected["kind"],
        field,
        data.hex(),
        case.get("product", "voice"),
    ]
    out.write("\t".join(row) + "\n")
