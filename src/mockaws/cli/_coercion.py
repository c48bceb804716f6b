"""Command-line values coerced without building a pydantic adapter when the value is plain.

Typer coerces every parameter through a pydantic TypeAdapter, and building one (and importing
pydantic to do it) costs more than most commands spend on their own work. The values a command
line nearly always carries (nothing, a string for a `str`, digits for an `int`, strings for a
`list[str]`, a `float` default) come out of that adapter unchanged or as `int(digits)`, so they
are taken as they are here; anything else (paths, choices, constraints, custom parsers, a
malformed number) goes through Typer's own coercion, built on first need, with its messages.

Typer versions without this layer (before pydantic coercion) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
except ImportError:  # an older Typer: coercion is Click's, nothing to skip
    RuntimeParam = None  # type: ignore[assignment,misc]

NOT_PLAIN = object()


def plain_value(descriptor: Any, value: Any) -> Any:
    """`value` as Typer's adapter would return it, or NOT_PLAIN when only the adapter can say."""
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return NOT_PLAIN
    annotation = descriptor.annotation
    if annotation is str and type(value) is str:
        return value
    if annotation is int and info.min is None and info.max is None:
        if type(value) is int:
            return value
        if type(value) is str and value.isascii() and value.isdigit():
            return int(value)
        return NOT_PLAIN
    if annotation is float and info.min is None and info.max is None and type(value) is float:
        return value  # a default: typed values (strings) go through the adapter
    if (
        get_origin(annotation) is list
        and get_args(annotation) == (str,)
        and isinstance(value, list | tuple)
        and all(type(item) is str for item in value)
    ):
        return list(value)
    return NOT_PLAIN


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class QuickRuntimeParam(RuntimeParam):
        """Typer's runtime coercion, with plain values taken as they are (see the module)."""

        descriptor: TypeDescriptor
        # Typer's own coercion for this parameter, once built (frozen: held in a list).
        built: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain = plain_value(self.descriptor, value)
            if plain is not NOT_PLAIN:
                return plain
            if not self.built:
                self.built.append(build_runtime_param(self.descriptor))
            return self.built[0]._coerce_value(value, param=param, ctx=ctx)


def quick_runtime_param(param: Any) -> Any:
    """The coercion for a Typer parameter: quick where this Typer coerces through pydantic."""
    if RuntimeParam is None:
        return None
    descriptor = param.type_descriptor
    return QuickRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
    )
