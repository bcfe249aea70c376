"""Which attention kernel a training job runs: the chip's best, FlashAttention-2, or FlashAttention in Triton."""

import pytest

import mlsysim as ms
from mlsysim.scenarios.kernels import TRITON_FLASH_SLOWDOWN, Rates
from mlsysim.validation import harness
from mlsysim.validation.records import load, load_held_back


def rates(chip, kernel):
    r = Rates.of(ms.hardware(chip), "bf16", attention_kernel=kernel)
    return r.attention / 1e12, r.attention_backward / 1e12


def test_h100_rates_of_each_kernel_come_from_the_flashattention_papers():
    # FlashAttention-3 paper, head dim 128 at 16k: 648 forward, 561 backward.
    assert rates("h100", "flash") == pytest.approx((648, 561), abs=1)
    # FlashAttention-2 paper, section 4.1: "up to 335 TFLOPs/s" on H100, forward and backward.
    assert rates("h100", "flash2") == pytest.approx((335, 335), abs=1)
    # FlashAttention-2 runs 1.3-1.5x the Triton kernel's forward rate and 2x its backward (section 4.1).
    assert TRITON_FLASH_SLOWDOWN == (1.4, 2.0)
    assert rates("h100", "triton") == pytest.approx((335 / 1.4, 335 / 2), abs=1)


def test_on_an_a100_flashattention_2_is_the_best_kernel_on_record():
    # FlashAttention-2 paper: "up to 230 TFLOPs/s" forward and "up to 63%" of 312 in the backward pass.
    assert rates("a100", "flash") == rates("a100", "flash2") == pytest.approx((230, 0.63 * 312), abs=1)
    assert rates("a100", "triton") == pytest.approx((0.737 * 312 / 1.4, 0.63 * 312 / 2), abs=1)


def job(seq_len, attention):
    return ms.TrainingJob(model="llama-3.2-1b", hardware="h100", devices=8, seq_len=seq_len,
                          global_batch=max(8, 2**20 // seq_len), recompute="full", attention=attention).evaluate()


def test_slower_kernels_cost_most_at_long_sequences():
    for seq_len in (2048, 32768):
        flash, flash2, triton = (float(job(seq_len, k).step_time) for k in ("flash", "flash2", "triton"))
        assert flash < flash2 < triton
    short = float(job(2048, "triton").step_time) / float(job(2048, "flash").step_time)
    long = float(job(32768, "triton").step_time) / float(job(32768, "flash").step_time)
    assert 1.0 < short < 1.15 and long > 1.5  # attention is a few % of a 2k step, most of a 32k one


def test_an_unknown_kernel_is_one_readable_error():
    with pytest.raises(ms.InvalidInputError, match="attention.*triton"):
        job(2048, "xformers")


def test_llm_foundry_records_run_the_triton_kernel_and_others_do_not():
    rows = {r.id: r for r in harness.run(records=load() + load_held_back()) if r.category == "training_throughput"
            and r.status == "predicted"}
    kernels = {i: r.calls[0].inputs.get("attention") for i, r in rows.items()}
    foundry = [k for i, k in kernels.items() if "-mpt-" in i]
    assert foundry and set(foundry) == {"triton"}
    assert kernels["train-mcore-h100-1.7b"] == "flash"
    assert kernels["train-megatron-a100-1.7b"] == "materialized"  # 2021, before FlashAttention
