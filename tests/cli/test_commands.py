"""The command table: new commands are listed, and `mlsysim --help` imports none of them."""

from __future__ import annotations

import subprocess
import sys

from mlsysim.cli.main import COMMANDS, main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in ("sweep", "plot", "docs", "completion"):
        assert name in COMMANDS and name in out


def test_help_stays_lazy():
    code = ("import sys; from mlsysim.cli.main import main; main(['--help']); "
            "heavy = [m for m in ('matplotlib', 'pandas', 'mlsysim.cli.sweep', 'mlsysim.cli.plot', 'mlsysim.viz', "
            "'mlsysim.cli.docs_command', 'scipy') if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_command_has_help_with_an_example(capsys):
    for name in COMMANDS:
        assert main([name, "--help"]) == 0
        assert "Example" in capsys.readouterr().out
