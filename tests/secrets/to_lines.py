#!/usr/bin/env python3
"""Writes tests/secrets/scenario.json as lines a C program reads without a JSON parser:

    secret_key <vendor> <key>     (a vendor with no secret gets "secret_key <vendor> -")
    operation <vendor> <operation>
    fault <name>
    timeout_ms <n>
    wrong_secret <text>
    verifier_secret <text>
"""

import json
from pathlib import Path

scenario = json.loads(Path(__file__).with_name("scenario.json").read_text(encoding="utf-8"))
for vendor, keys in scenario["secret_keys"].items():
    for key in keys or ["-"]:
        print("secret_key", vendor, key)
for vendor, operations in scenario["operations"].items():
    for operation in operations:
        print("operation", vendor, operation)
for fault in scenario["faults"]:
    print("fault", fault)
for name in ["timeout_ms", "wrong_secret", "verifier_secret"]:
    print(name, scenario[name])
