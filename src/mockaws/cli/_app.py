"""The Typer application and the one place where errors become messages and exit codes."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from typer import Abort
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from mockaws.errors import ExitCode, MockawsError

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(function: F) -> F:
    """Run a command, turning expected errors into one line on stderr and a named exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # ui (and rich with it) is imported only when there is something to say: a command
        # that prints plain records never pays for it.
        try:
            return function(*args, **kwargs)
        except MockawsError as exc:
            from mockaws import ui

            ui.error(exc.message)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            from mockaws import ui

            ui.error("interrupted")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader closed the pipe (`| head`): what it read is what it wanted.
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    # Python flushes stdout at exit; to a closed pipe that flush would fail once more.
    with_devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(with_devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(with_devnull)


class _Group(TyperGroup):
    """The root command: a usage error is one line naming the command's help, not a box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _adopt_params(self.params)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _adopt_params(params)  # --help and the completion options are made here, on demand
        return params

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except UsageError as exc:
            from mockaws import ui

            where = exc.ctx.command_path if exc.ctx is not None else "mockaws"
            ui.error(f"{exc.format_message()} (see `{where} --help`)")
            sys.exit(int(ExitCode.BAD_INPUT))
        except Abort:
            from mockaws import ui

            ui.error("aborted")
            sys.exit(int(ExitCode.ERROR))
        sys.exit(result if isinstance(result, int) else 0)


def _quick_runtime_param(param: Any) -> Any:
    # Plain values coerced without pydantic (see `cli/_coercion.py`).
    if param._runtime_param is None:
        from mockaws.cli._coercion import quick_runtime_param

        param._runtime_param = quick_runtime_param(param)
    return param._runtime_param


class _QuickOption(TyperOption):
    get_runtime_param = _quick_runtime_param


class _PlainArgument(TyperArgument):
    """An argument shown as a man page would: `ID`, `[ID]`, `[PATH]...`, no `<str>` or `{ID}`."""

    get_runtime_param = _quick_runtime_param

    def _usage_display_name(self) -> str:
        name = self.metavar or self.display_name_raw
        if not self.required and not name.startswith("["):
            name = f"[{name}]"
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name

    def display_type_rich(self, ctx: Any = None) -> str:
        return ""


def _adopt_params(params: list[Any]) -> None:
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _PlainArgument
        elif type(param) is TyperOption:
            param.__class__ = _QuickOption


class _Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _adopt_params(self.params)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _adopt_params(params)  # the --help option is made here, on demand
        return params


def _keep_examples_as_written(doc: str) -> str:
    # Click rewraps every paragraph of a help text except one that starts with a \b line:
    # examples are commands, one a line, and must stay that way.
    if "Examples:\n\n\b\n" in doc:
        return doc  # already marked where it is written
    return doc.replace("\n\nExamples:\n", "\n\n\b\nExamples:\n")


class App(typer.Typer):
    """A Typer app whose commands all report errors the same way."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("cls", _Group)
        if kwargs.get("help"):
            # A group's whole first paragraph in the command list, as for commands.
            kwargs.setdefault("short_help", " ".join(kwargs["help"].split("\n\n")[0].split()))
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        def decorator(function: F) -> F:
            # The command list shows a docstring's whole first sentence, however long, rather
            # than Click's cut at 45 characters or the first ". " (which "e.g. " is).
            if "short_help" not in kwargs and function.__doc__:
                kwargs["short_help"] = " ".join(function.__doc__.strip().split("\n\n")[0].split())
            if "help" not in kwargs and function.__doc__:
                kwargs["help"] = _keep_examples_as_written(inspect.cleandoc(function.__doc__))
            kwargs.setdefault("cls", _Command)
            super(App, self).command(*args, **kwargs)(handle_errors(function))
            return function

        return decorator
