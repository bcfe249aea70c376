"""The `mlsysim` command: exit codes, error handling and the top-level command group.

`main(argv) -> int` is testable without `sys.exit` (as in httpie). stdout carries only the
payload; messages go to stderr. Every error a user can cause is one line; a bug prints one line
that suggests `--traceback`.
"""

from __future__ import annotations

import enum
import os
import sys

import click

from mlsysim import __version__


class ExitStatus(enum.IntEnum):
    """Process exit codes, documented in `mlsysim --help`."""

    OK = 0
    ERROR = 1  # a bug in mlsysim; rerun with --traceback
    INVALID_INPUT = 2  # bad flag, value, unit, name or file
    INFEASIBLE = 3  # well-formed but impossible, or a scenario assertion failed
    INTERRUPTED = 130


EPILOG = ("Exit codes: 0 ok, 1 internal error (rerun with --traceback), 2 invalid input, "
          "3 infeasible or an assertion failed, 130 interrupted.")


class LazyGroup(click.Group):
    """A command group whose subcommands are imported only when used, to keep start-up fast."""

    def __init__(self, *args, lazy: dict[str, tuple[str, str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            import importlib

            module, attribute, _ = self.lazy[name]
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        rows = [(name, self.lazy[name][2]) for name in sorted(self.lazy)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


COMMANDS = {
    "walls": ("mlsysim.cli.walls", "walls_command", "Table of every wall, evaluated on its worked example."),
    "wall": ("mlsysim.cli.walls", "wall_group", "Evaluate one wall: mlsysim wall memory --weight-bytes 16GB --bandwidth 3.35TB/s"),
    "explain": ("mlsysim.cli.walls", "explain_command", "A wall's law, equation, inputs and live worked example."),
    "zoo": ("mlsysim.cli.zoo", "zoo_command", "List the registries: hardware, models, …"),
    "train": ("mlsysim.cli.scenarios", "train_command", "A training job through the Iron Law: mlsysim train llama-3-8b h100 --devices 64"),
    "serve": ("mlsysim.cli.scenarios", "serve_command", "A serving deployment: mlsysim serve llama-3-70b h200 --devices 2 --rate 10/s"),
    "sensitivity": ("mlsysim.cli.analysis", "sensitivity_group", "Which input binds an output of a wall or scenario (Wall 21)."),
    "synthesize": ("mlsysim.cli.analysis", "synthesize_group", "Solve backwards: the input value that meets a target (Wall 22)."),
    "validate": ("mlsysim.cli.validate", "validate_command", "Predictions vs published measurements: errors, targets, coverage."),
    "run": ("mlsysim.cli.run", "run_command", "Run a scenario file (runs, inline specs, assertions): mlsysim run FILE.yaml"),
    "schema": ("mlsysim.cli.schema", "schema_command", "Print the JSON Schema of scenario files."),
    "sweep": ("mlsysim.cli.sweep", "sweep_group", "Evaluate a wall over lists and ranges of inputs: --batch 1..256:log2"),
    "plot": ("mlsysim.cli.plot", "plot_group", "Draw a roofline, tornado, queue curve, waterfall or Pareto front."),
    "docs": ("mlsysim.cli.docs_command", "docs_group", "Generate the docs site pages from the declarations."),
    "completion": ("mlsysim.cli.completion", "completion_command", "Print the shell completion script: bash, zsh or fish."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlsysim")
@click.option("--traceback", is_flag=True, help="Show the full traceback of internal errors.")
def cli(traceback: bool):
    """mlsysim — first-principles models of ML systems: the 22 walls and the Iron Law.

    \b
    Example:
      mlsysim walls
      mlsysim wall memory --weight-bytes 16GB --bandwidth 3.35TB/s --json
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status instead of exiting."""
    argv = list(sys.argv[1:] if argv is None else argv)
    show_traceback = "--traceback" in argv or os.environ.get("MLSYSIM_TRACEBACK") == "1"
    from mlsysim.errors import MlsysimError

    try:
        result = cli.main(args=argv, prog_name="mlsysim", standalone_mode=False)
        return int(result) if isinstance(result, int) else ExitStatus.OK
    except MlsysimError as error:
        _fail(str(error))
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.UsageError as error:
        _fail(error.format_message().replace("\n", " "))
        return ExitStatus.INVALID_INPUT
    except click.ClickException as error:
        _fail(error.format_message())
        return ExitStatus.INVALID_INPUT
    except (KeyboardInterrupt, click.exceptions.Abort):
        _fail("interrupted")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return ExitStatus.OK
    except Exception as error:  # a bug: say so in one line unless asked for more
        if show_traceback:
            import traceback

            traceback.print_exc()
        else:
            _fail(f"internal error: {type(error).__name__}: {error} (rerun with --traceback for details)")
        return ExitStatus.ERROR


def _fail(message: str) -> None:
    click.echo(f"mlsysim: error: {message}", err=True)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
