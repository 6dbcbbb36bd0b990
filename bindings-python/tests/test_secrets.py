"""The secrets test (tests/secrets/scenario.json): every operation of every vendor, each under
every fault, with a wrong secret and with a config error, then the verifier — all with the
``voicecode`` logger at DEBUG, the lowest level the binding forwards — and no secret in any
exception, result, repr, log record, stdout or stderr."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.testing import Simulator

SCENARIO = json.loads(
    (Path(__file__).resolve().parents[2] / "tests" / "secrets" / "scenario.json").read_text()
)


def describe(value: object) -> str:
    """Everything a program could print of a value or an exception."""
    parts = [str(value), repr(value)]
    if isinstance(value, BaseException):
        parts += [repr(a) for a in value.args]
        parts += [repr(getattr(value, name, None)) for name in ("field", "vendor_message")]
        parts.append(repr(getattr(value, "attempts", None)))
        notes = getattr(value, "__notes__", None)
        if notes:
            parts += notes
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        parts.append(json.dumps(to_dict(), default=str))
    return "\n".join(parts)


def run(seen: list[str], call: Any) -> None:
    try:
        seen.append(describe(call()))
    except voicecode.VoiceCodeError as e:
        seen.append(describe(e))


def operate(seen: list[str], client: voicecode.Client, vendor: str) -> None:
    for operation in SCENARIO["operations"][vendor]:
        if operation == "send_code":
            run(seen, lambda: client.send_code(MOBILE, CODE))
        elif operation == "balance":
            run(seen, client.balance)
        elif operation == "captcha":
            run(seen, client.captcha)
        elif operation == "verify_captcha":
            run(seen, lambda: client.verify_captcha("token", 237.0, 5.0, MOBILE))
        elif operation == "send_sms_code":
            run(seen, lambda: client.send_sms_code(MOBILE, "login", "captcha-token"))
        else:
            raise AssertionError(f"unknown operation {operation} in scenario.json")


def test_no_secret_in_errors_results_reprs_logs_or_output(
    sim: Simulator, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="voicecode")
    voicecode.refresh_logging()
    secrets = {SCENARIO["wrong_secret"], SCENARIO["verifier_secret"]}
    seen: list[str] = []
    for vendor, keys in SCENARIO["secret_keys"].items():
        config = {**sim.config(vendor), "timeout_ms": SCENARIO["timeout_ms"]}
        secrets |= {config[key] for key in keys}
        client = voicecode.Client(config)
        seen.append(repr(client))
        operate(seen, client, vendor)
        for fault in SCENARIO["faults"]:
            sim.inject(vendor, fault, times=len(SCENARIO["operations"][vendor]))
            operate(seen, client, vendor)
            sim.clear_faults()
        for key in keys:
            operate(seen, voicecode.Client({**config, key: SCENARIO["wrong_secret"]}), vendor)
            with pytest.raises(voicecode.InvalidConfig) as bad:
                voicecode.Client({**config, "bogus": 1})
            seen.append(describe(bad.value))
            with pytest.raises(voicecode.InvalidConfig) as bad:
                voicecode.Client({**config, key: 12345})
            seen.append(describe(bad.value))

    router = voicecode.Router([sim.config("huawei"), sim.config("ytx")])
    sim.inject("huawei", "http_500")
    run(seen, lambda: router.send_code(MOBILE, CODE))
    verifier = voicecode.Verifier(router, {"secret": SCENARIO["verifier_secret"]})
    seen.append(repr(verifier))
    run(seen, lambda: verifier.start("+8613800138000"))
    run(seen, lambda: verifier.start("+8613800138000"))  # rate_limited
    run(seen, lambda: verifier.check("+8613800138000", "000000"))
    with pytest.raises(voicecode.InvalidConfig) as bad:
        voicecode.Verifier(router, {"secret": SCENARIO["verifier_secret"], "ttl": 1})
    seen.append(describe(bad.value))

    logs = "\n".join(f"{r.levelname} {r.name} {r.getMessage()}" for r in caplog.records)
    out, err = capfd.readouterr()
    assert "send_code" in logs and "WARNING" in logs, "the test must see real log records"
    assert len(secrets) == 8, secrets  # six vendors' secrets, the wrong one, the verifier's
    for text in [*seen, logs, out, err]:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into: {text[:2000]}"
