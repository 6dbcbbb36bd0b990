"""``voicecode.Verifier``: the core's verification lifecycle from Python, against the simulator.

The "phone" is the simulator: ``sim.last_code(to)`` is what the called number heard. Stores are
real: memory, an SQLite file in the test's directory, and a ``redis-server`` of the test's own
on 127.0.0.1 (never skipped in CI; outside CI, ``VOICECODE_SKIP_REDIS=1`` skips on purpose).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import voicecode
from conftest import MOBILE
from voicecode.testing import Simulator

E164 = f"+86{MOBILE}"
SECRET = "python-verifier-secret-0123456789"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def verifier_for(sim: Simulator, **config: Any) -> voicecode.Verifier:
    client = voicecode.Client(sim.config("ihuyi"))
    return voicecode.Verifier(client, {"secret": SECRET, **config})


def heard(sim: Simulator, to: str = MOBILE) -> str:
    """The code the simulated phone was called with."""
    code = sim.last_code(to)
    assert code is not None, f"no call reached {to}"
    return code


def another_code(code: str) -> str:
    """A code of the same length that is not ``code``."""
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


def mobile(i: int) -> str:
    return f"1390013{i:04d}"


# --- a real redis-server of the test's own -------------------------------------------------


def _redis_binary() -> str:
    ci = os.environ.get("CI", "") not in ("", "false")
    if os.environ.get("VOICECODE_SKIP_REDIS") == "1":
        if ci:
            pytest.fail("VOICECODE_SKIP_REDIS=1 is refused in CI: the Redis store must be tested")
        pytest.skip("VOICECODE_SKIP_REDIS=1")
    found = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.path.isfile(p)),
        None,
    )
    if found is None:
        pytest.fail(
            "the Redis store tests need redis-server: apt-get install -y redis-server "
            "(tests/run.sh does), or set VOICECODE_SKIP_REDIS=1 outside CI"
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(7) == b"+PONG\r\n"
    except OSError:
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stops the server by its PID and waits for it."""
    if server.poll() is None:
        os.kill(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.wait()


def test_without_redis_server_the_redis_tests_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    monkeypatch.setattr(os.path, "isfile", lambda _: False)
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("VOICECODE_SKIP_REDIS", raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y redis-server"):
        _redis_binary()
    monkeypatch.setenv("VOICECODE_SKIP_REDIS", "1")  # and it cannot be skipped there
    with pytest.raises(pytest.fail.Exception, match="refused in CI"):
        _redis_binary()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """``redis://127.0.0.1:PORT/0`` of a fresh redis-server: no persistence, a temporary dir."""
    binary = _redis_binary()
    for attempt in range(5):
        port = _free_port()
        workdir = tmp_path / f"redis-{attempt}"
        workdir.mkdir()
        # On loopback only, without persistence.
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        server = subprocess.Popen(
            [binary, "--port", str(port), "--dir", str(workdir), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and server.poll() is None:
            if _answers_ping(port):
                break
            time.sleep(0.02)
        if server.poll() is None and _answers_ping(port):
            try:
                yield f"redis://127.0.0.1:{port}/0"
            finally:
                _stop(server)
            return
        # Most likely another process took the port between bind and start: try another.
        _stop(server)
    pytest.fail("redis-server did not start on 127.0.0.1")


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each kind of store, as the ``store`` config value."""
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'codes.db'}"
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_url")
        return url
    return "memory"


@pytest.fixture(params=["sqlite", "redis"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several verifiers (processes, machines) can share."""
    if request.param == "sqlite":
        return f"sqlite:{tmp_path / 'shared.db'}"
    url: str = request.getfixturevalue("redis_url")
    return url


# --- the lifecycle --------------------------------------------------------------------------


def test_a_started_verification_is_approved_once_with_the_code_the_phone_heard(
    sim: Simulator,
) -> None:
    verifier = verifier_for(sim)
    before = datetime.datetime.now(datetime.timezone.utc)
    verification = verifier.start(MOBILE)
    assert verification.to == E164
    assert verification.status == "sent"
    assert not verification.may_have_been_sent
    assert verification.error is None
    assert verification.receipt is not None
    assert verification.receipt.vendor == "ihuyi"
    assert verification.max_attempts == 5
    assert verification.unverified_starts == 1
    assert verification.expires_at.tzinfo is not None
    ttl = (verification.expires_at - before).total_seconds()
    assert 595 <= ttl <= 605, ttl
    assert sim.count("ihuyi", "send_code") == 1

    code = heard(sim)
    assert len(code) == 6 and code.isdigit()
    check = verifier.check(MOBILE, code)
    assert check.status == "approved"
    assert check.approved
    assert check
    assert check.attempts_left is None
    assert check.to_dict() == {"status": "approved", "channel": "voice"}

    again = verifier.check(E164, code)  # the number written either way
    assert again.status == "not_found"
    assert not again
    assert again != check


def test_a_wrong_code_says_how_many_attempts_are_left_and_then_locks(sim: Simulator) -> None:
    verifier = verifier_for(sim, max_attempts=3)
    verifier.start(MOBILE)
    code = heard(sim)
    first = verifier.check(MOBILE, another_code(code))
    assert (first.status, first.attempts_left, first.approved, bool(first)) == (
        "wrong_code",
        2,
        False,
        False,
    )
    assert first.to_dict() == {"status": "wrong_code", "attempts_left": 2}
    assert repr(first) == "Check(status='wrong_code', attempts_left=2)"
    assert verifier.check(MOBILE, another_code(code)).attempts_left == 1
    statuses = [verifier.check(MOBILE, c).status for c in (another_code(code), code)]
    assert statuses[1] == "too_many_attempts", statuses  # even the right code, once locked


def test_checks_compare_by_status_and_attempts_and_hash_alike(sim: Simulator) -> None:
    verifier = verifier_for(sim)
    for to in (mobile(1), mobile(2)):
        verifier.start(to)
    a = verifier.check(mobile(1), another_code(heard(sim, mobile(1))))
    b = verifier.check(mobile(2), another_code(heard(sim, mobile(2))))
    c = verifier.check(mobile(2), another_code(heard(sim, mobile(2))))
    assert a == b and hash(a) == hash(b)
    assert b != c  # attempts_left differs
    assert len({a, b, c}) == 2
    assert a != "wrong_code"


def test_a_canceled_verification_refuses_even_the_right_code(sim: Simulator) -> None:
    verifier = verifier_for(sim)
    verifier.start(MOBILE)
    code = heard(sim)
    verifier.cancel(MOBILE)
    check = verifier.check(MOBILE, code)
    assert check.status == "canceled"
    assert not check


def test_an_unreadable_record_fails_closed_until_cleared(sim: Simulator, tmp_path: Path) -> None:
    db = tmp_path / "codes.db"
    verifier = verifier_for(sim, store=f"sqlite:{db}")
    verifier.start(MOBILE)
    code = heard(sim)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE voicecode_records SET value = 'not json {'")
    for call in (
        lambda: verifier.start(MOBILE),
        lambda: verifier.check(MOBILE, code),
        lambda: verifier.cancel(MOBILE),
    ):
        with pytest.raises(voicecode.StoreUnavailable) as failed:
            call()
        assert failed.value.outcome == "not_sent"
        assert "verify clear" in str(failed.value) and code not in str(failed.value)
    assert sim.count("ihuyi", "send_code") == 1
    verifier.clear(MOBILE)
    verifier.start(MOBILE)  # the cleared record's cooldown is gone too
    assert verifier.check(MOBILE, heard(sim)).approved
    assert sim.count("ihuyi", "send_code") == 2


def test_a_second_start_within_the_cooldown_is_rate_limited_with_retry_after(
    sim: Simulator,
) -> None:
    verifier = verifier_for(sim, cooldown_secs=60)
    verifier.start(MOBILE)
    with pytest.raises(voicecode.RateLimited) as limited:
        verifier.start(MOBILE)
    assert limited.value.outcome == "not_sent"
    assert limited.value.retry_after is not None and 0 < limited.value.retry_after <= 60
    assert sim.count("ihuyi", "send_code") == 1


def test_the_caller_key_is_counted_against_the_key_caps(sim: Simulator) -> None:
    verifier = verifier_for(sim, key_hourly_cap=1)
    verifier.start(mobile(1), key="203.0.113.7")
    with pytest.raises(voicecode.RateLimited) as limited:
        verifier.start(mobile(2), key="203.0.113.7")
    assert limited.value.retry_after is not None and limited.value.retry_after > 0
    verifier.start(mobile(2), key="198.51.100.1")
    assert sim.count("ihuyi", "send_code") == 2


def test_quiet_hours_place_no_call_and_say_when_they_end(sim: Simulator) -> None:
    now = datetime.datetime.now(SHANGHAI)
    window = f"{now - datetime.timedelta(hours=1):%H:%M}-{now + datetime.timedelta(hours=1):%H:%M}"
    verifier = verifier_for(sim, quiet_hours=window)
    with pytest.raises(voicecode.QuietHours) as quiet:
        verifier.start(MOBILE)
    assert quiet.value.retry_after is not None
    assert 3000 < quiet.value.retry_after <= 3660
    assert sim.journal() == []


def test_send_options_reach_the_vendor(sim: Simulator) -> None:
    verifier = voicecode.Verifier(
        voicecode.Router([sim.config("huawei")]), {"secret": SECRET, "code_length": 4}
    )
    verification = verifier.start(MOBILE, play_times=2, user_data="order-17")
    assert verification.receipt is not None and verification.receipt.vendor == "huawei"
    assert len(heard(sim)) == 4
    with pytest.raises(voicecode.InvalidInput) as caught:
        voicecode.Verifier([sim.config("ytx")], {"secret": SECRET}).start(
            mobile(1), play_times=9
        )  # ytx plays 1 to 3 times
    assert caught.value.field == "play_times"
    assert sim.count("ytx", "send_code") == 0


def test_a_refused_send_gives_the_reservation_back(sim: Simulator) -> None:
    verifier = verifier_for(sim)
    sim.set_balance("ihuyi", 0)
    with pytest.raises(voicecode.InsufficientBalance):
        verifier.start(MOBILE)
    sim.set_balance("ihuyi", 10)
    assert verifier.start(MOBILE).status == "sent"  # no cooldown: no call was placed


def test_a_send_with_an_unknown_outcome_keeps_the_code_valid(sim: Simulator) -> None:
    client = voicecode.Client({**sim.config("ihuyi"), "timeout_ms": 300})
    verifier = voicecode.Verifier(client, {"secret": SECRET})
    sim.inject("ihuyi", "hang")
    verification = verifier.start(MOBILE, code="482193")
    assert verification.status == "may_have_been_sent"
    assert verification.may_have_been_sent
    assert verification.receipt is None
    assert isinstance(verification.error, voicecode.Timeout)
    assert verification.error.outcome == "unknown"
    assert verification.to_dict()["error"]["kind"] == "timeout"
    assert "482193" not in repr(verification)
    with pytest.raises(voicecode.RateLimited):  # not resent: the phone may be ringing
        verifier.start(MOBILE)
    assert verifier.check(MOBILE, "482193").approved


def test_a_verifier_takes_a_router_a_client_or_a_list(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ihuyi"))
    verifiers = [
        voicecode.Verifier(client, {"secret": SECRET}),
        voicecode.Verifier(voicecode.Router([client]), {"secret": SECRET}),
        voicecode.Verifier([sim.config("huawei"), client], {"secret": SECRET}),
    ]
    assert [repr(v) for v in verifiers] == [
        "Verifier(vendors=['ihuyi'], workflow=['voice'])",
        "Verifier(vendors=['ihuyi'], workflow=['voice'])",
        "Verifier(vendors=['huawei', 'ihuyi'], workflow=['voice'])",
    ]
    for i, verifier in enumerate(verifiers):
        verifier.start(mobile(i))
    assert sim.count("ihuyi", "send_code") == 2
    assert sim.count("huawei", "send_code") == 1


# --- concurrency ----------------------------------------------------------------------------


def run_at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Runs ``call(i)`` on ``count`` threads released together; results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except BaseException as e:  # returned to the test
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_of_100_threads_checking_the_right_code_exactly_one_is_approved(
    sim: Simulator, store: str
) -> None:
    verifier = verifier_for(sim, store=store)
    verifier.start(MOBILE)
    code = heard(sim)
    results = run_at_once(100, lambda _: verifier.check(MOBILE, code))
    assert all(isinstance(r, voicecode.Check) for r in results), results
    statuses = Counter(r.status for r in results)
    assert statuses == {"approved": 1, "not_found": 99}, statuses


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_of_50_threads_starting_one_number_exactly_one_places_a_call(
    sim: Simulator, tmp_path: Path, kind: str
) -> None:
    store = "memory" if kind == "memory" else f"sqlite:{tmp_path / 'codes.db'}"
    verifier = verifier_for(sim, store=store)
    results = run_at_once(50, lambda _: verifier.start(MOBILE))
    started = [r for r in results if isinstance(r, voicecode.Verification)]
    limited = [r for r in results if isinstance(r, voicecode.RateLimited)]
    assert len(started) == 1, results
    assert len(limited) == 49, results
    assert all(e.retry_after is not None and e.retry_after > 0 for e in limited)
    assert sim.count("ihuyi", "send_code") == 1


def test_two_verifiers_sharing_a_store_start_in_one_and_check_in_the_other(
    sim: Simulator, shared_store: str
) -> None:
    web = verifier_for(sim, store=shared_store)
    worker = verifier_for(sim, store=shared_store)
    web.start(MOBILE)
    with pytest.raises(voicecode.RateLimited):  # the cooldown is shared too
        worker.start(MOBILE)
    code = heard(sim)
    assert worker.check(MOBILE, another_code(code)).attempts_left == 4
    assert worker.check(MOBILE, code).approved
    assert web.check(MOBILE, code).status == "not_found"
    assert sim.count("ihuyi", "send_code") == 1


def test_a_verifier_with_another_secret_does_not_accept_the_code(
    sim: Simulator, tmp_path: Path
) -> None:
    store = f"sqlite:{tmp_path / 'codes.db'}"
    verifier_for(sim, store=store).start(MOBILE)
    other = voicecode.Verifier(
        voicecode.Client(sim.config("ihuyi")), {"secret": SECRET[::-1], "store": store}
    )
    assert other.check(MOBILE, heard(sim)).status == "wrong_code"


def test_the_redis_store_is_unavailable_when_the_server_is_gone(sim: Simulator) -> None:
    port = _free_port()  # nothing listens there
    with pytest.raises(voicecode.StoreUnavailable):
        verifier = verifier_for(sim, store=f"redis://127.0.0.1:{port}/0")
        verifier.start(MOBILE)
    assert sim.journal() == []


LATENCY_MS = 100


@pytest.fixture
def slow_sim() -> Iterator[Simulator]:
    with Simulator(balances={"ihuyi": 10_000}) as simulator:
        simulator.inject("ihuyi", "latency", ms=LATENCY_MS)
        yield simulator


def test_asyncio_checks_gathered_at_once_approve_exactly_one(sim: Simulator) -> None:
    verifier = verifier_for(sim)

    async def main() -> list[voicecode.Check]:
        verification = await verifier.start_async(MOBILE)
        assert verification.status == "sent"
        code = heard(sim)
        wrong = await verifier.check_async(MOBILE, another_code(code))
        assert wrong.attempts_left == 4
        return list(await asyncio.gather(*(verifier.check_async(MOBILE, code) for _ in range(64))))

    checks = asyncio.run(main())
    assert Counter(c.status for c in checks) == {"approved": 1, "not_found": 63}


def test_asyncio_cancel_and_errors(sim: Simulator) -> None:
    verifier = verifier_for(sim)

    async def main() -> voicecode.Check:
        await verifier.start_async(MOBILE)
        with pytest.raises(voicecode.RateLimited) as limited:
            await verifier.start_async(MOBILE)
        assert limited.value.retry_after is not None and limited.value.retry_after > 0
        await verifier.cancel_async(MOBILE)
        with pytest.raises(voicecode.InvalidInput) as bad:
            await verifier.check_async(MOBILE, "")
        assert bad.value.field == "code"
        return await verifier.check_async(MOBILE, heard(sim))

    assert asyncio.run(main()).status == "canceled"
    assert sim.count("ihuyi", "send_code") == 1


def test_async_starts_overlap_and_leave_the_event_loop_free(slow_sim: Simulator) -> None:
    verifier = verifier_for(slow_sim)
    tasks = 32

    async def main() -> tuple[float, int, list[voicecode.Verification]]:
        await verifier.start_async(mobile(9999))  # warm-up, not timed
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        verifications = await asyncio.gather(
            *(verifier.start_async(mobile(i)) for i in range(tasks))
        )
        elapsed = time.perf_counter() - started
        done.set()
        await ticking
        return elapsed, ticks, list(verifications)

    elapsed, ticks, verifications = asyncio.run(main())
    assert all(v.status == "sent" for v in verifications)
    assert slow_sim.count("ihuyi", "send_code") == tasks + 1
    # One after the other they would take 3.2 s.
    assert elapsed < 1.0, f"{tasks} async starts took {elapsed:.2f} s"
    # The loop ran its other task all the while the starts waited on the vendor.
    assert ticks >= 10, f"the event loop ran the ticker only {ticks} times in {elapsed:.2f} s"


def test_a_blocking_start_releases_the_gil_while_it_waits(slow_sim: Simulator) -> None:
    verifier = verifier_for(slow_sim)
    verifier.start(mobile(1))  # the pool's first connection, not measured
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        before = ticks
        verifier.start(mobile(2))
        during = ticks - before
    finally:
        stop.set()
        counter.join()
    # A pure-Python loop runs ~10^5 to 10^7 times in 0.1 s when the GIL is free.
    assert during > 10_000, f"the other thread ran only {during} times during a start"


# --- bad input ------------------------------------------------------------------------------

Raised = type[BaseException] | tuple[type[BaseException], ...]
BAD_CALLS: list[tuple[str, dict[str, Any], Raised, str]] = [
    # (method, arguments, exception, the field it names)
    ("start", {"to": MOBILE, "code": ""}, voicecode.InvalidInput, "code"),
    ("start", {"to": MOBILE, "code": "48a193"}, voicecode.InvalidInput, "code"),
    ("start", {"to": MOBILE, "code": "12"}, voicecode.InvalidInput, "code"),
    ("start", {"to": "not a number"}, voicecode.InvalidInput, "to"),
    ("start", {"to": MOBILE, "play_times": 300}, voicecode.InvalidInput, "play_times"),
    ("start", {"to": MOBILE, "user_data": "x"}, voicecode.InvalidInput, "user_data"),
    ("start", {"to": MOBILE, "code": 482193}, TypeError, "code"),
    ("start", {"to": MOBILE, "key": 7}, TypeError, "key"),
    ("start", {"to": MOBILE, "play_times": "3"}, TypeError, "play_times"),
    ("start", {"to": MOBILE, "play_times": True}, TypeError, "play_times"),
    ("start", {"to": MOBILE, "return_idle_port": "yes"}, TypeError, "return_idle_port"),
    ("start", {"to": MOBILE, "colour": "red"}, TypeError, "colour"),
    ("start", {"to": 13800138000}, TypeError, "to"),
    ("check", {"to": MOBILE, "code": ""}, voicecode.InvalidInput, "code"),
    ("check", {"to": MOBILE, "code": "abcdef"}, voicecode.InvalidInput, "code"),
    ("check", {"to": MOBILE, "code": "1234567"}, voicecode.InvalidInput, "code"),
    ("check", {"to": MOBILE, "code": 482193}, TypeError, "code"),
    ("check", {"to": "", "code": "482193"}, voicecode.InvalidInput, "to"),
    ("cancel", {"to": "+1"}, voicecode.InvalidInput, "to"),
]


@pytest.mark.parametrize(("method", "arguments", "error", "field"), BAD_CALLS)
@pytest.mark.parametrize("face", ["blocking", "async"])
def test_bad_arguments_are_refused_naming_the_field_and_nothing_is_sent(
    sim: Simulator, method: str, arguments: dict[str, Any], error: Raised, field: str, face: str
) -> None:
    verifier = verifier_for(sim)

    async def call_async() -> None:
        await getattr(verifier, f"{method}_async")(**arguments)

    with pytest.raises(error) as raised:
        if face == "blocking":
            getattr(verifier, method)(**arguments)
        else:
            asyncio.run(call_async())
    if isinstance(raised.value, voicecode.VoiceCodeError):
        assert raised.value.field == field
        assert raised.value.outcome == "not_sent"
    else:
        # Python's own TypeError: the message, or the note pyo3 adds ("while processing 'to'").
        said = [str(raised.value), *getattr(raised.value, "__notes__", [])]
        assert any(f"'{field}'" in text for text in said), said
    assert sim.journal() == []


BAD_CONFIGS: list[tuple[dict[str, Any], str]] = [
    # (config, the key named)
    ({}, "secret"),
    ({"secret": "too-short"}, "secret"),
    ({"secret": SECRET, "stroe": "memory"}, "stroe"),
    ({"secret": SECRET, "store": "postgres://x"}, "store"),
    ({"secret": SECRET, "store": "sqlite:"}, "store"),
    ({"secret": SECRET, "ttl_secs": "600"}, "ttl_secs"),
    ({"secret": SECRET, "ttl_secs": 0}, "ttl_secs"),
    ({"secret": SECRET, "max_attempts": -1}, "max_attempts"),
    ({"secret": SECRET, "code_length": 9}, "code_length"),  # ihuyi speaks 4 to 6 digits
    ({"secret": SECRET, "quiet_hours": "late"}, "quiet_hours"),
    ({"secret": SECRET, "key_daily_cap": 0}, "key_daily_cap"),
]


@pytest.mark.parametrize(("config", "field"), BAD_CONFIGS)
def test_bad_configs_are_invalid_config_naming_the_key(
    sim: Simulator, config: dict[str, Any], field: str
) -> None:
    with pytest.raises(voicecode.InvalidConfig) as raised:
        voicecode.Verifier(voicecode.Client(sim.config("ihuyi")), config)
    assert raised.value.field == field
    assert SECRET not in str(raised.value) and "too-short" not in str(raised.value)
    assert sim.journal() == []


def test_channels_and_configs_of_the_wrong_kind_are_refused(sim: Simulator) -> None:
    config = {"secret": SECRET}
    with pytest.raises(TypeError):
        voicecode.Verifier("ihuyi", config)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        voicecode.Verifier(sim.config("ihuyi"), config)  # type: ignore[arg-type]  # a dict, not a list
    with pytest.raises(TypeError):
        voicecode.Verifier([sim.config("ihuyi")], SECRET)  # type: ignore[arg-type]
    with pytest.raises(voicecode.InvalidConfig) as raised:
        voicecode.Verifier([], config)
    assert raised.value.field == "channels"
    with pytest.raises(voicecode.InvalidConfig) as raised:
        voicecode.Verifier([sim.config("oneaccess")], config)  # SMS only: no voice calls
    assert raised.value.field == "vendor"
    assert sim.journal() == []


# --- secrets stay out of sight --------------------------------------------------------------


def test_no_repr_str_error_or_log_shows_the_code_or_the_secret(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="voicecode")
    code = "482193"
    verifier = verifier_for(sim)
    verification = verifier.start(MOBILE, code=code, key="203.0.113.7")
    assert heard(sim) == code
    shown = [repr(verifier), str(verifier), repr(verification), str(verification)]
    shown.append(str(verification.to_dict()))
    with pytest.raises(voicecode.RateLimited) as limited:
        verifier.start(MOBILE, code=code)
    with pytest.raises(voicecode.InvalidInput) as malformed:
        verifier.check(MOBILE, code + "0")
    with pytest.raises(voicecode.InvalidConfig) as config:
        voicecode.Verifier(voicecode.Client(sim.config("ihuyi")), {"secret": SECRET, "x": code})
    for error in (limited.value, malformed.value, config.value):
        shown += [repr(error), str(error), str(error.to_dict())]
    wrong = verifier.check(MOBILE, another_code(code))
    shown += [repr(wrong), str(wrong.to_dict())]
    assert verifier.check(MOBILE, code).approved
    shown += [r.getMessage() for r in caplog.records]
    assert any(r.name.startswith("voicecode") for r in caplog.records), "nothing was logged"
    for text in shown:
        assert code not in text, text
        assert SECRET not in text, text
        assert "203.0.113.7" not in text, text
    assert "Verification(to='+8613800138000'" in repr(verification)


# --- one verification across SMS and voice ------------------------------------------------------


def sms_then_voice(sim: Simulator, **config: Any) -> voicecode.Verifier:
    channels = [sim.config("tencent", "sms"), sim.config("huawei")]
    return voicecode.Verifier(channels, {"secret": SECRET, "cooldown_secs": 0, **config})


def test_a_verification_moves_from_sms_to_voice_with_the_one_code(sim: Simulator) -> None:
    verifier = sms_then_voice(sim)
    assert repr(verifier) == "Verifier(vendors=['tencent', 'huawei'], workflow=['sms', 'voice'])"
    first = verifier.start(MOBILE)
    assert first.channel == "sms"
    assert sim.count("tencent", "send_sms_code") == 1
    code = sim.last_code(MOBILE)
    assert code is not None

    resent = verifier.start(MOBILE)
    assert resent.channel == "voice"
    assert resent.expires_at == first.expires_at
    assert sim.count("huawei", "send_code") == 1
    assert sim.last_code(MOBILE) == code

    check = verifier.check(MOBILE, code)
    assert check.approved and check.channel == "voice"
    assert check.to_dict() == {"status": "approved", "channel": "voice"}
    assert verifier.check(MOBILE, code).status == "not_found"


def test_a_start_may_name_its_channel_and_the_workflow_is_a_setting(sim: Simulator) -> None:
    verifier = sms_then_voice(sim, workflow=["voice", "sms"])
    assert verifier.start(MOBILE).channel == "voice"
    assert verifier.start(MOBILE, channel="voice").channel == "voice"
    code = sim.last_code(MOBILE)
    assert code is not None
    assert verifier.check(MOBILE, code).channel == "voice"
    with pytest.raises(voicecode.InvalidInput) as caught:
        verifier.start(MOBILE, channel="fax")  # type: ignore[arg-type]
    assert caught.value.field == "channel"


def test_an_sms_resend_by_routers_async(sim: Simulator) -> None:
    sms = voicecode.Router([sim.config("tencent", "sms")])
    voice = voicecode.Router([sim.config("huawei")])
    verifier = voicecode.Verifier([sms, voice], {"secret": SECRET, "cooldown_secs": 0})

    async def flow() -> tuple[voicecode.Verification, voicecode.Verification]:
        return await verifier.start_async(MOBILE), await verifier.start_async(MOBILE)

    first, second = asyncio.run(flow())
    assert (first.channel, second.channel) == ("sms", "voice")
    code = sim.last_code(MOBILE)
    assert code is not None
    assert verifier.check(MOBILE, code).approved


def test_a_workflow_without_its_router_is_invalid_config(sim: Simulator) -> None:
    with pytest.raises(voicecode.InvalidConfig) as caught:
        verifier_for(sim, workflow=["sms", "voice"])
    assert caught.value.field == "workflow"
