"""The serving scenario, synthesis (Wall 22) and sensitivity (Wall 21) worked examples."""

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.analysis.synthesis import hardware_options
from mlsysim.cli.main import main


def serve(**kw):
    base = dict(model="llama-3-8b", hardware="h100", prompt_tokens=512, output_tokens=256)
    return ms.ServingDeployment(**{**base, **kw}).evaluate()


def test_result_names_and_json():
    r = serve(batch=16, rate="20/s", p99="30 s", price_per_device_hour="$2.99/h")
    for name in ("ttft", "itl", "latency", "throughput", "per_user_tokens_per_s", "max_concurrency", "replicas",
                 "cost_per_million_tokens", "energy_per_token", "carbon_per_million_tokens", "binding_wall"):
        assert r.outputs[name] is not None, name
    assert r.meets_sla and r.p99_latency <= 30
    json.dumps(r.to_dict(), allow_nan=False)


def test_batch_max_is_the_largest_that_fits():
    r = serve(batch="max")
    wall5 = ms.wall("batching")(model="llama-3-8b", sequence_length=768, hardware="h100")
    assert r.batch == r.max_concurrency == wall5.max_batch  # same KV arithmetic as Wall 5


def test_too_large_a_batch_is_infeasible():
    with pytest.raises(ms.InfeasibleError, match="memory"):
        serve(model="llama-3-70b", batch=8)


def test_a_model_too_big_for_one_device_names_the_count_that_fits():
    # Llama 3 70B: 70.6B × 2 bytes = 141 GB of weights, more than one 80 GB H100 holds; two hold
    # the weights and one sequence's cache (the message rounds to a power of two, as TP degrees are).
    with pytest.raises(ms.InfeasibleError, match=r"of one sequence do not fit in 1 device.*; 2 would hold them"):
        serve(model="llama-3-70b", hardware="h100", devices=1, batch=None)
    # Llama 3.1 405B on H100s: 812 GB of weights need more than 10 of 80 GB, so 16 as a power of two.
    with pytest.raises(ms.InfeasibleError, match="16 would hold them"):
        serve(model="llama-3.1-405b", hardware="h100", devices=8, batch=4)


def test_decode_matches_the_serving_wall_at_batch_one():
    # With unit efficiencies and no fixed time per kernel, the scenario's decode step reduces to
    # Wall 4's roofline (plus small terms).
    import dataclasses

    h100 = dataclasses.replace(ms.hardware("h100"), key="h100-no-launch", launch_overhead=None)
    r = serve(batch=1, hardware=h100, matmul_efficiency=1.0, memory_efficiency=1.0)
    wall = ms.wall("serving")(model="llama-3-8b", hardware="h100", prompt_tokens=512, output_tokens=256)
    assert r.decode_step == pytest.approx(wall.itl, rel=0.05)


@settings(max_examples=20, deadline=None)
@given(factor=st.floats(1.0, 4.0))
def test_higher_bandwidth_never_slower_decode(factor):
    base = ms.hardware("h100")
    import dataclasses

    faster = dataclasses.replace(base, key="h100-fast", memory_bandwidth=base.memory_bandwidth * factor)
    slow, fast = serve(batch=8), serve(batch=8, hardware=faster)
    assert fast.itl <= slow.itl * (1 + 1e-12)


def test_more_traffic_needs_more_replicas():
    rates = [1, 10, 100]
    replicas = [serve(batch=32, rate=f"{r}/s", p99="60 s").replicas for r in rates]
    assert replicas == sorted(replicas) and replicas[-1] > replicas[0]


def test_vectorized_equals_the_loop():
    batches = np.array([1, 8, 64])
    vector = ms.scenarios.get("serving")(model="llama-3-8b", hardware="h100", batch=batches)
    for i, b in enumerate(batches):
        assert vector.itl[i] == pytest.approx(serve(batch=int(b), prompt_tokens=1024, output_tokens=256).itl)


# -- Wall 22 worked example ----------------------------------------------------------------

def test_synthesis_140gb_at_50ms():
    # spec, Wall 22: 140 GB at 50 ms per token needs 2.8 TB/s; no single A100 does it; two H100s do.
    r = ms.wall("synthesis")(weight_bytes="140 GB", target_latency="50 ms")
    assert r.required_bandwidth == pytest.approx(2.8e12)
    a100 = [o for o in r.options if o["hardware"] == "a100-80gb-sxm"]
    assert a100 and a100[0]["devices"] >= 2  # 2.04 TB/s and 80 GB: neither fast nor large enough alone
    h100 = hardware_options(140e9, 0.05, candidates=[ms.hardware("h100")])
    assert h100[0]["devices"] == 2  # 2 × 80 GB holds 140 GB; 2 × 3.35 TB/s ≥ 2.8 TB/s



@pytest.mark.parametrize("weight_bytes", [1e9, 140e9, 800e9, 3e12])
def test_synthesis_counts_agree_with_the_hardware_search(weight_bytes):
    # The vectorized counts (sweeps) and the per-accelerator search (scalar options) must agree.
    wall = ms.wall("synthesis")
    scalar = wall(weight_bytes=weight_bytes, target_latency="50 ms", flops="2 TFLOP")
    swept = wall(weight_bytes=np.array([weight_bytes, weight_bytes]), target_latency="50 ms", flops="2 TFLOP")
    options = scalar.options
    fewest = min((o["devices"] for o in options), default=np.nan)
    assert scalar.fewest_devices == pytest.approx(fewest, nan_ok=True)
    assert scalar.single_device_options == sum(o["devices"] == 1 for o in options)
    assert swept.fewest_devices == pytest.approx([fewest, fewest], nan_ok=True)


# -- Wall 21 worked examples --------------------------------------------------------------

def test_sensitivity_decode_is_bandwidth_bound_and_prefill_compute_bound():
    decode = ms.sensitivity(ms.wall("serving"), output="itl", params=["bandwidth", "peak_flops"],
                            model="llama-3-8b", hardware="h100", batch=1)
    assert decode.binding == "bandwidth"
    assert decode.elasticities["bandwidth"] == pytest.approx(-1.0, abs=0.02)
    assert abs(decode.elasticities["peak_flops"]) < 0.05
    prefill = ms.sensitivity(ms.wall("serving"), output="ttft", params=["bandwidth", "peak_flops"],
                             model="llama-3-8b", hardware="h100", prompt_tokens=8192)
    assert prefill.binding == "peak_flops" and prefill.elasticities["peak_flops"] == pytest.approx(-1.0, abs=0.02)


def test_sensitivity_over_a_scenario():
    result = ms.ServingDeployment(model="llama-3-8b", hardware="h100", batch=4).sensitivity(
        output="itl", params=["memory_efficiency", "matmul_efficiency"])
    assert result.binding == "memory_efficiency"


def test_generic_inverse_solves_a_scenario_input():
    job = ms.ServingDeployment(model="llama-3-8b", hardware="h100", batch=16)
    solved = job.solve("itl", "20 ms", "memory_efficiency")
    assert solved.achieved == pytest.approx(0.020, rel=1e-6)


def test_an_unmeetable_p99_is_infeasible():
    with pytest.raises(ms.InfeasibleError, match="p99"):
        serve(model="qwen2.5-32b", devices=2, reasoning_tokens=8000, rate="1/s", p99="120 s")


def test_tensor_parallel_needs_a_scale_up_fabric():
    import dataclasses

    lonely = dataclasses.replace(ms.hardware("h100"), key="no-link", scale_up_fabric="", scale_up_bandwidth=None)
    with pytest.raises(ms.InvalidInputError, match="scale_up"):
        serve(hardware=lonely, devices=2)


def test_weight_precision_is_another_name_for_precision(tmp_path, capsys):
    # The interface names it weight_precision; walls and TrainingJob call it precision.
    fp8 = serve(batch=8, precision="fp8")
    assert serve(batch=8, weight_precision="fp8").itl == fp8.itl
    assert fp8.itl < serve(batch=8).itl  # half the weight bytes per decode step
    job = ms.ServingDeployment(model="llama-3-8b", hardware="h100", weight_precision="fp8")
    assert job.inputs == {"model": "llama-3-8b", "hardware": "h100", "precision": "fp8"}
    with pytest.raises(ms.InvalidInputError, match="weight_precision: the same input as precision"):
        serve(precision="bf16", weight_precision="fp8")
    itl = {}
    for flag in ("--weight-precision", "--precision"):
        assert main(["serve", "llama-3-8b", "h100", "--batch", "8", flag, "fp8", "--json"]) == 0
        itl[flag] = json.loads(capsys.readouterr().out)["outputs"]["itl"]
    assert itl["--weight-precision"] == itl["--precision"]
    path = tmp_path / "fp8.yaml"
    path.write_text("serving:\n  model: llama-3-8b\n  hardware: h100\n  batch: 8\n  weight_precision: fp9\n")
    assert main(["run", str(path)]) == 2
    assert f"{path}:5:" in capsys.readouterr().err  # the line of the key the file used


def _step_parts(**kw):
    from mlsysim.scenarios.fabric import Fabric
    from mlsysim.scenarios.kernels import Rates
    from mlsysim.scenarios.serving_step import decode_step_time

    m, h = ms.model("llama-3-8b"), ms.hardware("h100")
    rates = Rates.of(h, "bf16")
    args = dict(m=m, batch=64.0, context=640.0, tp=1, element=2.0, kv_precision="bf16", rates=rates,
                fabric=Fabric.of(None, h.scale_up_bandwidth, "scale-up"))
    return decode_step_time(**{**args, **kw}), m, rates


def test_in_flight_prefill_joins_the_gemms_but_not_the_memory_bound_kernels():
    # 64 decoding sequences plus one 512-token prompt in the same iteration: the GEMMs run 576 rows
    # over one read of the weights, so the step grows by the extra GEMM arithmetic and the prompt's
    # attention; the decode attention (KV reads) still runs on its own, so nothing hides under it.
    alone, m, rates = _step_parts()
    fused, _, _ = _step_parts(prefill_tokens=512.0, prompt=512.0)
    weights = m.inference.matmul_params - m.hidden * m.vocab  # the layers' GEMM weights, head apart
    # 576 rows pad to 640 on cuBLAS's 128-row tiles (kernels.tile_efficiency)
    # plus the fixed time of each layer's four GEMM kernels (QKV, output, up, down)
    gemm_fused = max(2 * 640 * weights / rates.matmul, weights * 2.0 / rates.memory) + m.layers * 4 * rates.launch
    assert fused["gemm"] == pytest.approx(gemm_fused, rel=0.03)
    assert fused["attention"] > alone["attention"] and fused["elementwise"] > alone["elementwise"]
    assert fused["step"] - alone["step"] >= fused["gemm"] - alone["gemm"]


def test_fp8_weights_keep_16_bit_activations_and_head():
    # 8-bit formats quantize the GEMMs' weights only: the all-reduce and the output head move
    # 16-bit values (ModelOpt FP8 model cards), so at one batch their times match BF16's.
    bf16, m, rates = _step_parts(tp=2)
    fp8, _, _ = _step_parts(tp=2, element=1.0)
    assert fp8["communication"] == pytest.approx(bf16["communication"])
    assert fp8["head"] == pytest.approx(bf16["head"])
    head_read = m.hidden * m.vocab / 2 * 2.0 / rates.memory  # the head's half of the vocabulary, 16-bit
    assert fp8["weight_read_time"] - head_read == pytest.approx((bf16["weight_read_time"] - head_read) / 2)


def test_synthesis_sees_hardware_added_to_the_registry():
    # The search reads a cached table of the registry; adding a chip must invalidate it.
    wall = ms.wall("synthesis")
    before = wall(weight_bytes="140 GB", target_latency="100 ns")
    assert not before.options  # 1.4 EB/s: no group of 64 accelerators in the registry streams that
    registry = ms.hardware
    fast = dataclasses.replace(ms.hardware("h100"), key="test-fast-chip", name="Test fast chip", aliases=(),
                               memory_bytes=200e9, memory_bandwidth=2e18)
    registry.add(fast)
    try:
        after = wall(weight_bytes="140 GB", target_latency="100 ns")
        assert [o["hardware"] for o in after.options] == ["test-fast-chip"]
        assert after.fewest_devices == 1
    finally:
        registry._items.pop("test-fast-chip")
        registry._index = {k: v for k, v in registry._index.items() if v != "test-fast-chip"}
    assert not wall(weight_bytes="140 GB", target_latency="100 ns").options


def test_synthesis_search_with_nothing_allowed_or_nothing_fast_enough_is_empty():
    assert hardware_options(140e9, 0.05, max_devices=0) == []  # no group size allowed
    assert hardware_options(140e15, 1e-9) == []  # 140 PB in 1 ns: nothing in the registry
