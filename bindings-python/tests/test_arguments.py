"""Wrong argument types and values are refused in Python with TypeError or InvalidInput, and
nothing reaches the vendor (the simulator's journal stays empty)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, Callable

import pytest
import voicecode
from conftest import CODE, MOBILE
from voicecode import callbacks
from voicecode.testing import Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator
        assert simulator.journal() == [], "a refused call must send nothing"


def call(client: Any, method: str, *args: Any, **kwargs: Any) -> None:
    getattr(client, method)(*args, **kwargs)


BAD_SENDS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((13800138000, CODE), {}),
    ((MOBILE, 4821), {}),
    ((MOBILE, None), {}),
    ((MOBILE,), {}),
    ((MOBILE, CODE, 3), {}),  # play_times is keyword-only
    ((MOBILE, CODE), {"play_times": "3"}),
    ((MOBILE, CODE), {"play_times": 2.0}),
    ((MOBILE, CODE), {"user_data": 7}),
    ((MOBILE, CODE), {"status_url": b"http://x"}),
    ((MOBILE, CODE), {"return_idle_port": "yes"}),
    ((MOBILE, CODE), {"staus_url": "http://x"}),  # misspelt option
]


@pytest.mark.parametrize(("args", "kwargs"), BAD_SENDS)
@pytest.mark.parametrize("method", ["send_code", "send_code_async"])
def test_wrong_types_raise_type_error_before_sending(
    sim: Simulator, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    client = voicecode.Client(sim.config("huawei"))
    router = voicecode.Router([client])

    async def in_a_loop() -> None:
        for target in (client, router):
            with pytest.raises(TypeError):
                call(target, method, *args, **kwargs)

    asyncio.run(in_a_loop())


@pytest.mark.parametrize("play_times", [-1, 256, 10**30])
def test_play_times_outside_the_type_is_invalid_input(sim: Simulator, play_times: int) -> None:
    client = voicecode.Client(sim.config("huawei"))
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.send_code(MOBILE, CODE, play_times=play_times)
    assert caught.value.field == "play_times"


def test_vendor_rules_are_the_cores_invalid_input(sim: Simulator) -> None:
    ytx = voicecode.Client(sim.config("ytx"))
    with pytest.raises(voicecode.InvalidInput) as caught:
        ytx.send_code(MOBILE, CODE, play_times=9)  # ytx plays 1 to 3 times
    assert caught.value.field == "play_times"
    ihuyi = voicecode.Client(sim.config("ihuyi"))
    with pytest.raises(voicecode.InvalidInput) as caught:
        ihuyi.send_code(MOBILE, CODE, user_data="x")  # ihuyi has no place for it
    assert caught.value.field == "user_data"
    with pytest.raises(voicecode.InvalidInput) as caught:
        ihuyi.send_code("not a number", CODE)
    assert caught.value.field == "to"


def test_oneaccess_arguments(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("oneaccess"))
    with pytest.raises(TypeError):
        client.verify_captcha("token", "237", 5.0, MOBILE)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.send_sms_code(MOBILE, None, "token")  # type: ignore[arg-type]
    with pytest.raises(voicecode.InvalidInput) as caught:
        client.send_sms_code(MOBILE, "bogus", "token")  # type: ignore[arg-type]
    assert caught.value.field == "purpose"


@pytest.mark.parametrize(
    ("config", "names"),
    [
        (None, "config"),
        ("ihuyi.toml", "config"),
        ([("vendor", "ihuyi")], "config"),
        ({"vendor": "ihuyi", "account": b"VM1", "api_key": "k"}, 'config["account"]'),
        ({"vendor": "oneaccess", "device": {"os_version": object()}}, 'config["device"]'),
        ({"vendor": "ihuyi", 1: "x"}, "keys must be str"),
        ({"vendor": "ihuyi", "account": "V", "api_key": "k", "timeout_ms": float("nan")}, "finite"),
    ],
)
def test_a_config_that_is_not_json_data_is_a_type_error(config: Any, names: str) -> None:
    with pytest.raises(TypeError) as caught:
        voicecode.Client(config)
    assert names in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"account": 5}, "account"),
        ({"timeout_ms": -1}, "timeout_ms"),
        ({"timeout_ms": True}, "timeout_ms"),
        ({"base_url": 3}, "base_url"),
    ],
)
def test_a_config_value_of_the_wrong_type_is_invalid_config(
    extra: dict[str, Any], field: str
) -> None:
    config = {"vendor": "ihuyi", "account": "VM1", "api_key": "k", **extra}
    with pytest.raises(voicecode.InvalidConfig) as caught:
        voicecode.Client(config)
    assert caught.value.field == field


def test_config_mappings_other_than_dict_are_accepted(sim: Simulator) -> None:
    from types import MappingProxyType

    client = voicecode.Client(MappingProxyType(sim.config("ihuyi")))
    assert client.vendor == "ihuyi"


@pytest.mark.parametrize(
    ("channels", "error"),
    [
        ("ihuyi", TypeError),
        ({"vendor": "ihuyi"}, TypeError),
        ([1], TypeError),
        (None, TypeError),
        ([], voicecode.InvalidConfig),
    ],
)
def test_router_channels_must_be_clients_or_configs(channels: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        voicecode.Router(channels)


BAD_PUSHES: list[Callable[[], object]] = [
    lambda: callbacks.parse("huawei", 5, b"{}"),  # type: ignore[arg-type]
    lambda: callbacks.parse("huawei", {"a": 1}, b"{}"),  # type: ignore[arg-type]
    lambda: callbacks.parse("huawei", {}, 5),  # type: ignore[arg-type]
    lambda: callbacks.HuaweiPushVerifier(None, "http://x"),  # type: ignore[arg-type]
    lambda: callbacks.verify_huawei([("X-AKSK", 1)], "http://x", "s"),  # type: ignore[list-item]
]


@pytest.mark.parametrize("bad", BAD_PUSHES)
def test_callback_helpers_check_their_argument_types(bad: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        bad()


def test_callbacks_of_a_vendor_that_sends_none_are_refused() -> None:
    with pytest.raises(voicecode.InvalidInput) as caught:
        callbacks.parse("ytx", {}, b"")
    assert caught.value.field == "vendor"
    # An unknown vendor named as an argument is bad input, as in C and Node, not bad config.
    with pytest.raises(voicecode.InvalidInput) as unknown:
        callbacks.parse("acme", {}, b"")  # type: ignore[arg-type]
    assert unknown.value.field == "vendor"


def test_async_methods_need_a_running_event_loop(sim: Simulator) -> None:
    client = voicecode.Client(sim.config("ihuyi"))
    with pytest.raises(RuntimeError):
        client.send_code_async(MOBILE, CODE)


def test_the_stub_lists_exactly_the_send_code_options_the_module_takes(sim: Simulator) -> None:
    import ast
    from pathlib import Path

    import voicecode._voicecode as native

    stub = ast.parse(Path(native.__file__).with_name("_voicecode.pyi").read_text())
    for cls in ("Client", "Router"):
        [node] = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == cls]
        for method in ("send_code", "send_code_async"):
            [fn] = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == method]
            assert [a.arg for a in fn.args.kwonlyargs] == list(native._SEND_CODE_OPTIONS)
    client = voicecode.Client(sim.config("huawei"))
    for name in native._SEND_CODE_OPTIONS:
        with pytest.raises(TypeError, match=f"argument '{name}' must be"):
            client.send_code(MOBILE, CODE, **{name: object()})  # type: ignore[arg-type]
