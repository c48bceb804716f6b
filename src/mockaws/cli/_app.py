"""The Typer application and the one place where errors become messages and exit codes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from mockaws.errors import ExitCode, MockawsError

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(function: F) -> F:
    """Run a command, turning expected errors into one line on stderr and a named exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from mockaws import ui

        try:
            return function(*args, **kwargs)
        except MockawsError as exc:
            ui.error(exc.message)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            ui.error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None

    return wrapper  # type: ignore[return-value]


class App(typer.Typer):
    """A Typer app whose commands all report errors the same way."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(function: F) -> F:
            register(handle_errors(function))
            return function

        return decorator
