"""Wall 11: Chinchilla's rule of thumb, its fitted loss and frontier, and budgets in FLOPs or dollars."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.walls.complexity import ALPHA, BETA, A, B, E, chinchilla_loss, frontier

WALL = ms.wall("complexity")
CHINCHILLA = "Hoffmann et al., 'Training Compute-Optimal Large Language Models', arXiv:2203.15556, 2022"
# Table 3 (Approach 1): params, FLOPs, tokens; ids as in shared/validation/published.json.
TABLE_3 = {
    "scaling-chinchilla-t3-400M": (400e6, 1.92e19, 8.0e9),
    "scaling-chinchilla-t3-1000M": (1e9, 1.21e20, 20.2e9),
    "scaling-chinchilla-t3-10000M": (10e9, 1.23e22, 205.1e9),
    "scaling-chinchilla-t3-67000M": (67e9, 5.76e23, 1.5e12),
    "scaling-chinchilla-t3-280000M": (280e9, 9.9e24, 5.9e12),
    "scaling-chinchilla-t3-1000000M": (1e12, 1.27e26, 21.2e12),
}
# Tolerances of the 20:1 rule against Table 3. The table's own tokens per parameter run from 20.0 to
# 22.4, so "D = 20·N" can be low by up to 22.4/20 − 1 = 12 %, and N = √(C/120) = √(C/(6·20)) by up
# to √1.12 − 1 ≈ 6 %. The 67B row rounds its tokens to 1.5T where 6·N·D at 5.76e23 FLOPs gives
# 1.43T, so C = 6·N·D holds to 5 % on that row.
TOKENS_RTOL, PARAMS_RTOL, COMPUTE_RTOL = 0.12, 0.06, 0.05
PUBLISHED = Path(__file__).resolve().parents[3] / "shared" / "validation" / "published.json"


def test_spec_worked_example_90b():
    """Spec, Wall 11: 90B parameters at the optimum need ~1.8T tokens and C = 6·N·D ≈ 9.7e23."""
    plan = WALL(params="90B")
    assert plan.training_tokens == pytest.approx(1.8e12)
    assert plan.compute == pytest.approx(9.72e23)
    assert WALL(compute_budget=9.72e23).optimal_params == pytest.approx(9.0e10)
    assert math.sqrt(9.72e23 / 120) == pytest.approx(9.0e10)


@pytest.mark.parametrize("record", TABLE_3, ids=list(TABLE_3))
def test_chinchilla_table_3(record):
    params, flops, tokens = TABLE_3[record]
    from_budget = WALL(compute_budget=flops)
    assert from_budget.optimal_params == pytest.approx(params, rel=PARAMS_RTOL), CHINCHILLA
    assert WALL(params=params).training_tokens == pytest.approx(tokens, rel=TOKENS_RTOL), CHINCHILLA
    plan = WALL(params=params, tokens=tokens)
    assert plan.compute == pytest.approx(flops, rel=COMPUTE_RTOL)
    assert plan.regime == "compute-optimal"


def test_chinchilla_70b_on_1_4t_tokens():
    """Hoffmann et al. 2022, §4.1: Chinchilla is 70B parameters on 1.4T tokens, Gopher's 5.76e23 budget."""
    plan = WALL(params="70B", tokens="1.4T")
    assert plan.overtraining_ratio == pytest.approx(1.0) and plan.regime == "compute-optimal"
    assert plan.compute == pytest.approx(5.76e23, rel=COMPUTE_RTOL)
    assert WALL(compute_budget=5.76e23).optimal_params == pytest.approx(70e9, rel=PARAMS_RTOL)


@pytest.mark.skipif(not PUBLISHED.exists(), reason="shared validation data not present")
def test_embedded_table_matches_published_records():
    records = {r["id"]: r for r in json.loads(PUBLISHED.read_text())}
    for record, (params, flops, tokens) in TABLE_3.items():
        assert records[record]["value"] == tokens
        assert records[record]["config"]["params"] == params and records[record]["config"]["compute_FLOPs"] == flops
    assert records["scaling-chinchilla-70b"]["value"] == 1.4e12
    fit = [records[f"scaling-chinchilla-fit-{k}"]["value"] for k in ("E", "A", "B", "alpha", "beta")]
    assert fit == [E, A, B, ALPHA, BETA]


def test_frontier_exponent_matches_approach_3():
    """N_opt ∝ C^(β/(α+β)) = C^0.45; Hoffmann et al. Table 2 reports a = 0.46 for approach 3."""
    (n1, _), (n2, _) = frontier(1e21), frontier(1e25)
    assert math.log(n2 / n1) / math.log(1e4) == pytest.approx(0.46, abs=0.01)


@settings(max_examples=40, deadline=None)  # the first call imports scipy
@given(st.floats(1e18, 1e27))
def test_frontier_minimizes_the_fitted_loss(compute):
    from scipy.optimize import minimize_scalar

    def loss_at(log_n):
        return chinchilla_loss(math.exp(log_n), compute / (6 * math.exp(log_n)))

    best = minimize_scalar(loss_at, bounds=(math.log(1e6), math.log(1e14)), method="bounded",
                           options={"xatol": 1e-10})
    n, d = frontier(compute)
    assert 6 * n * d == pytest.approx(compute)
    assert n == pytest.approx(math.exp(best.x), rel=1e-3)
    result = WALL(compute_budget=compute)
    assert result.frontier_loss <= result.loss + 1e-12


@settings(max_examples=60)
@given(n=st.floats(1e7, 1e13), d=st.floats(1e8, 1e15), more=st.floats(1.0, 1e3))
def test_more_tokens_or_params_never_raise_the_loss(n, d, more):
    base = WALL(params=n, tokens=d).loss
    assert WALL(params=n, tokens=d * more).loss <= base
    assert WALL(params=n * more, tokens=d).loss <= base


@settings(max_examples=60)
@given(c=st.floats(1e15, 1e30), more=st.floats(1.0, 1e3))
def test_optimum_grows_with_the_budget_at_20_tokens_per_parameter(c, more):
    small, large = WALL(compute_budget=c), WALL(compute_budget=c * more)
    assert large.optimal_params >= small.optimal_params
    assert small.optimal_tokens == pytest.approx(20 * small.optimal_params)
    assert small.compute == pytest.approx(c) and small.overtraining_ratio == pytest.approx(1.0)


@settings(max_examples=60)
@given(n=st.floats(1e7, 1e13), d=st.floats(1e8, 1e16))
def test_plan_compute_and_regime(n, d):
    r = WALL(params=n, tokens=d)
    assert r.compute == pytest.approx(6 * n * d)
    assert r.overtraining_ratio == pytest.approx(d / n / 20)
    expected = ("over-trained" if r.overtraining_ratio > 1.25 else
                "under-trained" if r.overtraining_ratio < 0.8 else "compute-optimal")
    assert r.regime == expected


def test_budget_with_params_spends_the_rest_on_tokens():
    r = WALL(compute_budget=1e23, params="1B")
    assert r.training_tokens == pytest.approx(1e23 / 6e9) and r.regime == "over-trained"
    r = WALL(compute_budget=1e23, tokens="10B")
    assert r.model_params == pytest.approx(1e23 / 6e10) and r.regime == "under-trained"


def test_dollars_become_flops_through_hardware_price_and_mfu():
    r = WALL(budget="$10M", hardware="h100", mfu=0.4, price_per_device_hour="$2.99/h")
    assert r.compute == pytest.approx(1e7 / 2.99 * 3600 * 989.4e12 * 0.4)
    assert r.cost == pytest.approx(1e7)
    assert WALL(budget="$20M").compute == pytest.approx(2 * r.compute)
    # Going the other way: the cost of a FLOP budget at the same price and MFU.
    assert WALL(compute_budget=r.compute).cost == pytest.approx(1e7)


def test_broadcasts_over_budgets():
    r = WALL(compute_budget=np.array([1e21, 1e23, 1e25]))
    assert r.optimal_params.shape == (3,) and np.all(np.diff(r.optimal_params) > 0)
    r = WALL(params="1B", tokens=np.array([1e9, 2e10, 1e12]))
    assert list(r.regime) == ["under-trained", "compute-optimal", "over-trained"]


@pytest.mark.parametrize("inputs, match", [
    ({}, "give compute_budget"),
    ({"compute_budget": 1e24, "budget": "$1M"}, "not both"),
    ({"compute_budget": 1e24, "params": "1B", "tokens": "1T"}, "already fix the compute"),
    ({"compute_budget": -1e24}, "compute_budget"),
    ({"compute_budget": "3 TB"}, "compute_budget"),
    ({"params": 0}, "params"),
    ({"tokens": float("nan")}, "tokens"),
    ({"budget": "$1M", "mfu": 1.5}, "mfu"),
    ({"budget": "$1M", "price_per_device_hour": "$0/h"}, "price_per_device_hour"),
])
def test_bad_inputs_are_named(inputs, match):
    with pytest.raises(ms.InvalidInputError, match=match):
        WALL(**inputs)


def test_unknown_hardware_and_missing_precision():
    with pytest.raises(ms.UnknownNameError, match="hardware"):
        WALL(compute_budget=1e24, hardware="no-such-chip")
    chip = ms.Hardware(key="int8-only", name="INT8-only chip", peak={"int8": 1e15}, memory_bytes=8e9,
                       memory_bandwidth=1e12)
    with pytest.raises(ms.InvalidInputError, match="precision"):
        WALL(compute_budget=1e24, hardware=chip)
    assert WALL(compute_budget=1e24, hardware=chip, precision="int8").device_time == pytest.approx(1e24 / 4e14)


def test_cli(capsys):
    assert main(["wall", "complexity", "--compute-budget", "9.72e23", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["optimal_params"] == pytest.approx(9.0e10) and data["outputs"]["regime"] == "compute-optimal"
    assert main(["wall", "complexity", "--budget", "10M", "--params", "70B"]) == 0
    assert "over-trained" in capsys.readouterr().out
    for argv in (["--compute-budget", "-5"], ["--compute-budget", "1e24", "--budget", "1M"], []):
        assert main(["wall", "complexity", *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "Traceback" not in err and "budget" in err
