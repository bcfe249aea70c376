"""Where a serving replica's time goes: the kinds of work in a prefill and a step, and what bounds decode."""

import numpy as np
import pytest

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.scenarios.serving_outputs import WORK_KINDS


def serve(**kw):
    base = dict(model="llama-2-7b", hardware="h100", prompt_tokens=128, output_tokens=128, precision="fp8",
                kv_precision="fp8")
    return ms.ServingDeployment(**{**base, **kw}).evaluate()


@pytest.mark.parametrize("kw", [dict(batch=1), dict(batch="max"), dict(batch=64, batching="static"),
                                dict(model="llama-3-70b", devices=4, batch=16, prompt_tokens=2048)])
def test_the_shares_of_a_prefill_and_of_a_step_add_up_to_all_of_it(kw):
    r = serve(**kw)
    for which in ("ttft", "itl"):
        shares = [r.outputs[f"{which}_{kind}_share"] for kind, _ in WORK_KINDS]
        assert sum(shares) == pytest.approx(1.0, rel=1e-9)
        assert all(0 <= s <= 1 for s in shares)


def test_one_device_spends_nothing_on_all_reduces_and_four_spend_some():
    assert serve(batch=1).itl_communication_share == 0.0
    assert serve(batch=1).ttft_communication_share == 0.0
    r = serve(model="llama-2-70b", devices=4, batch=1)
    assert r.itl_communication_share > 0.05 and r.ttft_communication_share > 0.02


def test_a_long_prompt_spends_more_of_its_prefill_in_attention():
    short, long = serve(batch=1, prompt_tokens=128), serve(batch=1, prompt_tokens=16384)
    assert long.ttft_attention_share > 5 * short.ttft_attention_share


def test_batch_one_decode_of_a_7b_model_on_an_h100_is_bound_by_fixed_kernel_time():
    # Per layer a dense decode step launches 4 GEMMs, 1 attention and 8 element-wise kernels, and
    # the output head is one more: 32 × 13 + 1 = 417 kernels at the H100's 6.2 µs (OpenXLA sm_90
    # table) is 2.59 ms, more than reading the 6.7 GB of FP8 weights at 2.97 TB/s (2.27 ms).
    # (Static batching: the step is decode alone, without in-flight prefill kernels.)
    r = serve(batch=1, batching="static")
    assert r.regime == "overhead-bound" and r.binding_wall == "software"
    launch = ms.hardware("h100").launch_overhead
    weights_read = ms.model("llama-2-7b").params * 1 / (3.35e12 * 0.887)
    assert 417 * launch == pytest.approx(2.59e-3, rel=0.01)
    assert 417 * launch > weights_read
    # Without the fixed cost the same step is bound by the weight reads.
    h = ms.hardware("h100")
    bare = ms.ServingDeployment(model="llama-2-7b", hardware=h.__class__(**{**h.__dict__, "launch_overhead": None}),
                                prompt_tokens=128, output_tokens=128, precision="fp8", kv_precision="fp8",
                                batch=1, batching="static").evaluate()
    assert bare.regime == "memory-bound"
    assert r.itl - bare.itl == pytest.approx(417 * launch, rel=1e-6)


def test_larger_batches_move_decode_from_overhead_to_memory_to_compute():
    # Llama 2 7B in FP8 reads its weights in 2.27 ms, less than its 417 kernels' fixed 2.59 ms;
    # 64 sequences add 3.2 GB of FP8 KV cache to read (1.1 ms), which tips it to memory. Llama 3 8B's
    # grouped KV heads keep the cache small, so 1024 sequences (2·8e9 FLOPs each at 1402.6 TFLOPS:
    # 11.7 ms) outweigh reading weights and cache.
    assert [serve(batch=b).regime for b in (1, 64)] == ["overhead-bound", "memory-bound"]
    assert serve(model="llama-3-8b", batch=1024).regime == "compute-bound"


def test_a_sweep_gives_one_regime_and_share_per_point():
    r = serve(batch=np.array([1.0, 64.0]))
    assert list(r.regime) == ["overhead-bound", "memory-bound"]
    assert list(r.binding_wall) == ["software", "memory"]
    assert np.shape(r.itl_gemm_share) == (2,)


def test_serve_shows_where_the_time_goes_and_the_explanation_names_the_largest(capsys):
    assert main(["serve", "llama-2-70b", "h100", "--devices", "4", "--batch", "1", "--prompt-tokens", "128",
                 "--output-tokens", "128", "--precision", "fp8"]) == 0
    shown = capsys.readouterr().out
    assert "Where the time goes:" in shown and "tensor-parallel all-reduces" in shown
    text = serve(batch="max").explain()
    assert "Each step spends" in text and "% of its time in GEMMs" in text
