"""Fidelity: mlsysim's predictions checked against published measurements.

    from mlsysim import validation
    rows = validation.run()                 # one Row per published record
    summary = validation.summarize(rows)    # per-category median/worst error, targets, coverage

`mlsysim validate` prints the same table; `mlsysim validate --write-docs docs/validation.md`
regenerates the report.
"""

from __future__ import annotations

from mlsysim.validation.harness import Row, explain, run
from mlsysim.validation.prediction import Call, NotExpressible, Prediction
from mlsysim.validation.records import Record, load
from mlsysim.validation.report import TARGETS, Summary, summarize

__all__ = ["Call", "NotExpressible", "Prediction", "Record", "Row", "Summary", "TARGETS", "explain", "load",
           "run", "summarize"]
