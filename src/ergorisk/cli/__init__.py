"""The `ergorisk` command line: one thin module per command, each calling the library.

    assess    ergorisk.assess on videos, images, pose files    (cli/assess.py)
    score     exact REBA/RULA of hand-filled worksheets        (cli/score.py)
    predict   the learned REBA scorers                         (cli/predict.py)
    surrogate, optimize   DULA/DEBA and postural optimisation  (cli/optimize.py)
    serve     the web application                              (cli/serve.py)
    batch     many inputs on a local pool or Ray                 (cli/batch.py)
    calibrate cameras from checkerboards                       (cli/calibrate.py)

Heavy imports happen inside the commands, so `ergorisk --help` stays fast.
"""

from __future__ import annotations

import typer

from ergorisk import heap
from ergorisk.cli.assess import assess
from ergorisk.cli.batch import batch
from ergorisk.cli.calibrate import calibrate
from ergorisk.cli.optimize import optimize_app, surrogate_app
from ergorisk.cli.predict import predict
from ergorisk.cli.score import score_app
from ergorisk.cli.serve import serve

app = typer.Typer(
    name="ergorisk",
    help="Automatic ergonomic risk assessment: exact REBA and RULA from worksheets, poses, video.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},  # -h was refused
)


def _print_version(value: bool) -> None:
    if value:
        from ergorisk import __version__

        typer.echo(f"ergorisk {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version (the one summary.json records) and exit.",
    ),
) -> None:
    # A version to cite from the command line (summary.json has it; --version did not).
    pass


app.command("assess")(assess)
app.add_typer(score_app, name="score")
app.command("predict")(predict)
app.add_typer(surrogate_app, name="surrogate")
app.add_typer(optimize_app, name="optimize")
app.command("serve")(serve)
app.command("batch")(batch)
app.command("calibrate")(calibrate)


def unwrapped(doc: str) -> str:
    """A docstring as command help: the lines of each prose paragraph joined (this typer keeps
    the source's line breaks, which broke lines mid-sentence in a narrow terminal), indented
    paragraphs (examples) kept as written."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        p if any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split("\n"))
        for p in paragraphs
    )


def _tidy_help(cli: typer.Typer) -> None:
    for command in cli.registered_commands:
        if command.help is None and command.callback is not None and command.callback.__doc__:
            command.help = unwrapped(command.callback.__doc__)
    for group in cli.registered_groups:
        if group.typer_instance is not None:
            _tidy_help(group.typer_instance)


_tidy_help(app)

# Rich's boxed tables need this many columns: narrower, they squeezed the help column to a
# word a line and cut option names ("--config,--opt…"); click's plain help reflows at any width.
RICH_HELP_MIN_COLUMNS = 100


def plain_help(doc: str) -> str:
    """A command's help for click's plain formatter: rich markup tags dropped, and each
    indented paragraph (examples) marked with click's no-rewrap escape."""
    import re

    text = re.sub(r"\[/?(bold|dim)\]", "", doc)
    return "\n\n".join(
        f"\b\n{p}" if any(line.startswith(" ") for line in p.splitlines()) else p
        for p in text.split("\n\n")
    )


def _use_plain_help(cli: typer.Typer) -> None:
    for command in cli.registered_commands:
        if command.help is not None:
            command.help = plain_help(command.help)
    for group in cli.registered_groups:
        if group.typer_instance is not None:
            _use_plain_help(group.typer_instance)


_interrupted = False  # by Ctrl-C or SIGTERM, through the handlers below


def _terminated(*_: object) -> None:
    """SIGTERM as Ctrl-C: through every ``finally``, exit 130 as `batch` gives for both (a
    second one, while cleaning up, is ignored)."""
    import signal

    global _interrupted
    _interrupted = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _interrupt(*_: object) -> None:
    """Ctrl-C, as Python's own handler, noted for the line main() prints."""
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def main() -> None:
    import shutil

    import typer.core

    if shutil.get_terminal_size().columns < RICH_HELP_MIN_COLUMNS:
        typer.core.HAS_RICH = False  # read when help or a usage error is shown
        _use_plain_help(app)
    import signal

    from typer._click.exceptions import (  # typer's own click
        ClickException,
        NoArgsIsHelpError,
        UsageError,
    )

    # SIGTERM (kill, GNU timeout, a scheduler) unwinds as Ctrl-C does, so that nothing is left
    # half-written: it killed `assess` at once, leaving its hidden staging folder behind.
    # `batch` and `serve` put their own handlers in place.
    signal.signal(signal.SIGTERM, _terminated)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
        signal.signal(signal.SIGINT, _interrupt)
    heap.limit_arenas()  # before any thread starts: the job's threads share two arenas
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as err:  # a bare command: its help, as click gives it
        err.show()
        raise SystemExit(err.exit_code) from None
    except UsageError as err:
        # One line, as every other bad input ("--load-kg 12kg" gave a usage block, a hint
        # and the error, three lines or a panel).
        where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
        # typer's choices validate through pydantic, whose "Value error, " prefix read as
        # a library's: "Invalid value for '--engine': Value error, 'dask' is not one of ..."
        message = err.format_message().replace("Value error, ", "")
        typer.echo(f"error: {message}{where}", err=True)
        raise SystemExit(err.exit_code) from None
    except ClickException as err:  # any other, as click's standalone mode shows it
        err.show()
        raise SystemExit(err.exit_code) from None
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        raise SystemExit(1) from None
    if code == 130 and _interrupted:
        # typer turns Ctrl-C into exit 130 without a word (`batch` and `serve` say their own)
        typer.echo("interrupted: stopped before the end", err=True)
    raise SystemExit(code if isinstance(code, int) else 0)
