"""Wall 10, locality: what a topology's bisection leaves of the link bandwidth."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.walls.locality import TOPOLOGIES, topology_metrics

WALL = ms.wall("locality")


def test_issue_worked_examples():
    # Issue 3: a non-blocking fat-tree keeps 100% of link bandwidth; a 4:1 oversubscribed one gives 25%.
    full = WALL(link_bandwidth="50 GB/s", topology="fat-tree", nodes=1024)
    assert full.fraction_of_link == 1.0 and full.effective_bandwidth == 50e9 and full.regime == "full-bandwidth"
    tapered = WALL(link_bandwidth="50 GB/s", topology="oversubscribed-fat-tree", nodes=1024, oversubscription=4)
    assert tapered.fraction_of_link == 0.25 and tapered.effective_bandwidth == 12.5e9
    assert tapered.regime == "bisection-limited"


def test_tpu_pod_bisections_match_google():
    # Google Cloud TPU docs: a 256-chip v5e pod (16x16 2D torus, 4 ICI ports of 50 GB/s each way)
    # has 1.6 TB/s of bisection bandwidth; v6e (100 GB/s per port) has 3.2 TB/s.
    v5e = WALL(link_bandwidth=ms.network("tpu-v5e-ici").link_bandwidth, topology="torus-2d", nodes=256)
    assert v5e.bisection_bandwidth == pytest.approx(1.6e12)
    v6e = WALL(link_bandwidth=ms.network("tpu-v6e-ici").link_bandwidth, topology="torus-2d", nodes=256)
    assert v6e.bisection_bandwidth == pytest.approx(3.2e12)
    # TPU v4 docs: 4,096 chips in a 16x16x16 torus, 24 TB/s bisection (the registry derives its link from it).
    v4 = WALL(link_bandwidth=ms.network("tpu-v4-ici").link_bandwidth, topology="torus-3d", nodes=4096)
    assert v4.bisection_bandwidth == pytest.approx(24e12)


def test_ring_and_torus_by_hand():
    ring = topology_metrics("ring", 8)
    # A ring of 8: a cut severs 2 links against the 4 a full bisection needs; distances 1,2,3,4,3,2,1.
    assert ring["bisection_fraction"] == 0.5 and ring["diameter"] == 4
    assert ring["average_hops"] == pytest.approx(16 / 7)
    torus = topology_metrics("torus-2d", 16)  # 4x4: per-dimension distances 0,1,2,1
    assert torus["bisection_fraction"] == 1.0 and torus["diameter"] == 4
    assert torus["average_hops"] == pytest.approx(2 * 16 / 15)
    cube = topology_metrics("torus-3d", 64)  # 4x4x4, where 64 ** (1/3) is 3.9999...
    assert cube["diameter"] == 6 and cube["bisection_fraction"] == 1.0


def test_fat_tree_levels_follow_the_radix():
    # Radix-64 switches: one switch holds 64 endpoints, two levels 2048, three 65,536.
    assert topology_metrics("fat-tree", 64)["diameter"] == 2
    assert topology_metrics("fat-tree", 2048)["diameter"] == 4
    assert topology_metrics("fat-tree", 2049)["diameter"] == 6
    assert topology_metrics("fat-tree", 65537, radix=64)["diameter"] == 8
    assert topology_metrics("fat-tree", 2049, radix=128)["diameter"] == 4


def test_dragonfly_keeps_about_half_when_large():
    assert topology_metrics("dragonfly", 200000)["bisection_fraction"] == pytest.approx(0.5, abs=0.01)
    assert topology_metrics("dragonfly", 200000)["diameter"] == 5
    assert topology_metrics("dragonfly", 100)["bisection_fraction"] == 1.0  # one group: all-to-all local links


def test_topology_metrics_broadcasts_for_wall_14():
    nodes = np.array([8, 64, 512, 4096])
    m = topology_metrics("torus-3d", nodes, oversubscription=np.array([[1.0], [2.0]]))
    assert m["fraction_of_link"].shape == (2, 4)
    mixed = topology_metrics(np.array(["ring", "fat-tree"], dtype=object), np.array([8, 8]))
    assert mixed["bisection_fraction"].tolist() == [0.5, 1.0]


@settings(max_examples=80, deadline=None)
@given(topology=st.sampled_from(TOPOLOGIES), nodes=st.integers(2, 10**6), extra=st.integers(1, 10**6),
       over=st.floats(1, 16), radix=st.integers(4, 256))
def test_properties(topology, nodes, extra, over, radix):
    m = topology_metrics(topology, nodes, over, radix)
    assert 0 < m["fraction_of_link"] <= m["bisection_fraction"] <= 1
    assert 1 <= m["average_hops"] <= m["diameter"] + 1e-9
    more_taper = topology_metrics(topology, nodes, over * 2, radix)
    assert more_taper["fraction_of_link"] < m["fraction_of_link"]
    bigger = topology_metrics(topology, nodes + extra, over, radix)
    assert bigger["bisection_fraction"] <= m["bisection_fraction"] + 1e-12
    if "tree" in topology or topology == "single-switch":  # a torus's diameter is not monotone (3x3 < 2x4)
        assert bigger["diameter"] >= m["diameter"]


def test_unknown_topology_lists_the_known_ones():
    with pytest.raises(ms.UnknownNameError) as info:
        WALL(link_bandwidth="50 GB/s", topology="hypercube-of-doom", nodes=64)
    message = str(info.value)
    assert "topology" in message and all(t in message for t in TOPOLOGIES)
    with pytest.raises(ms.UnknownNameError, match="torus-2d"):
        WALL(link_bandwidth="50 GB/s", topology="torus2d-x", nodes=64)
    with pytest.raises(ms.UnknownNameError, match="fat-tree"):
        topology_metrics("mesh", 64)


def test_bad_numbers_are_named_errors():
    with pytest.raises(ms.InvalidInputError, match="oversubscription"):
        WALL(link_bandwidth="50 GB/s", topology="fat-tree", nodes=64, oversubscription=0.5)
    with pytest.raises(ms.InvalidInputError, match="nodes"):
        WALL(link_bandwidth="50 GB/s", topology="ring", nodes=1)
    with pytest.raises(ms.InvalidInputError, match="link_bandwidth"):
        WALL(topology="ring", nodes=8)


def test_sweep_over_topologies():
    r = WALL.sweep(link_bandwidth="50 GB/s", topology=["fat-tree", "ring"], nodes=[8, 64])
    fraction = np.asarray(r.outputs["fraction_of_link"], dtype=float)
    assert sorted(fraction.ravel().tolist()) == sorted([1.0, 1.0, 0.5, 4 / 64])


def test_cli_json_and_bad_value(capsys):
    argv = ["wall", "locality", "--link-bandwidth", "400Gb/s", "--topology", "oversubscribed-fat-tree",
            "--nodes", "1024", "--oversubscription", "4"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["effective_bandwidth"] == pytest.approx(12.5e9)
    assert main(["wall", "locality", "--link-bandwidth", "400Gb/s", "--topology", "moebius", "--nodes", "8"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "topology" in err and "fat-tree" in err
