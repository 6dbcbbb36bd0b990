"""The README's examples are the files in examples/, and each of them works against the
simulator."""

from __future__ import annotations

import json
import re
import runpy
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode import callbacks
from voicecode.testing import HUAWEI_APP_SECRET, VENDOR_CODES, Simulator

HERE = Path(__file__).resolve().parent.parent
EXAMPLES = HERE / "examples"


def readme_blocks(language: str) -> list[str]:
    text = (HERE / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_every_python_block_of_the_readme_is_an_example_file_and_back() -> None:
    examples = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.py")}
    blocks = readme_blocks("python")
    for block in blocks:
        assert block in examples.values(), f"README block not in examples/:\n{block}"
    for name, text in examples.items():
        assert text in blocks, f"examples/{name} is not shown in the README"


@pytest.fixture
def in_tmp_with_ihuyi_toml(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Simulator]:
    # The README's TOML, completed with the simulator's demo account and address.
    [toml] = readme_blocks("toml")
    config = sim.config("ihuyi")
    assert {line.split(" = ")[0] for line in toml.splitlines()} <= set(config)
    lines = [f'{key} = "{value}"' for key, value in config.items()]
    (tmp_path / "ihuyi.toml").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    yield sim


def test_quickstart(in_tmp_with_ihuyi_toml: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "quickstart.py"))
    assert capsys.readouterr().out.startswith("ihuyi accepted call ")
    assert in_tmp_with_ihuyi_toml.count("ihuyi", "send_code") == 1


def test_async_send(in_tmp_with_ihuyi_toml: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "async_send.py"))
    assert capsys.readouterr().out.count("'") == 4  # two message ids
    assert in_tmp_with_ihuyi_toml.count("ihuyi", "send_code") == 2


def test_offline_test() -> None:
    runpy.run_path(str(EXAMPLES / "offline_test.py"))


def test_error_handling_follows_the_outcome(sim: Simulator) -> None:
    call_with_code: Callable[[voicecode.Client, str, str], str] = runpy.run_path(
        str(EXAMPLES / "error_handling.py")
    )["call_with_code"]
    client = voicecode.Client({**sim.config("ihuyi"), "timeout_ms": 300})
    assert call_with_code(client, MOBILE, CODE) == "calling you now"
    assert call_with_code(client, MOBILE, "1") == "please check the code"
    sim.inject("ihuyi", "hang")
    assert call_with_code(client, MOBILE, CODE) == "calling you now"  # unknown: not resent
    sim.inject("ihuyi", "reset_before_answer")
    assert call_with_code(client, MOBILE, CODE) == "calling you now"
    codes = {kind: fault for fault, _, kind in reversed(VENDOR_CODES["ihuyi"])}
    sim.inject("ihuyi", "vendor_code", code=codes["vendor_error"])
    assert call_with_code(client, MOBILE, CODE) == "the line is busy, try again in a minute"
    sim.inject("ihuyi", "vendor_code", code=codes["auth_failed"])
    with pytest.raises(voicecode.AuthFailed):
        call_with_code(client, MOBILE, CODE)
    assert sim.count("ihuyi", "send_code") == 5


def test_flask_receiver_handles_each_genuine_push_once(sim: Simulator) -> None:
    from werkzeug.serving import make_server

    create_app: Callable[..., Any] = runpy.run_path(str(EXAMPLES / "flask_receiver.py"))[
        "create_app"
    ]
    events: list[callbacks.CallEvent] = []
    got_four = threading.Event()

    def on_event(event: callbacks.CallEvent) -> None:
        events.append(event)
        if len(events) == 4:
            got_four.set()

    server = make_server("127.0.0.1", 0, app=None, threaded=True)  # type: ignore[arg-type]
    status_url = f"http://127.0.0.1:{server.server_port}/voicecode/huawei"
    server.app = create_app(status_url, HUAWEI_APP_SECRET, on_event)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        client = voicecode.Client({**sim.config("huawei"), "status_url": status_url})
        receipt = client.send_code(MOBILE, CODE)
        assert got_four.wait(5), f"received {events}"
        assert [e.event for e in events] == ["dialing", "ringing", "answered", "hangup"]
        assert {e.message_id for e in events} == {receipt.message_id}

        import urllib.error
        import urllib.request

        forged = urllib.request.Request(
            status_url, data=b'{"eventType":"callout"}', headers={"X-AKSK": "forged"}
        )
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with pytest.raises(urllib.error.HTTPError) as refused:
            direct.open(forged, timeout=5)
        assert refused.value.code == 401
    finally:
        server.shutdown()
        thread.join()
    assert len(events) == 4


def test_flask_signup_calls_the_number_and_approves_the_code_it_spoke(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ihuyi.json").write_text(json.dumps(sim.config("ihuyi")))
    monkeypatch.setenv("VOICECODE_CHANNEL_CONFIG", str(tmp_path / "ihuyi.json"))
    monkeypatch.setenv("VOICECODE_VERIFIER_SECRET", "flask-signup-secret-0123456789")
    monkeypatch.setenv("VOICECODE_VERIFIER_STORE", f"sqlite:{tmp_path / 'codes.db'}")
    example = runpy.run_path(str(EXAMPLES / "flask_signup.py"))
    http = example["create_app"](example["verifier_from_env"]()).test_client()

    started = http.post("/signup/start", json={"phone": MOBILE})
    assert started.status_code == 202, started.json
    assert started.json is not None and started.json["status"] == "sent"
    assert started.json["channel"] == "voice"
    again = http.post("/signup/start", json={"phone": MOBILE})
    assert again.status_code == 429
    assert again.json is not None and again.json["error"] == "rate_limited"
    assert 0 < int(again.headers["Retry-After"]) <= 60
    assert sim.count("ihuyi", "send_code") == 1

    code = sim.last_code(MOBILE)
    assert code is not None
    wrong = f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"
    refused = http.post("/signup/check", json={"phone": MOBILE, "code": wrong})
    assert (refused.status_code, refused.json) == (
        400,
        {"status": "wrong_code", "attempts_left": 4},
    )
    approved = http.post("/signup/check", json={"phone": MOBILE, "code": code})
    assert (approved.status_code, approved.json) == (200, {"status": "approved"})
    used = http.post("/signup/check", json={"phone": MOBILE, "code": code})
    assert (used.status_code, used.json) == (410, {"status": "not_found"})

    other = "13900139000"
    assert http.post("/signup/start", json={"phone": other}).status_code == 202
    other_code = sim.last_code(other)
    assert other_code is not None
    for _ in range(5):
        http.post("/signup/check", json={"phone": other, "code": wrong})
    locked = http.post("/signup/check", json={"phone": other, "code": other_code})
    assert (locked.status_code, locked.json) == (429, {"status": "too_many_attempts"})

    for path, body, field in [
        ("/signup/start", {"phone": 13800138000}, "phone"),
        ("/signup/start", {"phone": "not a number"}, "phone"),
        ("/signup/check", {"phone": MOBILE}, "code"),
        ("/signup/check", {"phone": MOBILE, "code": "12ab"}, "code"),
    ]:
        answer = http.post(path, json=body)
        assert (answer.status_code, answer.json) == (
            400,
            {"error": "invalid_input", "field": field},
        ), body
    assert sim.count("ihuyi", "send_code") == 2


def test_flask_signup_texts_first_and_calls_with_the_same_code_on_a_resend(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = [
        ("tencent-sms.json", sim.config("tencent", "sms")),
        ("ihuyi.json", sim.config("ihuyi")),
    ]
    for name, config in configs:
        (tmp_path / name).write_text(json.dumps(config))
    paths = ",".join(str(tmp_path / name) for name, _ in configs)
    monkeypatch.setenv("VOICECODE_CHANNEL_CONFIG", paths)
    monkeypatch.setenv("VOICECODE_VERIFIER_SECRET", "flask-signup-secret-0123456789")
    monkeypatch.setenv("VOICECODE_VERIFIER_STORE", f"sqlite:{tmp_path / 'codes.db'}")
    example = runpy.run_path(str(EXAMPLES / "flask_signup.py"))
    verifier = example["verifier_from_env"]()
    assert repr(verifier) == "Verifier(vendors=['tencent', 'ihuyi'], workflow=['sms', 'voice'])"

    # The same routes over a verifier without a cooldown, so the resend may follow at once.
    quick = voicecode.Verifier(
        [sim.config("tencent", "sms"), sim.config("ihuyi")],
        {"secret": "flask-signup-secret-0123456789", "cooldown_secs": 0},
    )
    http = example["create_app"](quick).test_client()
    texted = http.post("/signup/start", json={"phone": MOBILE})
    assert texted.status_code == 202 and texted.json is not None
    assert texted.json["channel"] == "sms"
    code = sim.last_code(MOBILE)
    called = http.post("/signup/start", json={"phone": MOBILE})
    assert called.status_code == 202 and called.json is not None
    assert called.json["channel"] == "voice"
    assert called.json["expires_at"] == texted.json["expires_at"]
    assert sim.last_code(MOBILE) == code
    assert (sim.count("tencent", "send_sms_code"), sim.count("ihuyi", "send_code")) == (1, 1)
    approved = http.post("/signup/check", json={"phone": MOBILE, "code": code})
    assert (approved.status_code, approved.json) == (200, {"status": "approved"})

    by_voice = http.post("/signup/start", json={"phone": "13900139005", "channel": "voice"})
    assert by_voice.json is not None and by_voice.json["channel"] == "voice"
    bad = http.post("/signup/start", json={"phone": "13900139006", "channel": "fax"})
    assert (bad.status_code, bad.json) == (400, {"error": "invalid_input", "field": "channel"})


def test_flask_signup_counts_starts_per_client_ip(sim: Simulator) -> None:
    create_app: Callable[[voicecode.Verifier], Any] = runpy.run_path(
        str(EXAMPLES / "flask_signup.py")
    )["create_app"]
    verifier = voicecode.Verifier(
        voicecode.Client(sim.config("ihuyi")),
        {"secret": "flask-signup-secret-0123456789", "key_hourly_cap": 1},
    )
    http = create_app(verifier).test_client()

    def start(phone: str, ip: str) -> int:
        answer = http.post("/signup/start", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})
        return int(answer.status_code)

    assert start("13900139001", "203.0.113.7") == 202
    assert start("13900139002", "203.0.113.7") == 429  # that IP's hourly cap
    assert start("13900139002", "198.51.100.1") == 202
    assert sim.count("ihuyi", "send_code") == 2
