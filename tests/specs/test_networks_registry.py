"""The network registry: coverage, per-direction bandwidths, look-ups and spot checks."""

import math

import pytest

import mlsysim as ms
from mlsysim.specs.networks import KINDS, _QUANTITIES, from_record
from mlsysim.specs.registry import normalize

ALL = ms.network.all()


def test_registry_loads_at_least_18_records():
    assert len(ALL) >= 18, len(ALL)


def test_coverage():
    keys = set(ms.network.names())
    for key in ("nvlink2", "nvlink3", "nvlink4", "nvlink5", "nvswitch-a100", "nvswitch-h100", "nvl72",
                "ib-edr", "ib-hdr", "ib-ndr", "ib-xdr", "ethernet-100g", "ethernet-200g", "ethernet-400g",
                "ethernet-800g", "pcie3-x16", "pcie4-x16", "pcie5-x16", "pcie6-x16", "tpu-v4-ici",
                "tpu-v5p-ici", "infinity-fabric-mi300x"):
        assert key in keys, key
    assert {n.kind for n in ALL} <= set(KINDS)


@pytest.mark.parametrize("query, key", [
    ("ndr", "ib-ndr"),
    ("InfiniBand NDR", "ib-ndr"),
    ("NVLink 4", "nvlink4"),
    ("nvlink-4", "nvlink4"),
    ("400GbE", "ethernet-400g"),
    ("PCIe 5.0 x16", "pcie5-x16"),
    ("trillium", "tpu-v6e-ici"),
])
def test_tolerant_lookups(query, key):
    assert ms.network(query).key == key


def test_aliases_do_not_shadow_other_records():
    owner = {}
    for n in ALL:
        for name in (n.key, n.name, *n.aliases):
            other = owner.setdefault(normalize(name), n.key)
            assert other == n.key, f"{name!r} of {n.key} already names {other}"


@pytest.mark.parametrize("net", ALL, ids=lambda n: n.key)
def test_every_number_has_a_source_and_adds_up(net):
    for name in (*_QUANTITIES, "links"):
        if getattr(net, name) is not None:
            source = net.sources.get(name)
            assert source is not None and source.title and source.date and source.url, f"{net.key}.{name}"
    # Per-device bandwidth is the links times the per-link rate (PCIe rounds per lane).
    if net.links and net.link_bandwidth and net.bandwidth:
        assert math.isclose(net.links * net.link_bandwidth, net.bandwidth, rel_tol=0.01), net.key


def test_a_number_without_a_source_fails_to_load():
    with pytest.raises(ms.InvalidInputError, match="without a source"):
        from_record("bare", {"name": "Bare", "kind": "other", "bandwidth": "1 GB/s"})


def close(value, expected):
    return math.isclose(value, expected, rel_tol=1e-9)


def test_datasheet_spot_checks():
    net = ms.network
    # NVLink 4 on H100: 18 links, 900 GB/s bidirectional -> 450 GB/s per direction.
    assert close(net("nvlink4").bandwidth, 450e9)
    assert net("nvlink4").links == 18
    # NVIDIA NVLink page: Blackwell, 18 x 100 GB/s = 1.8 TB/s bidirectional -> 900 GB/s each way.
    assert close(net("nvlink5").bandwidth, 900e9)
    # One NDR 400 Gb/s port = 50 GB/s.
    assert close(net("ndr").bandwidth, 50e9)
    # PCIe 5.0 x16: 63 GB/s per direction (Wikipedia comparison table).
    assert close(net("pcie5").bandwidth, 63e9)
    # Google Cloud TPU v5p docs: 1,200 GBps bidirectional ICI per chip -> 600 GB/s each way.
    assert close(net("tpu-v5p").bandwidth, 600e9)
    # The hardware registry's H100 names this fabric, and the numbers agree.
    h100 = ms.hardware("h100")
    assert close(net(h100.scale_up_fabric).bandwidth, h100.scale_up_bandwidth)
