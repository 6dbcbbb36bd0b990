"""Waiting on a vendor blocks neither other threads (the GIL is released) nor an event loop.

The simulator delays every answer by LATENCY; calls that waited one after the other would take
N x LATENCY, calls that overlap about one LATENCY.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
import voicecode
from conftest import CODE
from voicecode.testing import Simulator

LATENCY_MS = 100
THREADS = 32
TASKS = 256


@pytest.fixture
def slow_sim() -> Iterator[Simulator]:
    # Enough balance for every send, and the latency on every request.
    with Simulator(balances={"ihuyi": 10_000}) as sim:
        sim.inject("ihuyi", "latency", ms=LATENCY_MS)
        yield sim


def mobile(i: int) -> str:
    return f"1380013{i:04d}"


def test_threads_sharing_one_client_wait_in_parallel(slow_sim: Simulator) -> None:
    client = voicecode.Client(slow_sim.config("ihuyi"))
    client.send_code(mobile(9999), CODE)  # the pool's first connection and thread, not timed
    barrier = threading.Barrier(THREADS)
    receipts: list[voicecode.Receipt] = []
    errors: list[BaseException] = []

    def send(i: int) -> None:
        barrier.wait()
        try:
            receipts.append(client.send_code(mobile(i), CODE))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    assert errors == []
    assert len(receipts) == THREADS
    assert slow_sim.count("ihuyi", "send_code") == THREADS + 1
    # One round trip is 0.1 s; serialised by the GIL they would take 3.2 s.
    assert elapsed < 0.6, f"{THREADS} sends took {elapsed:.2f} s"


def test_python_threads_keep_running_while_a_call_waits(slow_sim: Simulator) -> None:
    client = voicecode.Client(slow_sim.config("ihuyi"))
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    counter = threading.Thread(target=count)
    counter.start()
    try:
        client.send_code(mobile(1), CODE)
        before = ticks
        client.send_code(mobile(2), CODE)
        during = ticks - before
    finally:
        stop.set()
        counter.join()
    # A pure-Python loop runs ~10^5 to 10^7 times in 0.1 s when the GIL is free.
    assert during > 10_000, f"the other thread ran only {during} times during a call"


def test_concurrent_async_sends_overlap_and_do_not_block_the_loop(slow_sim: Simulator) -> None:
    client = voicecode.Client(slow_sim.config("ihuyi"))

    async def main() -> tuple[float, list[voicecode.Receipt], int]:
        await client.send_code_async(mobile(9999), CODE)  # warm-up, not timed
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        receipts = await asyncio.gather(
            *(client.send_code_async(mobile(i), CODE) for i in range(TASKS))
        )
        elapsed = time.perf_counter() - started
        done.set()
        await ticking
        return elapsed, list(receipts), ticks

    elapsed, receipts, ticks = asyncio.run(main())
    assert len(receipts) == TASKS
    assert len({r.message_id for r in receipts}) == TASKS
    assert slow_sim.count("ihuyi", "send_code") == TASKS + 1
    # Sequentially they would take 25.6 s.
    assert elapsed < 0.5, f"{TASKS} async sends took {elapsed:.2f} s"
    # The loop kept running its other tasks while the sends were in flight.
    assert ticks >= 10, f"the event loop ran the ticker only {ticks} times in {elapsed:.2f} s"


def test_async_balance_overlaps_too(slow_sim: Simulator) -> None:
    client = voicecode.Client(slow_sim.config("ihuyi"))

    async def main() -> float:
        await client.balance_async()
        started = time.perf_counter()
        await asyncio.gather(*(client.balance_async() for _ in range(64)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    assert elapsed < 0.5, f"64 async balances took {elapsed:.2f} s"


def test_cancelling_an_async_send_leaves_the_client_usable(slow_sim: Simulator) -> None:
    client = voicecode.Client(slow_sim.config("ihuyi"))
    slow_sim.inject("ihuyi", "hang")

    async def main() -> voicecode.Receipt:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.send_code_async(mobile(1), CODE), 0.3)
        return await client.send_code_async(mobile(2), CODE)

    assert asyncio.run(main()).vendor == "ihuyi"
    assert slow_sim.count("ihuyi", "send_code") == 2


EXIT_SCRIPT = """
import asyncio, json, sys
import voicecode

client = voicecode.Client(json.loads(sys.argv[1]))
abandon = sys.argv[2] == "abandon"

async def main() -> None:
    sends = [client.send_code_async(f"1380013{i:04d}", "4821") for i in range(64)]
    if abandon:
        # Leave with the calls still in flight: their answers arrive while Python exits.
        await asyncio.wait(sends, timeout=0.005 * int(sys.argv[3]))
    else:
        await asyncio.gather(*sends)

asyncio.run(main())
"""


@pytest.mark.parametrize("abandon", [False, True])
def test_exiting_right_after_async_calls_never_crashes_the_interpreter(
    abandon: bool,
) -> None:
    # An answer handed to Python while the interpreter finalizes would abort the process
    # ("Fatal Python error: PyGILState_Release"); try the exit at many moments.
    with Simulator(balances={"ihuyi": 100_000}) as sim:
        sim.inject("ihuyi", "latency", ms=20)
        config = json.dumps(sim.config("ihuyi"))
        for attempt in range(12):
            run = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    EXIT_SCRIPT,
                    config,
                    "abandon" if abandon else "all",
                    str(attempt),
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert run.returncode == 0, run.stderr
            assert "Fatal Python error" not in run.stderr, run.stderr
