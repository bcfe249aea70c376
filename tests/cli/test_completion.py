"""`mlsysim completion SHELL` prints click's script, and the script's call-back completes commands."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlsysim.cli.main import main


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_prints_the_script(shell, capsys):
    assert main(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert "_MLSYSIM_COMPLETE" in out and f"{shell}_" in out


def test_unknown_shell_is_exit_2(capsys):
    assert main(["completion", "powershell"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def complete(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_MLSYSIM_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([sys.executable, "-m", "mlsysim"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines()]


def test_completes_commands_walls_and_flags():
    assert "sweep" in complete("mlsysim sw", 1)
    assert "tail-latency" in complete("mlsysim sweep tail", 2)
    assert "--batch" in complete("mlsysim sweep serving --ba", 3)
    assert {"roofline", "tornado", "queue", "waterfall", "pareto"} <= set(complete("mlsysim plot ", 2))
