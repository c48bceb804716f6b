"""Plain command-line values skip Typer's pydantic adapter and come out exactly as it gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer._coercion import build_runtime_param, resolve_type_descriptor

from mockaws.cli._coercion import NOT_PLAIN, plain_value


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (str, "sg-vs-nacl"),
        (str, ""),
        (str, "ünïcode · text"),
        (int, "1"),
        (int, "007"),
        (int, "12345678901234567890"),
        (int, 5),
        (float, 1.0),
        (list[str], ("networking", "storage")),
        (list[str], ["a"]),
        (list[str], ()),
    ],
)
def test_a_plain_value_is_what_typer_would_make_of_it(annotation: Any, value: Any) -> None:
    descriptor = resolve_type_descriptor(annotation, typer.Option())
    expected = build_runtime_param(descriptor)._coerce_value(value, param=None, ctx=None)  # type: ignore[arg-type]
    plain = plain_value(descriptor, value)
    assert plain == expected
    assert type(plain) is type(expected)


@pytest.mark.parametrize(
    ("annotation", "option", "value"),
    [
        (int, typer.Option(), "abc"),
        (int, typer.Option(), "-3"),  # Typer's adapter decides what a sign means
        (int, typer.Option(), " 5"),
        (int, typer.Option(), "٣"),  # a digit, but not an ASCII one
        (int, typer.Option(min=1), "5"),  # a constraint is Typer's to check
        (float, typer.Option(), "1.5"),
        (Path, typer.Option(), "questions"),
        (str, typer.Option(parser=str.upper), "x"),
        (list[str], typer.Option(), ("a", 1)),
        (bool, typer.Option(), "yes"),
    ],
)
def test_anything_else_goes_through_typer(annotation: Any, option: Any, value: Any) -> None:
    assert plain_value(resolve_type_descriptor(annotation, option), value) is NOT_PLAIN
