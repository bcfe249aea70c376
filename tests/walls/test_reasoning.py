"""Wall 12: reasoning costs decode steps whose price grows with the cache."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.specs.arch.inference import sum_of_max_linear


@given(n=st.integers(1, 60), a0=st.floats(-5, 5), a1=st.floats(-1, 1), b0=st.floats(-5, 5),
       b1=st.floats(-1, 1))
def test_closed_form_sum_equals_the_loop(n, a0, a1, b0, b1):
    exact = sum(max(a0 + a1 * i, b0 + b1 * i) for i in range(n))
    assert sum_of_max_linear(n, a0, a1, b0, b1) == pytest.approx(exact, rel=1e-9, abs=1e-9)
    # The array path (used by sweeps) agrees with the scalar fast path.
    vector = sum_of_max_linear(np.array([n, n]), a0, a1, b0, b1)
    assert vector == pytest.approx([exact, exact], rel=1e-9, abs=1e-9)


def test_later_steps_are_slower_because_the_cache_grows():
    r = ms.wall("reasoning")(model="llama-3-8b", hardware="h100", steps=100, tokens_per_step=100,
                             prompt_tokens=512)
    assert r.time_per_step > r.first_step_time
    # Memory-bound decode: each token re-reads ~15.0 GB of weights plus the cache at 3.35 TB/s.
    weights = ms.model("llama-3-8b").params * 2 - 128256 * 4096 * 2
    assert r.first_step_time == pytest.approx(100 * (weights + 512 * 131072) / 3.35e12, rel=0.01)


def test_samples_share_weight_reads_but_multiply_tokens_and_flops():
    wall = ms.wall("reasoning")
    one = wall(model="llama-3-8b", hardware="h100", steps=10, samples=1, prompt_tokens=1)
    eight = wall(model="llama-3-8b", hardware="h100", steps=10, samples=8, prompt_tokens=1)
    assert eight.reasoning_tokens == 8 * one.reasoning_tokens
    assert eight.flops > 7 * one.flops
    assert eight.latency < 2 * one.latency  # memory-bound: eight samples ride on the same weight reads


@settings(max_examples=25)
@given(steps=st.integers(1, 200), more=st.integers(1, 200))
def test_more_steps_never_cheaper(steps, more):
    wall = ms.wall("reasoning")
    few = wall(model="llama-3-8b", hardware="h100", steps=steps)
    many = wall(model="llama-3-8b", hardware="h100", steps=steps + more)
    assert many.latency > few.latency and many.cost > few.cost and many.flops > few.flops


def test_cost_is_device_time_at_the_rental_price():
    r = ms.wall("reasoning")(model="llama-3-8b", hardware="h100", steps=5, devices=2,
                             price_per_device_hour="$3.60/h")
    assert r.cost == pytest.approx(r.latency * 2 * 3.60 / 3600)


def test_sweep_over_models_groups_by_spec():
    r = ms.wall("reasoning").sweep(model=["llama-3-8b", "llama-3-70b"], hardware="h100", steps=[1, 10], devices=2)
    assert len(r) == 4 and np.all(r["latency"][2:] > r["latency"][:2])


def test_cli_reasoning(capsys):
    assert main(["wall", "reasoning", "--model", "llama-3-8b", "--hardware", "h100", "--steps", "10", "--json"]) == 0
    assert main(["wall", "reasoning", "--model", "llama-3-8b", "--hardware", "h100", "--steps", "0"]) == 2
    assert "steps" in capsys.readouterr().err
