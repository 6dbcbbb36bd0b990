"""The exception classes against the core's own list of error kinds (``voicecode.ERROR_KINDS``,
which the native module builds from ``voicecode::ErrorKind::ALL``): a kind the core adds, or a
class added or renamed here, must not leave a kind without its exception or raise the wrong one."""

from __future__ import annotations

import inspect
import pickle
from typing import Any, cast

import pytest
import voicecode
from voicecode import errors


def defined_classes() -> list[type[errors.VoiceCodeError]]:
    """Every exception class for a kind that ``voicecode.errors`` defines, listed or not."""
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.VoiceCodeError)
        and cls is not errors.VoiceCodeError
        and cls.__module__ == errors.__name__
    ]


def test_each_core_kind_has_exactly_one_class_and_each_class_a_core_kind() -> None:
    # Lists, not sets: two classes claiming one kind must fail too.
    assert sorted(cls.kind for cls in defined_classes()) == sorted(voicecode.ERROR_KINDS)
    assert len(set(voicecode.ERROR_KINDS)) == len(voicecode.ERROR_KINDS)


def test_the_mapping_used_to_raise_holds_every_class_under_its_kind() -> None:
    assert sorted(errors.ERROR_CLASSES) == sorted(voicecode.ERROR_KINDS)
    assert sorted(c.__name__ for c in errors.ERROR_CLASSES.values()) == sorted(
        c.__name__ for c in defined_classes()
    )
    for kind, cls in errors.ERROR_CLASSES.items():
        assert cls.kind == kind
        assert cls.__name__ in voicecode.__all__


@pytest.mark.parametrize("kind", voicecode.ERROR_KINDS)
def test_the_native_modules_hook_raises_each_kinds_class(kind: str) -> None:
    # `_from_core` is what the native module calls with the core's serialised error.
    info: dict[str, Any] = {
        "kind": kind,
        "outcome": "refused",
        "vendor": "ihuyi",
        "field": None,
        "vendor_code": "4030",
        "vendor_message": "verbatim",
        "http_status": 200,
        "retryable": False,
        "message": f"a {kind} error",
        "retry_after": 30,
        "attempts": [],
    }
    error = errors._from_core(info)
    assert type(error) is errors.ERROR_CLASSES[cast(voicecode.ErrorKind, kind)]
    assert error.kind == kind
    assert error.to_dict() == info
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert again.to_dict() == info
