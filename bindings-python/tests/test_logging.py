"""The core's log records arrive in Python's logging under the ``voicecode`` logger, without
secrets."""

from __future__ import annotations

import logging

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode.testing import Simulator


def test_requests_and_failures_are_logged_under_voicecode_without_secrets(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="voicecode")
    config = sim.config("cloud10658")  # the vendor that sends its key in every form
    client = voicecode.Client(config)
    client.send_code(MOBILE, CODE)
    sim.inject("cloud10658", "http_5xx_html")
    with pytest.raises(voicecode.Protocol):
        client.send_code(MOBILE, CODE)
    records = [r for r in caplog.records if r.name.startswith("voicecode")]
    assert records, "the core logged nothing"
    assert all(r.name.startswith("voicecode.") for r in records)
    assert any(r.levelno == logging.DEBUG and "send_code" in r.getMessage() for r in records)
    assert any(r.levelno == logging.WARNING for r in records)
    text = "\n".join(r.getMessage() for r in records)
    assert config["app_key"] not in text


def test_logging_levels_set_after_import_apply_to_new_clients(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="voicecode")
    voicecode.Client(sim.config("ihuyi")).send_code(MOBILE, CODE)
    assert not [r for r in caplog.records if r.name.startswith("voicecode")]
    caplog.set_level(logging.DEBUG, logger="voicecode")
    voicecode.Client(sim.config("ihuyi")).send_code(MOBILE, CODE)
    assert [r for r in caplog.records if r.name.startswith("voicecode")]


def test_async_calls_log_too(sim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    caplog.set_level(logging.DEBUG, logger="voicecode")
    voicecode.refresh_logging()
    client = voicecode.Client(sim.config("ihuyi"))

    async def send() -> None:
        await client.send_code_async(MOBILE, CODE)

    asyncio.run(send())
    assert any("ihuyi send_code" in r.getMessage() for r in caplog.records)
