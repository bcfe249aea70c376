"""Rows expressed from new physics and records: reliability (Walls 15 and 19 at the specification's
illustrative MTBF), NVLS all-reduce (Wall 14's in-switch algorithm), the P100's TDP."""

from __future__ import annotations

import pytest

from mlsysim.validation import harness, records
from mlsysim.validation.categories import collectives, reliability
from mlsysim.validation.harness import CIRCULAR, NOT_EXPRESSIBLE, PREDICTED

ROWS = {r.id: r for r in harness.run()}


@pytest.mark.parametrize("record_id", ["rel-llama3-unexpected", "rel-llama3-total", "rel-llama3-ettr"])
def test_llama3_rows_are_circular_because_the_illustrative_mtbf_matches_its_table(record_id):
    row = ROWS[record_id]
    assert row.status == CIRCULAR
    assert "50,000 h" in row.reason and "Table 5" in row.reason


def test_llama3_interruptions_from_50000_hours():
    # 16,384 GPUs × 54 days × 24 h / 50,000 h = 424.7 failures.
    expected = 16384 * 54 * 24 / 50_000
    assert ROWS["rel-llama3-unexpected"].predicted == pytest.approx(expected)
    total = ROWS["rel-llama3-total"]
    assert total.predicted == pytest.approx(expected) and "planned" in total.explanation
    assert total.error == pytest.approx(expected / 466 - 1)


def test_llama3_goodput_meets_its_lower_bound():
    row = ROWS["rel-llama3-ettr"]
    assert 90.0 <= row.predicted < 100.0 and "lower bound" in row.explanation
    assert [c.what for c in row.calls] == ["ms.wall('fragility')", "ms.wall('checkpoint')"]


def test_opt_restarts_are_a_real_prediction():
    # 992 GPUs over ~2 months (365/6 days) at 50,000 h each: 29 failures; OPT reports at least 35
    # manual restarts. The rate is the specification's, not OPT's, so the row counts.
    row = ROWS["rel-opt175b-manual-restarts"]
    assert row.status == PREDICTED and not row.reason
    assert row.predicted == pytest.approx(992 * 365 / 6 * 24 / 50_000)


@pytest.mark.parametrize("record_id", ["rel-llama3-planned", "rel-llama3-manual", "rel-llama3-faulty-gpu",
                                       "rel-llama3-hbm3", "rel-llama3-software-bug", "rel-llama3-network",
                                       "rel-llama3-host-maint", "rel-llama3-sdc"])
def test_policy_operator_and_per_cause_rows_stay_unexpressed(record_id):
    row = ROWS[record_id]
    assert row.status == NOT_EXPRESSIBLE and row.reason


def test_circularity_is_only_for_llama3():
    opt = records.get("rel-opt175b-manual-restarts")
    assert reliability.llama3_circularity(opt) is None
    assert reliability.llama3_circularity(records.get("rel-llama3-total"))


def test_nvls_row_uses_the_in_switch_algorithm_with_an_independent_efficiency():
    row = ROWS["coll-nccl-h100-8gpu-allreduce-nvls"]
    assert row.status == PREDICTED
    assert row.calls[0].inputs["algorithm"] == "nvls"
    assert abs(row.error) < 0.10


def test_nvls_needs_a_sourced_efficiency(monkeypatch):
    import dataclasses

    from mlsysim.specs import lookup

    switch = dataclasses.replace(lookup("network", "nvswitch-h100"), nvls_efficiency=None)
    monkeypatch.setattr(collectives, "lookup", lambda kind, name: switch if kind == "network" else lookup(kind, name))
    row = harness.evaluate(records.get("coll-nccl-h100-8gpu-allreduce-nvls"), collectives.express)
    assert row.status == NOT_EXPRESSIBLE and "nvls_efficiency" in row.reason


def test_p100_power_is_predicted_from_its_tdp():
    row = ROWS["carbon-patterson-avgpower-p100"]
    assert row.status == PREDICTED and row.predicted == pytest.approx(300.0)
