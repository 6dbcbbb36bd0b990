#!/usr/bin/env python3
"""Checks a layer's output of the secrets test: no secret (one per line of SECRETS) in any of
the OUTPUT files, and the logs (LOG, standard error with VOICECODE_LOG=trace) real ones.

    check_output.py SECRETS LOG OUTPUT...
"""

import sys
from pathlib import Path

secrets_file, log_file, *outputs = sys.argv[1:]
secrets = [s for s in Path(secrets_file).read_text(encoding="utf-8").splitlines() if s]
if len(set(secrets)) != 8:
    sys.exit(f"expected 8 distinct secrets (six vendors', the wrong one, the verifier's), got {secrets}")
log = Path(log_file).read_text(encoding="utf-8", errors="replace")
for marker in ["[DEBUG voicecode::client]", "[WARN voicecode::client]", "[TRACE "]:
    if marker not in log:
        sys.exit(f"the log has no {marker!r} line: is VOICECODE_LOG=trace on?")
leaks = []
for path in [log_file, *outputs]:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    leaks += [f"{path}: {secret}" for secret in secrets if secret in text]
if leaks:
    sys.exit("secrets leaked:\n" + "\n".join(leaks))
print(f"secrets: {len(secrets)} secrets, none in {len(outputs)} output file(s) or {len(log.splitlines())} log lines")
