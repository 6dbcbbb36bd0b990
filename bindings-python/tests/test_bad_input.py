"""The bad-input corpus (``tests/corpus/bad_input.json``) through the Python API: each case is
refused as the kind it names, with ``field`` naming the key, and nothing reaches the simulator.

Requests go in as keyword arguments; where the corpus marks a case ``json_only`` (a JSON type
or key a Python signature cannot take, such as ``code=4821`` or ``colour=``), Python's own
``TypeError`` is the refusal, as for any Python function. Then the Python-only cases: None,
wrong types and huge strings in every argument."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
import voicecode
from conftest import CODE, MOBILE, SUMMARY
from voicecode import Vendor
from voicecode.testing import Simulator

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "bad_input.json"
CASES: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]


def with_sim(value: Any, url: str) -> Any:
    return json.loads(json.dumps(value).replace("@SIM@", url))


def config_bytes(case: dict[str, Any], url: str) -> bytes:
    if "text" in case:
        return str(case["text"]).replace("@SIM@", url).encode()
    if "text_base64" in case:
        return base64.b64decode(case["text_base64"])
    fill = case["fill"]
    text = fill.get("prefix", "") + fill["text"] * fill["repeat"] + fill.get("suffix", "")
    return str(text).encode()


def attempt(sim: Simulator, case: dict[str, Any], tmp: Path) -> None:
    """Does what the case says; returns only if nothing refused it."""
    what = case["what"]
    if what == "config":
        voicecode.Client(with_sim(case["config"], sim.base_url))
    elif what == "config_text":
        path = tmp / f"{case['id']}.{case['format']}"
        path.write_bytes(config_bytes(case, sim.base_url))
        voicecode.Client.from_file(path)
    else:
        client = voicecode.Client(sim.config(case["vendor"], case.get("product", "voice")))
        method = getattr(client, case["op"])
        request = case["request"]
        if isinstance(request, dict):
            method(**request)
        else:
            method(request)


def check(sim: Simulator, case: dict[str, Any], tmp: Path) -> tuple[str, str | None]:
    """How the case was refused ("typed" or "TypeError") and what is wrong, if anything."""
    try:
        attempt(sim, case, tmp)
    except voicecode.VoiceCodeError as e:
        if (e.kind, e.field, e.outcome) == (case["kind"], case["field"], "not_sent"):
            return "typed", None
        return (
            "typed",
            f"expected {case['kind']} on {case['field']}, got {e.kind} on {e.field}: {e}",
        )
    except TypeError as e:
        if case.get("json_only"):
            return "TypeError", None
        return "TypeError", f"expected {case['kind']} on {case['field']}, got TypeError: {e}"
    return "accepted", "accepted"


def test_every_bad_input_is_refused_naming_its_field_and_nothing_is_sent(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("VOICECODE_"):
            # It would fill a secret a case leaves out.
            monkeypatch.delenv(name)
    assert len(CASES) >= 200
    failures: list[str] = []
    refusals = {"typed": 0, "TypeError": 0}
    for case in CASES:
        how, problem = check(sim, case, tmp_path)
        refusals[how] = refusals.get(how, 0) + 1
        if problem:
            failures.append(f"{case['id']}: {problem}")
    journal = sim.journal()
    SUMMARY.append(
        f"bad-input corpus, Python: {len(CASES)} cases, {refusals['typed']} typed errors, "
        f"{refusals['TypeError']} TypeError (json_only), {len(failures)} failed, "
        f"{len(journal)} requests reached the simulator"
    )
    assert failures == [], "\n".join(failures)
    assert journal == []
    # The journal does see a request that is sent.
    voicecode.Client(sim.config("ihuyi")).send_code(MOBILE, CODE)
    assert sim.count("ihuyi", "send_code") == 1


HUGE = "1" * (10 * 1024 * 1024)
Raised = type[BaseException] | tuple[type[BaseException], ...]
PYTHON_ONLY: list[tuple[str, dict[str, Any], Raised, str | None]] = [
    # (method, arguments, exception, field)
    ("send_code", {"to": None, "code": CODE}, TypeError, None),
    ("send_code", {"to": MOBILE, "code": None}, TypeError, None),
    ("send_code", {"to": b"13800138000", "code": CODE}, TypeError, None),
    ("send_code", {"to": MOBILE, "code": 4821.0}, TypeError, None),
    ("send_code", {"to": [MOBILE], "code": CODE}, TypeError, None),
    ("send_code", {"to": MOBILE, "code": CODE, "play_times": True}, TypeError, None),
    (
        "send_code",
        {"to": MOBILE, "code": CODE, "play_times": 2**70},
        voicecode.InvalidInput,
        "play_times",
    ),
    ("send_code", {"to": HUGE, "code": CODE}, voicecode.InvalidInput, "to"),
    ("send_code", {"to": MOBILE, "code": HUGE}, voicecode.InvalidInput, "code"),
    ("send_code", {"to": "\ud800", "code": CODE}, (TypeError, UnicodeEncodeError), None),
    ("verify_captcha", {"token": None, "x": 1.0, "y": 1.0, "mobile": MOBILE}, TypeError, None),
    ("verify_captcha", {"token": "t", "x": "1", "y": 1.0, "mobile": MOBILE}, TypeError, None),
    (
        "verify_captcha",
        {"token": "t", "x": 1.0, "y": 1.0, "mobile": HUGE},
        voicecode.InvalidInput,
        "mobile",
    ),
    ("send_sms_code", {"mobile": MOBILE, "purpose": None, "captcha_token": "t"}, TypeError, None),
    ("send_sms_code", {"mobile": MOBILE, "purpose": 1, "captcha_token": "t"}, TypeError, None),
]


@pytest.mark.parametrize(("method", "arguments", "error", "field"), PYTHON_ONLY)
def test_none_wrong_types_and_huge_strings_are_refused_before_sending(
    sim: Simulator,
    method: str,
    arguments: dict[str, Any],
    error: Raised,
    field: str | None,
) -> None:
    vendor: Vendor = "ihuyi" if method == "send_code" else "oneaccess"
    client = voicecode.Client(sim.config(vendor))
    with pytest.raises(error) as raised:
        getattr(client, method)(**arguments)
    if field is not None:
        assert isinstance(raised.value, voicecode.VoiceCodeError)
        assert raised.value.field == field
    assert sim.journal() == []


@pytest.mark.parametrize(
    "config",
    [None, 42, "ihuyi", ["vendor", "ihuyi"], {"vendor": None}, {1: "ihuyi"}],
)
def test_configs_of_the_wrong_python_type_are_refused(sim: Simulator, config: Any) -> None:
    with pytest.raises((TypeError, voicecode.InvalidConfig)):
        voicecode.Client(config)
    assert sim.journal() == []
