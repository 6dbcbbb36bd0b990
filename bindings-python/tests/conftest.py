"""Shared fixtures: a fresh simulator per test, a local receiver for vendor pushes, and a server
that captures requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from voicecode.testing import Simulator

# A mainland mobile and a code that every voice vendor accepts.
MOBILE = "13800138000"
CODE = "4821"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


@dataclass
class Push:
    path: str
    headers: list[tuple[str, str]]
    body: bytes


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers 200."""

    def __init__(self) -> None:
        self.pushes: list[Push] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.pushes.append(Push(self.path, list(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Push]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.pushes) >= count:
                    return list(self.pushes)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} pushes, got {len(self.pushes)}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


# Lines a test wants shown after the run (counts and results), whatever pytest captured.
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in SUMMARY:
        terminalreporter.write_line(line)


# --- a capturing server, for checking requests under the vendors' own signers -----------------


@dataclass
class Captured:
    method: str
    path: str
    headers: dict[str, str]  # lowercase names
    body: bytes


class Capture:
    """A server on 127.0.0.1 that records each request and answers with a fixed JSON success."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.requests: list[Captured] = []
        capture = self
        payload = json.dumps(answer).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                capture.requests.append(Captured(self.command, self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def capture_factory() -> Iterator[Callable[[dict[str, Any]], Capture]]:
    made: list[Capture] = []

    def make(answer: dict[str, Any]) -> Capture:
        made.append(Capture(answer))
        return made[-1]

    yield make
    for capture in made:
        capture.close()
