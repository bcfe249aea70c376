"""Walls 1–7 beyond the contract: published numbers, limits, and the physics they must respect."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main


# -- 1 compute -----------------------------------------------------------------------------

def test_compute_states_flops_and_multiply_adds():
    r = ms.wall("compute")(flops="16 GMAC", peak_flops="989 TFLOPS", efficiency=0.5)
    assert r.flops == 32e9 and r.multiply_adds == 16e9
    assert "multiply-add" in r.explain() and "FLOP" in r.explain()


def test_compute_peak_from_hardware_and_precision():
    # H100 SXM datasheet: 989.4 TFLOP/s dense BF16, 1,978.9 TFLOP/s dense FP8.
    bf16 = ms.wall("compute")(flops=1e15, hardware="h100", efficiency=1.0)
    fp8 = ms.wall("compute")(flops=1e15, hardware="h100", precision="fp8", efficiency=1.0)
    assert bf16.peak_flops == pytest.approx(989.4e12)
    assert fp8.time == pytest.approx(bf16.time / 2, rel=1e-3)


# -- 2 memory ------------------------------------------------------------------------------

def test_roofline_regimes_and_ridge():
    wall = ms.wall("memory")
    low = wall(weight_bytes="1 GB", hardware="h100", flops="2 GFLOP")
    high = wall(weight_bytes="1 GB", hardware="h100", flops="1 PFLOP")
    assert low.regime == "memory-bound" and high.regime == "compute-bound"
    assert low.ridge_point == pytest.approx(989.4e12 / 3.35e12)
    assert high.attainable_flops == pytest.approx(989.4e12)
    assert high.bound_time == pytest.approx(1e15 / 989.4e12)


@given(bandwidth=st.floats(1e9, 1e13), factor=st.floats(1.0, 100.0))
def test_more_bandwidth_never_more_time(bandwidth, factor):
    wall = ms.wall("memory")
    assert wall(weight_bytes=1e10, bandwidth=bandwidth * factor).time <= wall(weight_bytes=1e10, bandwidth=bandwidth).time


# -- 3 software ----------------------------------------------------------------------------

def test_hfu_counts_recomputation():
    wall = ms.wall("software")
    none = wall(achieved_flops="400 TFLOPS", peak_flops="989 TFLOPS")
    full = wall(achieved_flops="400 TFLOPS", peak_flops="989 TFLOPS", recompute="full")
    assert none.hfu == pytest.approx(none.mfu)
    assert full.hfu == pytest.approx(full.mfu * 4 / 3)  # one extra forward on top of 3× forward


def test_mfu_from_throughput_uses_6n_plus_attention():
    model = ms.model("llama-3-8b")
    r = ms.wall("software")(tokens_per_second="3.2M/s", model=model, devices=1024, hardware="h100",
                            sequence_length=8192)
    per_token = r.model_flops_per_token
    six_n = 6 * model.params
    assert six_n < per_token < 6 * model.params * 1.25  # the attention term adds ~15 % at 8k context
    assert r.achieved_flops == pytest.approx(3.2e6 * per_token / 1024)


def test_mfu_above_one_is_rejected():
    with pytest.raises(ms.InvalidInputError, match="exceeds the peak"):
        ms.wall("software")(achieved_flops="1000 TFLOPS", peak_flops="989 TFLOPS")


# -- 4 serving -----------------------------------------------------------------------------

def test_decode_is_memory_bound_and_prefill_compute_bound():
    r = ms.wall("serving")(model="llama-3-8b", hardware="h100", prompt_tokens=4096)
    assert r.regime == "memory-bound" and r.prefill_regime == "compute-bound"


def test_tensor_parallel_splits_the_decode_step():
    one = ms.wall("serving")(model="llama-3-70b", hardware="h100")
    two = ms.wall("serving")(model="llama-3-70b", hardware="h100", devices=2)
    assert two.itl == pytest.approx(one.itl / 2)
    assert two.memory_available == 2 * one.memory_available


def test_batching_raises_throughput_until_compute_binds():
    batches = np.array([1, 8, 64, 512, 4096])
    r = ms.wall("serving")(model="llama-3-8b", hardware="h100", batch=batches, prompt_tokens=128,
                           output_tokens=128)
    assert np.all(np.diff(r.throughput) >= -1e-9) and np.all(np.diff(r.throughput[:3]) > 0)  # saturates
    assert r.regime[0] == "memory-bound" and r.regime[-1] == "compute-bound"


def test_moe_decode_reads_only_touched_experts():
    # Mixtral 8x7B routes each token to 2 of 8 experts: at batch 1 a step reads ~13B of 46.7B weights.
    r = ms.wall("serving")(model="mixtral-8x7b", hardware="h100", prompt_tokens=16, output_tokens=2)
    active_bytes = 2 * ms.model("mixtral-8x7b").active_params
    assert r.decode_bytes == pytest.approx(active_bytes, rel=0.03)
    big = ms.wall("serving")(model="mixtral-8x7b", hardware="h100", batch=256, prompt_tokens=16, output_tokens=2)
    assert big.decode_bytes > 3 * r.decode_bytes


@settings(max_examples=30)
@given(bandwidth=st.floats(5e11, 8e12), factor=st.floats(1.0, 10.0))
def test_higher_bandwidth_never_slower_decode(bandwidth, factor):
    wall = ms.wall("serving")
    slow = wall(model="llama-3-8b", bandwidth=bandwidth, peak_flops=1e15, batch=8)
    fast = wall(model="llama-3-8b", bandwidth=bandwidth * factor, peak_flops=1e15, batch=8)
    assert fast.itl <= slow.itl


def test_sweep_over_hardware_and_models():
    r = ms.wall("serving").sweep(model=["llama-3-8b", "llama-3-70b"], hardware="h100", batch=[1, 16])
    assert len(r) == 4 and r["itl"][0] < r["itl"][2]


# -- 5 batching ----------------------------------------------------------------------------

def test_gqa_and_mla_shrink_the_cache():
    wall = ms.wall("batching")
    llama = wall(model="llama-3-8b", sequence_length=1)
    assert llama.kv_bytes_per_token == 2 * 32 * 8 * 128 * 2  # GQA: 8 KV heads of 32
    # DeepSeek-V3 caches a 512-wide latent plus a 64-wide RoPE key per layer (MLA), 61 layers.
    deepseek = wall(model="deepseek-v3", sequence_length=1)
    assert deepseek.kv_bytes_per_token == 61 * (512 + 64) * 2


def test_fp8_cache_doubles_the_batch_that_fits():
    wall = ms.wall("batching")
    bf16 = wall(model="llama-3-8b", sequence_length=8192, hardware="h100", reserve=0.0)
    fp8 = wall(model="llama-3-8b", sequence_length=8192, hardware="h100", reserve=0.0, kv_precision="fp8")
    assert fp8.max_batch in (2 * bf16.max_batch, 2 * bf16.max_batch + 1)


def test_weights_that_do_not_fit_are_named():
    r = ms.wall("batching")(model="llama-3-70b", sequence_length=4096, hardware="h100")
    assert r.regime == "weights do not fit" and r.max_batch == 0


# -- 6 streaming ---------------------------------------------------------------------------

def test_streaming_flips_from_injection_to_compute_bound():
    wall = ms.wall("streaming")
    decode = wall(model="llama-3-70b", injection_bandwidth="1.2 Tb/s", peak_flops="125 PFLOPS", tokens=1)
    train = wall(model="llama-3-70b", injection_bandwidth="1.2 Tb/s", peak_flops="125 PFLOPS", tokens="4M")
    assert decode.regime == "injection-bound" and train.regime == "compute-bound"
    # balance: compute per token per weight byte = 2 FLOPs / 2 bytes; 125e15 / 150e9 ≈ 833k tokens
    assert decode.balance_tokens == pytest.approx(125e15 * 2 / (2 * 150e9))


# -- 7 tail latency ------------------------------------------------------------------------

@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_mm1_reduces_to_textbook_formulas(rho):
    r = ms.wall("tail-latency")(arrival_rate=rho, service_rate=1.0, servers=1)
    assert r.probability_wait == pytest.approx(rho)
    assert r.mean_wait == pytest.approx(rho / (1.0 - rho))


def test_erlang_c_published_values():
    # published.json queue-erlangc-A10-N12: 0.449388; queue-erlangc-A0.8-N1: 0.8
    wall = ms.wall("tail-latency")
    assert wall(arrival_rate=10, service_rate=1, servers=12).probability_wait == pytest.approx(0.449388, rel=1e-5)
    assert wall(arrival_rate=0.8, service_rate=1, servers=1).probability_wait == pytest.approx(0.8)


def test_stable_for_ten_thousand_servers():
    r = ms.wall("tail-latency")(arrival_rate=9900, service_rate=1, servers=10_000)
    assert 0 < r.probability_wait < 1 and np.isfinite(r.response_p99)
    light = ms.wall("tail-latency")(arrival_rate=100, service_rate=1, servers=10_000)
    assert light.probability_wait == 0.0 and light.response_p99 == pytest.approx(np.log(100))


def test_analytic_p99_matches_simulation():
    from mlsysim.sim.queue import simulate_queue

    r = ms.wall("tail-latency")(arrival_rate=8, service_rate=1, servers=10)
    sim = simulate_queue(8.0, 1.0, 10, requests=300_000, seed=1)
    # 270k post-warm-up samples: the simulated P99 is within a few percent of the true one.
    assert np.quantile(sim["response"], 0.99) == pytest.approx(r.response_p99, rel=0.05)
    assert np.mean(sim["wait"] > 0) == pytest.approx(r.probability_wait, abs=0.02)
    assert np.mean(sim["wait"]) == pytest.approx(r.mean_wait, rel=0.08)


@given(servers=st.integers(1, 50), extra=st.integers(0, 50), load=st.floats(0.05, 0.95))
def test_more_servers_never_more_waiting(servers, extra, load):
    wall = ms.wall("tail-latency")
    rate = load * servers
    few = wall(arrival_rate=rate, service_rate=1, servers=servers)
    many = wall(arrival_rate=rate, service_rate=1, servers=servers + extra)
    assert many.mean_wait <= few.mean_wait * (1 + 1e-9)
    assert many.response_p99 <= few.response_p99 * (1 + 1e-9)


def test_unstable_queue_is_infeasible_in_python_and_cli(capsys):
    with pytest.raises(ms.InfeasibleError, match="unstable"):
        ms.wall("tail-latency")(arrival_rate=2, service_rate=1)
    assert main(["wall", "tail-latency", "--arrival-rate", "2/s", "--service-rate", "1/s"]) == 3
    assert "unstable" in capsys.readouterr().err
