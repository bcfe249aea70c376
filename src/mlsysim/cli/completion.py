"""`mlsysim completion bash|zsh|fish`: print click's shell completion script for mlsysim.

The script calls `mlsysim` back with `_MLSYSIM_COMPLETE` set, and click answers with the
commands, wall slugs, flags and registry names that fit what has been typed so far.
"""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")


@click.command("completion", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str):
    """Print the completion script for SHELL (bash, zsh or fish).

    \b
    Example (install it once):
      bash:  echo 'eval "$(mlsysim completion bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(mlsysim completion zsh)"' >> ~/.zshrc
      fish:  mlsysim completion fish > ~/.config/fish/completions/mlsysim.fish
    """
    from click.shell_completion import get_completion_class

    from mlsysim.cli.main import cli

    script = get_completion_class(shell)(cli, {}, "mlsysim", "_MLSYSIM_COMPLETE").source()
    click.echo(script)
