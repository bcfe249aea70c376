"""Calibrated constants: achievable fractions of peak and collective α are sourced measurements.

DESIGN principle 6: a calibrated constant is a named field of a spec with its own source, never a
magic number, and never taken from the published measurements the project is validated against.
"""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

import mlsysim as ms
from mlsysim.specs import registry
from mlsysim.validation import records as validation_records
from mlsysim.validation.categories._common import same_source

HARDWARE_FIELDS = ("matmul_efficiency", "memory_efficiency", "attention_efficiency", "launch_overhead")
NETWORK_FIELDS = ("collective_efficiency", "collective_latency")
FRACTIONS = {"matmul_efficiency", "memory_efficiency", "attention_efficiency", "collective_efficiency"}


def _raw(filename: str) -> dict:
    text = resources.files("mlsysim.specs").joinpath("data", filename).read_text("utf-8")
    return yaml.safe_load(text)


def _calibrated():
    """(kind, key, field, spec) for every calibrated field that is set."""
    found = []
    for kind, fields in (("hardware", HARDWARE_FIELDS), ("network", NETWORK_FIELDS)):
        for spec in registry(kind).all():
            found += [(kind, spec.key, f, spec) for f in fields if getattr(spec, f) is not None]
    return found


CALIBRATED = _calibrated()
IDS = [f"{kind}:{key}.{field}" for kind, key, field, _ in CALIBRATED]


def test_the_fields_the_brief_asks_for_are_calibrated():
    have = {(key, field) for _, key, field, _ in CALIBRATED}
    for key in ("a100-80gb-sxm", "h100-sxm", "h200", "b200", "gb200", "mi300x", "gaudi2", "gaudi3"):
        assert (key, "matmul_efficiency") in have, key
    for key in ("v100-sxm2-32gb", "a100-80gb-sxm", "h100-sxm", "h100-pcie", "h200", "mi300x"):
        assert (key, "memory_efficiency") in have, key
    for key in ("nvlink3", "nvlink4", "ib-ndr"):
        assert (key, "collective_efficiency") in have and (key, "collective_latency") in have, key


@pytest.mark.parametrize(("kind", "key", "field", "spec"), CALIBRATED, ids=IDS)
def test_values_are_physical(kind, key, field, spec):
    value = getattr(spec, field)
    if field in FRACTIONS:
        assert 0.0 < value <= 1.0
    else:  # a time: launch overhead or a per-step collective latency, microseconds at most
        assert 0.0 < value < 1e-4


@pytest.mark.parametrize(("kind", "key", "field", "spec"), CALIBRATED, ids=IDS)
def test_each_calibrated_field_has_its_own_source(kind, key, field, spec):
    raw = _raw("hardware.yaml" if kind == "hardware" else "networks.yaml")[key]
    own = (raw.get("sources") or {}).get(field)
    assert own, f"{key}.{field} falls back on the record's datasheet source; it needs its own"
    source = spec.sources[field]
    assert source.title and source.date and source.location
    assert source.url.startswith("https://")


def test_no_calibration_is_sourced_from_a_validation_record():
    """Neither a record id nor a record's own document (same issue, arXiv id, URL or title)."""
    published = validation_records.load()
    ids = {r.id for r in published}
    for kind, key, field, spec in CALIBRATED:
        source = spec.sources[field]
        assert source.title not in ids and not any(i in source.title for i in ids), (key, field)
        leaks = [r.id for r in published if same_source(r, source)]
        assert not leaks, f"{kind} {key}.{field} is sourced from the document of {leaks}"


# Spot checks: each value is the arithmetic its comment and source give (measured ÷ datasheet).
@pytest.mark.parametrize(("key", "field", "measured", "peak"), [
    ("h100-sxm", "matmul_efficiency", 794.5e12, "bf16"),  # MAMF table, row NVIDIA H100 SXM
    ("a100-80gb-sxm", "matmul_efficiency", 271.2e12, "bf16"),  # MAMF table, row NVIDIA A100 SXM
    ("b200", "matmul_efficiency", 1745e12, "bf16"),  # MAMF table, row NVIDIA B200 SXM
    ("mi300x", "matmul_efficiency", 708e12, "bf16"),  # AMD MAF blog part 2, Table 1
    ("gaudi3", "matmul_efficiency", 1243e12, "bf16"),  # MAMF table, row Intel Gaudi 3, against 1835
    ("a100-80gb-sxm", "attention_efficiency", 230e12, "bf16"),  # FlashAttention-2, section 4
    ("h100-sxm", "attention_efficiency", 648e12, "bf16"),  # FlashAttention-3 v1, Figure 5(c)
    ("b200", "attention_efficiency", 1613e12, "bf16"),  # FlashAttention-4, abstract
])
def test_compute_fractions_match_their_sources(key, field, measured, peak):
    hw = ms.hardware(key)
    assert getattr(hw, field) == pytest.approx(measured / hw.peak_flops(peak), abs=6e-4)


@pytest.mark.parametrize(("key", "measured"), [
    ("h100-sxm", 2.97e12),  # Azure ND H100 v5, BabelStream triad
    ("h200", 4.15e12),  # Azure ND H200 v5, BabelStream triad
    ("mi300x", 4.09e12),  # Azure ND MI300X v5, BabelStream triad
    ("h100-pcie", 1832e9),  # gpu-benches gpu-stream, H100 PCIe triad
    ("v100-sxm2-32gb", 814e9),  # gpu-benches gpu-stream, V100 triad
])
def test_memory_fractions_match_their_sources(key, measured):
    hw = ms.hardware(key)
    assert hw.memory_efficiency == pytest.approx(measured / hw.memory_bandwidth, abs=6e-4)


@pytest.mark.parametrize(("key", "busbw"), [
    ("nvlink3", 231.58e9),  # Azure ND A100 v4 all-reduce at 8 GB
    ("nvlink4", 367.2e9),  # 8x H200 ring all-reduce, NVLS off (ML Engineering, SHARP section)
    ("nvlink5", 682.2e9),  # 8x B200 ring all-reduce, NVLS off
    ("ib-hdr", 24e9),  # NCCL maintainer: 24 GB/s per 200G NIC
    ("ib-ndr", 47e9),  # NCCL engineer: 46-48 GB/s per NDR NIC
])
def test_collective_efficiencies_match_their_sources(key, busbw):
    net = registry("network")(key)
    assert net.collective_efficiency == pytest.approx(busbw / net.bandwidth, abs=6e-4)


def test_collective_latency_is_nccls_per_step_model():
    net = registry("network")
    assert net("nvswitch-h100").collective_latency == pytest.approx(0.6e-6)  # hwLat NVLINK Ring/LL
    assert net("pcie5-x16").collective_latency == pytest.approx(1.0e-6)  # hwLat PCI Ring/LL
    assert net("ib-ndr").collective_latency == pytest.approx(2.7e-6)  # hwLat NET Ring/LL


def test_reused_values_say_so():
    """A value carried over from a sibling part names the part it was measured on."""
    for key, field in (("h200", "matmul_efficiency"), ("h800", "memory_efficiency"),
                       ("a100-40gb-sxm", "attention_efficiency"), ("l40s", "memory_efficiency")):
        assert getattr(ms.hardware(key), field) is not None
    assert "H200 is the same" in ms.hardware("h200").sources["matmul_efficiency"].location
    assert "L40" in ms.hardware("l40s").sources["memory_efficiency"].location
    assert "A100 80GB SXM4" in ms.hardware("a100-40gb-sxm").sources["attention_efficiency"].location
    bridge = registry("network")("nvlink-bridge-h100-pcie").sources["collective_efficiency"]
    assert "assumption" in bridge.location
