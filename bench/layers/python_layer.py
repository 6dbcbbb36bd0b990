"""The Python binding under ``bench/run.sh``: one client per vendor from the simulator's
configs, each part appending JSON lines to the results file.

    python python_layer.py loopback|memory|overhead|asyncio|threads RESULTS SECONDS CONFIG_DIR [EXTRA]
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
import timeit
from pathlib import Path
from typing import Any

import voicecode

CALLEE = "+8613800138000"
CODE = "4821"


def record(results: str, entry: dict[str, Any]) -> None:
    print(json.dumps(entry))
    with open(results, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def rate(seconds: float, work: Any) -> float:
    for _ in range(20):
        work()
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        work()
        calls += 1
    return calls / (time.perf_counter() - started)


def with_asyncio(client: voicecode.Client, n: int, seconds: float) -> tuple[int, int]:
    async def run() -> tuple[int, int]:
        deadline = time.perf_counter() + seconds
        done = failed = 0

        async def caller() -> None:
            nonlocal done, failed
            while time.perf_counter() < deadline:
                try:
                    await client.send_code_async(CALLEE, CODE)
                    ok = True
                except voicecode.VoiceCodeError:
                    ok = False
                if time.perf_counter() > deadline:
                    break  # only sends completed inside the window count
                done, failed = (done + 1, failed) if ok else (done, failed + 1)

        await asyncio.gather(*(caller() for _ in range(n)))
        return done, failed

    return asyncio.run(run())


def with_threads(client: voicecode.Client, n: int, seconds: float) -> tuple[int, int]:
    deadline = time.perf_counter() + seconds
    counts = [[0, 0] for _ in range(n)]

    def caller(mine: list[int]) -> None:
        while time.perf_counter() < deadline:
            try:
                client.send_code(CALLEE, CODE)
                ok = True
            except voicecode.VoiceCodeError:
                ok = False
            if time.perf_counter() > deadline:
                break  # only sends completed inside the window count
            mine[0 if ok else 1] += 1

    threads = [threading.Thread(target=caller, args=(c,)) for c in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def main() -> None:
    part, results, seconds, config_dir = sys.argv[1:5]
    extra = sys.argv[5] if len(sys.argv) > 5 else ""
    duration = float(seconds)

    def client(vendor: str) -> voicecode.Client:
        return voicecode.Client.from_file(Path(config_dir, f"{vendor}.json"))

    if part == "loopback":
        for vendor in ("huawei", "ihuyi"):
            c = client(vendor)
            per_s = rate(duration, lambda c=c: c.send_code(CALLEE, CODE))
            record(
                results,
                {
                    "part": "loopback",
                    "vendor": vendor,
                    "layer": "python",
                    "per_s": per_s,
                },
            )
    elif part == "overhead":
        c = client("huawei")

        def invalid() -> None:
            try:
                c.send_code("not a phone", CODE)
            except voicecode.InvalidInput:
                return
            raise AssertionError("accepted an invalid phone")

        timer = timeit.Timer(invalid)
        number, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=number)) / number
        record(results, {"part": "overhead", "layer": "python", "ns": best * 1e9})
    elif part in ("asyncio", "threads"):
        c = client("huawei")
        run = with_asyncio if part == "asyncio" else with_threads
        for n in map(int, extra.split(",")):
            done, failed = run(c, n, duration)
            elapsed = duration  # the window: sends completed after it are not counted
            record(
                results,
                {
                    "part": "concurrency",
                    "layer": f"python-{part}",
                    "in_flight": n,
                    "per_s": done / elapsed,
                    "errors": failed,
                },
            )
    elif part == "memory":
        c = client("huawei")
        sends = int(extra)
        samples = []
        for i in range(1, sends + 1):
            c.send_code(CALLEE, CODE)
            if i % max(sends // 10, 1) == 0:
                samples.append([i, rss_kib()])
        record(results, {"part": "memory", "layer": "python", "samples": samples})
    else:
        raise SystemExit(f"unknown part {part}")


if __name__ == "__main__":
    main()
