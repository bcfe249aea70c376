"""`python -m mlsysim` runs the command line."""

from mlsysim.cli.main import run

run()
