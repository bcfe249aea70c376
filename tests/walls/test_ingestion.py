"""Wall 8, ingestion: storage supply against accelerator demand."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main

WALL = ms.wall("ingestion")
BASE = {"devices": 1024, "samples_per_second": "2000/s", "sample_bytes": "110 kB", "storage_bandwidth": "7 GB/s",
        "drives": 10}


def test_issue_worked_example():
    # Issue 3: 1,024 accelerators x 2,000 samples/s x 110 KB need ~225 GB/s; 10 NVMe drives at 7 GB/s
    # supply 70 GB/s, so utilization is ~3.2x and the accelerators idle ~69% of the time.
    r = WALL(**BASE)
    assert r.demand == pytest.approx(225.28e9)
    assert r.supply == pytest.approx(70e9)
    assert r.utilization == pytest.approx(3.218, rel=1e-3)
    assert r.idle_fraction == pytest.approx(0.6893, rel=1e-3)
    assert r.drives_needed == 33 and r.regime == "starved"
    assert r.delivered_rate == pytest.approx(2000 * 70 / 225.28)
    assert "68.93%" in r.explain() and "33 drives" in r.explain()


def test_storage_spec_supplies_the_per_drive_bandwidth():
    # ComputerBase: the PCIe 5.0 Samsung PM1743 reads 13 GB/s; 18 of them feed 225 GB/s.
    r = WALL(devices=1024, samples_per_second="2000/s", sample_bytes="110 kB", storage="pm1743", drives=18)
    assert r.per_drive_bandwidth == 13e9
    assert r.regime == "fed" and r.idle_fraction == 0.0
    assert r.drives_needed == 18


def test_random_small_reads_on_hard_drives_are_iops_bound():
    # Tom's Hardware: the Exos 2X14 does 304 random-read IOPS but 524 MB/s sequentially.
    kwargs = {"devices": 8, "samples_per_second": "3000/s", "sample_bytes": "110 kB", "drives": 12,
              "storage": "exos-2x14"}
    sequential, random = WALL(**kwargs), WALL(**kwargs, access="random")
    assert sequential.per_drive_bandwidth == 524e6
    assert random.per_drive_bandwidth == pytest.approx(304 * 110e3)
    assert random.utilization > 15 * sequential.utilization


def test_cache_hits_take_load_off_storage():
    cached = WALL(**BASE, cache_hit_rate=0.75)
    assert cached.storage_demand == pytest.approx(0.25 * cached.demand)
    assert cached.utilization == pytest.approx(3.218 / 4, rel=1e-3)
    everything_cached = WALL(**BASE, cache_hit_rate=1.0)
    assert everything_cached.utilization == 0 and everything_cached.idle_fraction == 0
    assert everything_cached.drives_needed == 0


def test_solve_for_drives_closes_the_gap():
    solved = WALL.solve("utilization", 1.0, "drives", **{k: v for k, v in BASE.items() if k != "drives"})
    assert solved.value == 33


@settings(max_examples=60, deadline=None)
@given(bandwidth=st.floats(1e8, 1e11), more=st.floats(1.0, 100.0), drives=st.integers(1, 200),
       devices=st.integers(1, 5000), rate=st.floats(1, 1e4), size=st.floats(1e3, 1e7))
def test_more_storage_bandwidth_never_raises_utilization(bandwidth, more, drives, devices, rate, size):
    base = WALL(devices=devices, samples_per_second=rate, sample_bytes=size, storage_bandwidth=bandwidth,
                drives=drives)
    faster = WALL(devices=devices, samples_per_second=rate, sample_bytes=size,
                  storage_bandwidth=bandwidth * more, drives=drives)
    more_drives = WALL(devices=devices, samples_per_second=rate, sample_bytes=size, storage_bandwidth=bandwidth,
                       drives=drives + 1)
    assert faster.utilization <= base.utilization and more_drives.utilization <= base.utilization
    assert faster.idle_fraction <= base.idle_fraction
    assert 0 <= base.idle_fraction < 1
    assert (base.idle_fraction > 0) == (base.utilization > 1)
    enough = WALL(devices=devices, samples_per_second=rate, sample_bytes=size, storage_bandwidth=bandwidth,
                  drives=int(base.drives_needed) or 1)
    assert enough.utilization <= 1 + 1e-9


def test_broadcasts_over_a_sweep():
    r = WALL(**{**BASE, "drives": np.array([10, 20, 40])})
    assert r.utilization.shape == (3,)
    assert list(r.regime) == ["starved", "starved", "fed"]


def test_missing_alternatives_are_named_errors():
    with pytest.raises(ms.InvalidInputError, match="storage_bandwidth"):
        WALL(devices=8, samples_per_second=100, sample_bytes="1 MB")
    with pytest.raises(ms.InvalidInputError, match="iops"):
        WALL(devices=8, samples_per_second=100, sample_bytes="1 MB", storage_bandwidth="1 GB/s", access="random")
    with pytest.raises(ms.InvalidInputError, match="iops"):
        WALL(devices=8, samples_per_second=100, sample_bytes="1 MB", storage="s3", access="random")
    with pytest.raises(ms.UnknownNameError, match="sequential"):
        WALL(**BASE, access="stripey")
    with pytest.raises(ms.InvalidInputError, match="cache_hit_rate"):
        WALL(**BASE, cache_hit_rate=1.5)


def test_cli_json_and_bad_value(capsys):
    argv = ["wall", "ingestion", "--devices", "1024", "--samples-per-second", "2000/s", "--sample-bytes", "110kB",
            "--storage-bandwidth", "7GB/s", "--drives", "10"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["utilization"] == pytest.approx(3.218, rel=1e-3)
    assert data["units"]["demand"] == "B/s"
    assert main(["wall", "ingestion", "--devices", "1024", "--samples-per-second", "2000/s",
                 "--sample-bytes", "110 kWh", "--storage-bandwidth", "7GB/s"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "sample_bytes" in err
    assert main(["wall", "ingestion", "--devices", "8", "--samples-per-second", "10/s", "--sample-bytes", "1MB"]) == 2
    assert "storage_bandwidth" in capsys.readouterr().err


def test_nan_mode_masks_only_the_random_points_without_iops():
    r = WALL.sweep(invalid="nan", devices=8, samples_per_second="3000/s", sample_bytes="110 kB",
                   storage_bandwidth="1 GB/s", access=["sequential", "random"])
    assert r.valid.tolist() == [True, False]
    assert r.outputs["utilization"][0] == pytest.approx(2.64) and "iops" in r.reasons[1]
