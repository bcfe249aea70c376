"""The parts of `mlsysim.viz` that need no matplotlib: Pareto masks, terms, scales, the missing extra."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import mlsysim as ms
from mlsysim.viz import normalize_terms, pareto_mask
from mlsysim.viz._backend import scale


def brute_force_front(x, y):
    points = list(zip(x, y))
    return np.array([not any((a <= px and b <= py) and (a < px or b < py) for a, b in points) for px, py in points])


def test_pareto_mask_matches_brute_force():
    rng = np.random.default_rng(7)
    x, y = rng.integers(0, 20, 300).astype(float), rng.integers(0, 20, 300).astype(float)
    front = pareto_mask(x, y)
    expected = brute_force_front(x, y)
    # Duplicated optimal points: exactly one of each is kept.
    assert {(a, b) for a, b in zip(x[front], y[front])} == {(a, b) for a, b in zip(x[expected], y[expected])}
    assert front.sum() == len({(a, b) for a, b in zip(x[expected], y[expected])})


def test_pareto_mask_directions_and_nan():
    x, y = np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.0, 2.0, 3.0, 9.0])
    assert pareto_mask(x, y).tolist() == [True, False, False, False]
    assert pareto_mask(x, y, minimize=(True, False)).tolist() == [True, True, True, False]


def test_terms_in_every_accepted_form():
    expected = [("mfu", 0.5, "software"), ("goodput", 0.9, None)]
    assert normalize_terms([("mfu", 0.5, "software"), ("goodput", 0.9)]) == expected
    assert normalize_terms({"mfu": (0.5, "software"), "goodput": 0.9}) == expected
    assert normalize_terms({"mfu": {"factor": 0.5, "wall": "software"}, "goodput": {"value": 0.9}}) == expected
    with pytest.raises(ms.InvalidInputError, match="must be a positive number"):
        normalize_terms({"mfu": 0})
    with pytest.raises(ms.InvalidInputError, match="no terms"):
        normalize_terms([])


@pytest.mark.parametrize("dimension, value, expected", [
    ("flop_rate", 9.894e14, (1e12, "TFLOP/s")), ("time", 7200.0, (3600.0, "h")), ("time", 4.8e-3, (1e-3, "ms")),
    ("money", 2.5e6, (1e6, "$M")), ("fraction", 0.5, (0.01, "%")), ("bytes", 0.0, (1.0, "B")),
])
def test_axis_scales_follow_the_formatter(dimension, value, expected):
    divisor, unit = scale(dimension, value)
    assert unit == expected[1] and divisor == pytest.approx(expected[0])


def test_missing_matplotlib_is_one_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    from mlsysim.cli.main import main

    code = main(["plot", "queue", "tail-latency", "--arrival-rate", "8/s", "--service-rate", "1/s", "--servers", "10",
                 "-o", str(tmp_path / "q.png")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == "mlsysim: error: plots need matplotlib: pip install 'mlsysim[plot]'"
