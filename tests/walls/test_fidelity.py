"""Wall 13: compression makes a model smaller; only some of it makes the model faster."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main

WALL = ms.wall("fidelity")
# The H100 datasheet's sparse and FP8 peaks are 1,978.9 TFLOP/s against 989.4, i.e. 2.0001×.
H100 = 1e-3
# A GPU with dense BF16/FP8 tensor cores and no 2:4 sparse math (no `peak_sparse`).
DENSE_GPU = ms.Hardware(key="dense-gpu", name="Dense GPU", peak={"bf16": 1e15, "fp8": 2e15},
                        memory_bytes=80e9, memory_bandwidth=3e12)
# A chip with native INT4 math (as some inference accelerators publish).
INT4_CHIP = ms.Hardware(key="int4-chip", name="INT4 chip", peak={"bf16": 1e15, "int8": 2e15, "int4": 4e15},
                        memory_bytes=16e9, memory_bandwidth=1e12)


def test_fp32_to_int8_is_four_times_smaller():
    """Spec, Wall 13: quantization FP32 → INT8 = 4× smaller."""
    r = WALL(source_bits=32, bits=8)
    assert r.compression == pytest.approx(4.0) and r.bits_per_weight == 8
    assert r.speedup == pytest.approx(4.0)  # decode reads a quarter of the bytes
    assert r.compute_speedup == 1.0  # no hardware given: no INT8 math assumed


@pytest.mark.parametrize("hardware", ["h100", DENSE_GPU], ids=["h100", "dense-gpu"])
def test_half_unstructured_sparsity_is_smaller_not_faster(hardware):
    """Spec, Wall 13: 50 % sparse is 2× smaller, yet unstructured pruning gives no speedup on GPU GEMM."""
    for phase in ("prefill", "decode"):
        r = WALL(sparsity=0.5, hardware=hardware, phase=phase)
        assert r.compression == pytest.approx(2.0) and r.speedup == 1.0
        assert r.regime == "smaller but not faster"
    assert "multiplied by dense kernels" in r.explain()


def test_two_four_sparsity_is_up_to_twice_as_fast_on_h100():
    """H100 datasheet: 1,979 TFLOP/s BF16 with 2:4 sparsity against 989.4 dense."""
    r = WALL(source_bits=16, sparsity_type="2:4", hardware="h100", phase="prefill")
    assert r.compute_speedup == pytest.approx(2.0, rel=H100)
    assert r.sparsity_speedup == pytest.approx(2.0, rel=H100)
    assert r.compression == pytest.approx(2.0) and r.regime == "smaller and faster"
    assert WALL(source_bits=16, sparsity="50%", sparsity_type="2:4", hardware="h100").speedup == pytest.approx(2.0, rel=H100)


def test_two_four_needs_sparse_hardware():
    r = WALL(source_bits=16, sparsity_type="2:4", hardware=DENSE_GPU, phase="prefill")
    assert r.compression == pytest.approx(2.0) and r.compute_speedup == 1.0 and r.memory_speedup == 1.0
    assert "no sparse math" in r.explain()
    assert WALL(source_bits=16, sparsity_type="2:4", phase="prefill").speedup == 1.0  # no hardware given


def test_quantization_speeds_up_compute_only_with_the_narrow_math():
    # H100 datasheet, dense: FP8 1,979 vs BF16 989.4 TFLOP/s; INT8 1,979 vs TF32 494.7; no 4-bit math.
    assert WALL(source_bits=16, bits=8, hardware="h100", phase="prefill").speedup == pytest.approx(2.0, rel=H100)
    assert WALL(source_bits=32, bits=8, hardware="h100", phase="prefill").speedup == pytest.approx(4.0, rel=H100)
    int4 = WALL(source_bits=16, bits=4, hardware="h100", phase="prefill")
    assert int4.compute_speedup == 1.0 and int4.regime == "smaller but not faster"
    assert "no 4-bit math" in int4.explain()
    assert WALL(source_bits=16, bits=4, hardware="h100", phase="decode").speedup == pytest.approx(4.0)
    assert WALL(source_bits=16, bits=4, hardware=INT4_CHIP, phase="prefill").speedup == pytest.approx(4.0)


def test_structured_pruning_shrinks_the_gemms():
    r = WALL(sparsity=0.75, sparsity_type="structured", phase="prefill")
    assert r.compute_speedup == pytest.approx(4.0) and r.memory_speedup == pytest.approx(4.0)
    both = WALL(source_bits=16, bits=8, sparsity=0.5, sparsity_type="structured", hardware="h100",
                phase="prefill", method="both")
    assert both.compression == pytest.approx(4.0) and both.compute_speedup == pytest.approx(4.0, rel=H100)


def test_nothing_changed():
    r = WALL(source_bits=16)
    assert r.compression == 1.0 and r.speedup == 1.0 and r.regime == "unchanged"


@settings(max_examples=80)
@given(bits=st.floats(1, 32), more=st.floats(0, 31), sparsity=st.floats(0, 0.99),
       kind=st.sampled_from(["unstructured", "structured"]))
def test_more_bits_never_more_compression(bits, more, sparsity, kind):
    wider = min(bits + more, 32.0)
    narrow = WALL(source_bits=32, bits=bits, sparsity=sparsity, sparsity_type=kind)
    wide = WALL(source_bits=32, bits=wider, sparsity=sparsity, sparsity_type=kind)
    assert wide.compression <= narrow.compression * (1 + 1e-12)


@settings(max_examples=80)
@given(s=st.floats(0, 0.99), more=st.floats(0, 0.99), bits=st.sampled_from([4.0, 8.0, 16.0]))
def test_more_sparsity_never_less_compression(s, more, bits):
    denser = WALL(source_bits=16, bits=bits, sparsity=s)
    sparser = WALL(source_bits=16, bits=bits, sparsity=min(s + more, 0.99))
    assert sparser.compression >= denser.compression


@settings(max_examples=80)
@given(bits=st.sampled_from([2.0, 4.0, 6.0, 8.0, 16.0, 32.0]), sparsity=st.floats(0, 0.95),
       kind=st.sampled_from(["unstructured", "structured"]), phase=st.sampled_from(["decode", "prefill"]),
       hardware=st.sampled_from(["h100", DENSE_GPU, INT4_CHIP, None]))
def test_never_faster_than_smaller_and_unstructured_never_faster(bits, sparsity, kind, phase, hardware):
    r = WALL(source_bits=32, bits=bits, sparsity=sparsity, sparsity_type=kind, hardware=hardware, phase=phase)
    assert 1.0 <= r.speedup <= r.compression * (1 + 1e-3)
    if kind == "unstructured":
        dense = WALL(source_bits=32, bits=bits, hardware=hardware, phase=phase)
        assert r.speedup == pytest.approx(dense.speedup)


def test_broadcasts_over_choices_and_hardware():
    r = WALL(source_bits=16, sparsity_type=["unstructured", "structured", "2:4"], hardware="h100", phase="prefill")
    assert r.sparsity_speedup == pytest.approx([1.0, 1.0, 2.0], rel=H100)  # sparsity defaults to 0 (50 % only for 2:4)
    r = WALL(source_bits=16, sparsity_type="2:4", hardware=["h100", DENSE_GPU], phase="prefill")
    assert r.compute_speedup == pytest.approx([2.0, 1.0], rel=H100)
    assert list(r.regime) == ["smaller and faster", "smaller but not faster"]
    r = WALL(source_bits=16, bits=np.array([16.0, 8.0, 4.0]), hardware="h100", phase="prefill")
    assert r.compute_speedup == pytest.approx([1.0, 2.0, 1.0], rel=H100)


def test_unknown_choices_list_the_known_ones():
    with pytest.raises(ms.UnknownNameError, match="known: both, pruning, quantization"):
        WALL(bits=8, method="magic")
    with pytest.raises(ms.UnknownNameError, match="known: 2:4, structured, unstructured"):
        WALL(sparsity=0.5, sparsity_type="blocky")
    with pytest.raises(ms.UnknownNameError, match="known: decode, prefill"):
        WALL(bits=8, phase="training")
    with pytest.raises(ms.UnknownNameError, match="2:4"):
        WALL(sparsity_type="2:8")  # close to a known name: suggested
    with pytest.raises(ms.UnknownNameError, match="hardware"):
        WALL(bits=8, hardware="no-such-chip")


@pytest.mark.parametrize("inputs, match", [
    ({"sparsity": 1.0}, "sparsity"),
    ({"sparsity": 1.5}, "sparsity"),
    ({"sparsity": -0.1}, "sparsity"),
    ({"bits": 64}, "bits: 64 is more than source_bits"),
    ({"bits": 0}, "bits"),
    ({"source_bits": float("nan")}, "source_bits"),
    ({"sparsity": 0.3, "sparsity_type": "2:4"}, "2:4 keeps 2 of every 4"),
    ({"bits": 8, "method": "pruning"}, "method"),
    ({"sparsity": 0.5, "method": "quantization"}, "method"),
    ({"bits": 8, "method": "both"}, "method"),
    ({"bits": "8 GB"}, "bits"),
])
def test_bad_inputs_are_named(inputs, match):
    with pytest.raises(ms.InvalidInputError, match=match):
        WALL(**inputs)


def test_cli(capsys):
    assert main(["wall", "fidelity", "--source-bits", "32", "--bits", "8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["compression"] == pytest.approx(4.0)
    assert main(["wall", "fidelity", "--source-bits", "16", "--sparsity-type", "2:4", "--hardware", "h100",
                 "--phase", "prefill", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["speedup"] == pytest.approx(2.0, rel=H100)
    for argv, name in ((["--sparsity", "1.5"], "sparsity"), (["--method", "magic"], "method"),
                       (["--bits", "48"], "bits"), (["--sparsity-type", "blocky"], "sparsity_type")):
        assert main(["wall", "fidelity", *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and name in err and "Traceback" not in err
