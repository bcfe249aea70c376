"""Wall 19, checkpoint: Young's interval, the lost-time budget, checkpoint sizes from models and
optimizers, asynchronous saves, storage specs, properties and bad input."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.walls.checkpoint import ADAM_MIXED_PRECISION_BYTES, ASYNC_BLOCKING_FRACTION

wall = ms.wall("checkpoint")


def test_young_daly_60_s_and_5_h_is_24_5_minutes():
    # Issue 4, Wall 19: write 60 s, cluster MTBF 5 h → optimal interval ≈ 24.5 min (Young 1974).
    r = wall(write_time="60 s", mtbf="5 h")
    assert r.optimal_interval == pytest.approx(math.sqrt(2 * 60 * 5 * 3600)) == pytest.approx(24.5 * 60, rel=0.001)
    assert r.interval == r.optimal_interval and r.regime == "near optimal"


def test_lost_time_budget():
    r = wall(write_time="60 s", mtbf="5 h", interval="30 min", restart_time="10 min")
    assert r.overhead == pytest.approx(60 / 1800)  # the MFU penalty: write time / interval
    assert r.rework_fraction == pytest.approx((900 + 600) / 18000)
    assert r.lost_fraction == pytest.approx(60 / 1800 + (900 + 600) / 18000)
    assert r.goodput == pytest.approx(1 - r.lost_fraction)


def test_the_optimum_balances_writes_against_rework():
    r = wall(write_time="2 min", mtbf="8 h")
    assert r.overhead == pytest.approx(r.rework_fraction)  # δ/τ = τ/2M at τ = √(2δM)
    for factor in (0.5, 0.8, 1.25, 2.0):
        other = wall(write_time="2 min", mtbf="8 h", interval=factor * r.optimal_interval)
        assert other.lost_fraction > r.lost_fraction
    assert wall(write_time="2 min", mtbf="8 h", interval=0.5 * r.optimal_interval).regime == "checkpointing too often"
    assert wall(write_time="2 min", mtbf="8 h", interval=2 * r.optimal_interval).regime == "checkpointing too rarely"


def test_goodput_floors_at_zero_with_a_named_regime():
    r = wall(write_time="1 h", mtbf="30 min", restart_time="20 min")
    assert r.lost_fraction > 1 and r.goodput == 0 and r.regime == "no progress"
    assert "no progress" in r.explain()


def test_checkpoint_size_from_a_model_is_14_bytes_per_parameter():
    # ZeRO (Rajbhandari et al., SC20): mixed-precision Adam keeps 2 (bf16 weights) + 4 (fp32 master)
    # + 8 (two fp32 moments) bytes per parameter worth saving; gradients are not saved.
    assert ADAM_MIXED_PRECISION_BYTES == 2 + 4 + 4 + 4
    model = ms.model("llama-3-70b")
    r = wall(model="llama-3-70b", storage_bandwidth="100 GB/s", mtbf="5 h")
    assert r.checkpoint_bytes == pytest.approx(14 * model.params)
    assert r.checkpoint_bytes == pytest.approx(14 * 70.6e9, rel=0.005)  # Meta: 70.6B parameters
    assert r.write_time == pytest.approx(r.checkpoint_bytes / 100e9)
    weights_only = wall(model="llama-3-70b", bytes_per_param=2, storage_bandwidth="100 GB/s", mtbf="5 h")
    assert weights_only.checkpoint_bytes == pytest.approx(r.checkpoint_bytes / 7)
    given_size = wall(checkpoint_bytes="1 TB", storage_bandwidth="50 GB/s", mtbf="5 h")
    assert given_size.write_time == pytest.approx(20.0)


def test_storage_spec_supplies_the_write_bandwidth():
    with_write = next(s for s in ms.storage.all() if s.write_bandwidth)
    r = wall(model="llama-3-8b", storage=with_write.key, mtbf="5 h")
    assert r.write_time == pytest.approx(14 * ms.model("llama-3-8b").params / with_write.write_bandwidth)
    without = next((s for s in ms.storage.all() if s.write_bandwidth is None), None)
    if without is not None:
        with pytest.raises(ms.InvalidInputError, match="storage.*write bandwidth"):
            wall(model="llama-3-8b", storage=without.key, mtbf="5 h")


def test_asynchronous_saves_block_only_for_the_copy():
    # PyTorch blog (2024), 7B model: 148.8 s synchronous save, 6.3 s of training stall when asynchronous.
    r = wall(write_time="148.8 s", mtbf="5 h", asynchronous="yes")
    assert r.blocking_time == pytest.approx(6.3)
    sync = wall(write_time="148.8 s", mtbf="5 h")
    assert r.goodput > sync.goodput and r.optimal_interval < sync.optimal_interval
    explicit = wall(write_time="100 s", mtbf="5 h", blocking_fraction=0.1)
    assert explicit.blocking_time == pytest.approx(10.0)
    assert ASYNC_BLOCKING_FRACTION == pytest.approx(0.0423, rel=0.01)


def test_an_asynchronous_save_cannot_start_before_the_last_one_is_written():
    r = wall(write_time="30 min", mtbf="1 h", blocking_fraction=0.001)
    assert math.sqrt(2 * 1.8 * 3600) < 1800  # Young's formula alone would ask for ~2 min
    assert r.optimal_interval == pytest.approx(1800.0)


def test_llama3_interruption_rate_bounds_the_blocking_write():
    # Llama 3 (Dubey et al. 2024, §3.3.4): 466 interruptions in 54 days, >90 % effective training time.
    # At Young's optimum the loss is √(2δ/M) (no restart), so 90 % goodput allows δ ≤ 0.005 M ≈ 50 s.
    mtbf = 54 * 86400 / 466
    answer = wall.solve(output="goodput", target=0.9, vary="write_time", mtbf=mtbf)
    assert answer.value == pytest.approx(0.005 * mtbf, rel=1e-3) and 45 < answer.value < 55


def test_broadcasts_over_models_and_mtbf():
    r = wall(model=["llama-3-8b", "llama-3-70b"], storage_bandwidth="10 GB/s", mtbf=np.array([[3600.0], [36000.0]]))
    assert r.optimal_interval.shape == (2, 2)
    assert np.all(r.goodput[1] > r.goodput[0]) and np.all(r.optimal_interval[:, 1] > r.optimal_interval[:, 0])


@settings(max_examples=80, deadline=None)
@given(st.floats(1, 3600), st.floats(600, 1e7), st.floats(600, 1e7), st.floats(0, 3600))
def test_longer_mtbf_never_lowers_goodput_at_the_optimum(write, m1, m2, restart):
    short, long = sorted((m1, m2))
    a = wall(write_time=write, mtbf=short, restart_time=restart)
    b = wall(write_time=write, mtbf=long, restart_time=restart)
    assert b.goodput >= a.goodput - 1e-12
    assert 0 <= a.goodput <= 1 and b.optimal_interval >= a.optimal_interval


@settings(max_examples=80, deadline=None)
@given(st.floats(0.1, 600), st.floats(0.1, 600), st.floats(3600, 1e6))
def test_slower_writes_never_raise_goodput(w1, w2, mtbf):
    fast, slow = sorted((w1, w2))
    assert wall(write_time=slow, mtbf=mtbf).goodput <= wall(write_time=fast, mtbf=mtbf).goodput + 1e-12


@pytest.mark.parametrize("inputs, name", [
    ({"mtbf": "5 h"}, "write_time"),  # nothing to size the write
    ({"model": "llama-3-8b", "mtbf": "5 h"}, "write_time"),  # a size but no bandwidth
    ({"write_time": "60 s"}, "mtbf"),
    ({"write_time": "60 s", "mtbf": 0}, "mtbf"),
    ({"write_time": "-60 s", "mtbf": "5 h"}, "write_time"),
    ({"write_time": "60 GB", "mtbf": "5 h"}, "write_time"),
    ({"write_time": "60 s", "mtbf": "5 h", "interval": "0 s"}, "interval"),
    ({"write_time": "60 s", "mtbf": "5 h", "blocking_fraction": 1.5}, "blocking_fraction"),
    ({"write_time": "60 s", "mtbf": "5 h", "restart_time": float("inf")}, "restart_time"),
    ({"write_time": "60 s", "mtbf": "5 h", "asynchronous": "maybe"}, "asynchronous"),
    ({"model": "llama-3-8b", "storage_bandwidth": "1 GB", "mtbf": "5 h"}, "storage_bandwidth"),
])
def test_bad_inputs_are_named_one_line_errors(inputs, name):
    with pytest.raises(ms.InvalidInputError, match=name) as info:
        wall(**inputs)
    assert "\n" not in str(info.value)


def test_unknown_model_and_storage_suggest():
    with pytest.raises(ms.UnknownNameError, match="llama-3-8b"):
        wall(model="llama-3-8c", storage_bandwidth="1 GB/s", mtbf="5 h")
    with pytest.raises(ms.UnknownNameError, match="storage"):
        wall(model="llama-3-8b", storage="no-such-disk-xyz", mtbf="5 h")


def test_cli_json_and_exit_codes(capsys):
    assert main(["wall", "checkpoint", "--write-time", "60s", "--mtbf", "5h", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["wall"] == 19 and data["outputs"]["optimal_interval"] == pytest.approx(1469.69, rel=1e-4)
    assert data["units"]["optimal_interval"] == "s" and data["outputs"]["checkpoint_bytes"] is None
    assert main(["wall", "checkpoint", "--write-time", "60s", "--mtbf", "-5h"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "mtbf" in err and "Traceback" not in err
    assert main(["wall", "checkpoint", "--mtbf", "5h"]) == 2
    assert "write_time" in capsys.readouterr().err
