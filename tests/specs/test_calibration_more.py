"""More calibrated constants: matmul fractions at other precisions, fused-attention backward
efficiency, and a collective library's fixed per-call latency.

DESIGN principle 6: each is a named, sourced field of a spec (never a magic number in code), and
none is taken from the published measurements the project is validated against.
"""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

import mlsysim as ms
from mlsysim.errors import InvalidInputError, UnknownNameError
from mlsysim.specs import registry
from mlsysim.specs.hardware import from_record
from mlsysim.validation import records as validation_records
from mlsysim.validation.categories._common import same_source


def _raw(filename: str) -> dict:
    text = resources.files("mlsysim.specs").joinpath("data", filename).read_text("utf-8")
    return yaml.safe_load(text)


def _calibrated():
    """(kind, key, source key, value, spec) for every new calibrated number that is set."""
    found = []
    for hw in registry("hardware").all():
        for precision, value in hw.matmul_efficiency_by_precision.items():
            found.append(("hardware", hw.key, f"matmul_efficiency_by_precision.{precision}", value, hw))
        if hw.attention_backward_efficiency is not None:
            found.append(("hardware", hw.key, "attention_backward_efficiency", hw.attention_backward_efficiency, hw))
    for net in registry("network").all():
        if net.collective_call_latency is not None:
            found.append(("network", net.key, "collective_call_latency", net.collective_call_latency, net))
    return found


CALIBRATED = _calibrated()
IDS = [f"{kind}:{key}.{field}" for kind, key, field, _, _ in CALIBRATED]


def test_the_fields_the_brief_asks_for_are_set():
    have = {(key, field) for _, key, field, _, _ in CALIBRATED}
    for key in ("h100-sxm", "h200", "h800", "b200", "gb200", "mi300x", "mi325x", "gaudi3"):
        assert (key, "matmul_efficiency_by_precision.fp8") in have, key
    for key in ("mi300x", "mi325x"):
        assert (key, "matmul_efficiency_by_precision.fp16") in have, key
    assert ("h100-sxm", "attention_backward_efficiency") in have
    for key in ("nvlink4", "nvswitch-h100", "ib-ndr", "pcie5-x16", "infinity-fabric-mi300x"):
        assert (key, "collective_call_latency") in have, key


@pytest.mark.parametrize(("kind", "key", "field", "value", "spec"), CALIBRATED, ids=IDS)
def test_values_are_physical(kind, key, field, value, spec):
    if field == "collective_call_latency":
        assert 1e-6 <= value < 1e-4  # microseconds: more than one step's alpha, far less than a transfer
        assert spec.collective_latency is None or value > spec.collective_latency
    else:
        assert 0.0 < value <= 1.0


@pytest.mark.parametrize(("kind", "key", "field", "value", "spec"), CALIBRATED, ids=IDS)
def test_each_value_has_its_own_source(kind, key, field, value, spec):
    raw = _raw("hardware.yaml" if kind == "hardware" else "networks.yaml")[key]
    own = raw.get("sources") or {}
    group = field.split(".")[0]
    assert field in own or group in own, f"{key}.{field} falls back on the record's datasheet source"
    source = spec.sources[field]
    assert source.title and source.date and source.location
    assert source.url.startswith("https://")


@pytest.mark.parametrize(("kind", "key", "field", "value", "spec"), CALIBRATED, ids=IDS)
def test_no_value_is_sourced_from_a_validation_record(kind, key, field, value, spec):
    """Neither a record id nor a record's own document (same issue, arXiv id, URL or title)."""
    published = validation_records.load()
    source = spec.sources[field]
    assert not any(r.id in source.title for r in published), (key, field)
    leaks = [r.id for r in published if same_source(r, source)]
    assert not leaks, f"{kind} {key}.{field} is sourced from the document of {leaks}"


def test_every_precision_fraction_has_a_peak_to_apply_to():
    for hw in registry("hardware").all():
        for precision in hw.matmul_efficiency_by_precision:
            assert hw.has_precision(precision), (hw.key, precision)


# Spot checks: each value is the arithmetic its comment and source give (measured ÷ datasheet).
@pytest.mark.parametrize(("key", "precision", "measured"), [
    ("h100-sxm", "fp8", 1402.6e12),  # MAMF FP8 table, row NVIDIA H100 SXM
    ("h200", "fp8", 1453.4e12),  # MAMF FP8 table, row NVIDIA H200 SXM
    ("b200", "fp8", 3432.5e12),  # MAMF FP8 table, row NVIDIA B200 SXM
    ("gb200", "fp8", 3615.6e12),  # MAMF FP8 table, row NVIDIA GB200 SXM
    ("gaudi3", "fp8", 1289.5e12),  # MAMF FP8 table, row Intel Gaudi 3, against the datasheet's 1835
    ("mi300x", "fp8", 1273e12),  # AMD MAF blog part 2, Table 1
    ("mi300x", "fp16", 654e12),  # AMD MAF blog part 2, Table 1
    ("mi325x", "fp8", 1519e12),  # AMD MAF blog part 2, Table 1
])
def test_precision_fractions_match_their_sources(key, precision, measured):
    hw = ms.hardware(key)
    assert hw.matmul_efficiency_by_precision[precision] == pytest.approx(
        measured / hw.peak_flops(precision), abs=6e-4)


def test_attention_backward_fraction_matches_flashattention3():
    hw = ms.hardware("h100-sxm")  # 561 TFLOP/s backward, head dim 128, over the dense BF16 peak
    assert hw.attention_backward_efficiency == pytest.approx(561e12 / hw.peak_flops("bf16"), abs=6e-4)
    assert hw.attention_backward_efficiency < hw.attention_efficiency  # backward is the slower pass
    for sibling in ("h200", "h800"):  # same die and clocks; the reuse is said in the source
        other = ms.hardware(sibling)
        assert other.attention_backward_efficiency == hw.attention_backward_efficiency
        assert "H100 SXM5" in other.sources["attention_backward_efficiency"].location


def test_collective_call_latency_is_nccls_base_latency():
    net = registry("network")
    for key in ("nvlink3", "nvswitch-h100", "ib-ndr", "ethernet-400g", "pcie4-x16"):
        assert net(key).collective_call_latency == pytest.approx(6.6e-6)  # baseLat Ring/LL
        assert "baseLat" in net(key).sources["collective_call_latency"].location
    assert net("infinity-fabric-mi300x").collective_call_latency == pytest.approx(12e-6)  # RCCL baseLat
    assert net("tpu-v5p-ici").collective_call_latency is None  # no NCCL there: left unset


# matmul_fraction: the precision's own value, else the BF16 matmul_efficiency, else 1.0.
def test_matmul_fraction_prefers_the_precisions_own_value():
    hw = ms.hardware("mi300x")
    assert hw.matmul_fraction("fp8") == hw.matmul_efficiency_by_precision["fp8"]
    assert hw.matmul_fraction("float16") == hw.matmul_efficiency_by_precision["fp16"]  # names canonicalised
    assert hw.matmul_fraction("fp8") != hw.matmul_efficiency


def test_matmul_fraction_falls_back_to_matmul_efficiency():
    hw = ms.hardware("h100-sxm")
    assert "bf16" not in hw.matmul_efficiency_by_precision
    assert hw.matmul_fraction("bf16") == hw.matmul_efficiency
    assert hw.matmul_fraction() == hw.matmul_efficiency
    assert hw.matmul_fraction("tf32") == hw.matmul_efficiency  # not measured at TF32: the BF16 figure


def test_matmul_fraction_is_one_without_any_calibration():
    hw = ms.hardware("a10")
    assert hw.matmul_efficiency is None and not hw.matmul_efficiency_by_precision
    assert hw.matmul_fraction("bf16") == 1.0
    bare = ms.Hardware(key="bare", name="Bare chip", peak={"bf16": 1e15})
    assert bare.matmul_fraction("bf16") == 1.0 and bare.matmul_efficiency_by_precision == {}


def test_matmul_fraction_rejects_unknown_precisions():
    with pytest.raises(UnknownNameError):
        ms.hardware("h100-sxm").matmul_fraction("fp7")


def _record(**extra):
    return {"name": "Test chip", "peak": {"bf16": "100 TFLOPS", "fp8": "200 TFLOPS"},
            "source": {"title": "A datasheet", "date": "2025"}, **extra}


def test_the_table_is_parsed_like_peak():
    hw = from_record("test-chip", _record(matmul_efficiency_by_precision={"FP8-E4M3": "70%", "bfloat16": 0.8},
                                          sources={"matmul_efficiency_by_precision": {
                                              "title": "A GEMM benchmark", "date": "2025"}}))
    assert hw.matmul_efficiency_by_precision == {"fp8": pytest.approx(0.7), "bf16": pytest.approx(0.8)}
    assert hw.sources["matmul_efficiency_by_precision.fp8"].title == "A GEMM benchmark"
    assert hw.sources["peak.bf16"].title == "A datasheet"


def test_the_table_needs_a_source_and_fractions_of_at_most_one():
    sourced = from_record("test-chip", _record(matmul_efficiency_by_precision={"fp8": 0.7}))
    assert sourced.sources["matmul_efficiency_by_precision.fp8"].title == "A datasheet"  # the record's source
    unsourced = _record(matmul_efficiency_by_precision={"fp8": 0.7})
    del unsourced["source"]
    with pytest.raises(InvalidInputError, match="without a source"):
        from_record("test-chip", unsourced)
    with pytest.raises(InvalidInputError, match="at most 1"):
        from_record("test-chip", _record(matmul_efficiency_by_precision={"fp8": 1.2}))
    with pytest.raises(InvalidInputError):
        from_record("test-chip", _record(matmul_efficiency_by_precision={"fp8": 0}))
    with pytest.raises(InvalidInputError):
        from_record("test-chip", _record(attention_backward_efficiency=-0.5))
