"""The training scenario: the Iron Law from the physics, its consistency and its guard rails."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main

LLAMA_405B = dict(model="llama-3.1-405b", hardware="h100", devices=16384, tp=8, pp=16, seq_len=8192,
                  tokens="15.6T", global_batch=2048, vpp=4, recompute="full")


@pytest.fixture(scope="module")
def llama405():
    return ms.TrainingJob(**LLAMA_405B).evaluate()


def test_llama_405b_lands_in_the_published_band(llama405):
    # Llama 3 paper (Dubey et al. 2024), table 4: 16K H100s, TP 8, PP 16, DP 128, seq 8192:
    # 38–43 % BF16 MFU; the issue asks for a prediction within 35–48 % and tens of days.
    assert 0.35 <= llama405.mfu <= 0.48
    assert 10 * 86400 < llama405.time < 100 * 86400
    assert llama405.dp == 128 and llama405.fits


def test_iron_law_equals_the_scenario(llama405):
    r = llama405
    iron = ms.wall("iron-law")(flops=r.total_flops, devices=16384, hardware="h100", mfu=r.node_mfu,
                               eta_scaling=r.eta_scaling, goodput=r.goodput)
    assert iron.time == pytest.approx(r.time, rel=1e-9)
    assert r.mfu == pytest.approx(r.node_mfu * r.eta_scaling, rel=1e-9)


def test_terms_and_breakdown_name_their_walls(llama405):
    terms = llama405.terms
    assert set(terms["walls"]) == {"N", "peak", "mfu", "eta_scaling", "goodput"}
    assert sum(terms["loss_share"].values()) == pytest.approx(1.0)
    assert llama405.binding_wall in {b["wall"] for b in llama405.breakdown.values()}
    json.dumps(llama405.to_dict(), allow_nan=False)


def test_memory_parts_add_up(llama405):
    r = llama405
    parts = r.memory_weights + r.memory_gradients + r.memory_optimizer + r.memory_activations + r.memory_buffers
    assert r.memory_per_device == pytest.approx(parts)
    # 405.9B weights over TP 8 × PP 16 in BF16 is 6.34 GB per device.
    assert r.memory_weights == pytest.approx(405.85e9 / 128 * 2, rel=1e-3)


@pytest.mark.parametrize("bad, match", [
    (dict(tp=3), "tp"),
    (dict(devices=1000), "dp"),
    (dict(pp=200), "pp"),
    (dict(global_batch=100), "global_batch"),
])
def test_bad_plans_name_the_rule(bad, match):
    with pytest.raises(ms.MlsysimError, match=match):
        ms.TrainingJob(**{**LLAMA_405B, **bad}).evaluate()


def test_a_plan_that_does_not_fit_is_infeasible():
    with pytest.raises(ms.InfeasibleError, match="memory"):
        ms.TrainingJob(model="llama-3-70b", hardware="h100", devices=8, seq_len=4096, tokens="1T").evaluate()


def test_auto_parallelism_finds_a_fitting_plan_with_runners_up():
    r = ms.TrainingJob(model="llama-3-70b", hardware="h100", devices=1024, seq_len=8192, tokens="15T",
                       parallelism="auto").evaluate()
    assert r.fits and r.candidates_evaluated > 50
    assert all(row["time"] >= r.time * (1 - 1e-9) for row in r.runners_up)


def test_vectorized_equals_the_loop():
    devices = np.array([64, 128, 256])
    job = dict(model="llama-3-8b", hardware="h100", seq_len=4096, tokens="1T", tp=2)
    vector = ms.scenarios.get("training")(devices=devices, **job)
    for i, n in enumerate(devices):
        scalar = ms.TrainingJob(devices=int(n), **job).evaluate()
        assert vector.time[i] == pytest.approx(scalar.time, rel=1e-12)
        assert vector.mfu[i] == pytest.approx(scalar.mfu, rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(devices=st.sampled_from([64, 128, 256, 512, 1024]))
def test_more_devices_never_fewer_peak_flops(devices):
    small = ms.TrainingJob(model="llama-3-8b", hardware="h100", devices=devices, tp=2, tokens="1T").evaluate()
    large = ms.TrainingJob(model="llama-3-8b", hardware="h100", devices=2 * devices, tp=2, tokens="1T").evaluate()
    assert large.terms["values"]["N"] * large.terms["values"]["peak"] >= small.terms["values"]["N"] * small.terms["values"]["peak"]
    assert large.time < small.time


def test_larger_model_needs_more_memory():
    plan = dict(hardware="h100", devices=64, tp=8, pp=8, seq_len=4096, tokens="1T", recompute="full")
    small = ms.TrainingJob(model="llama-3-8b", **plan).evaluate()
    large = ms.TrainingJob(model="llama-3-70b", **plan).evaluate()
    assert large.memory_per_device > small.memory_per_device


def test_chinchilla_tokens_by_default():
    r = ms.TrainingJob(model="llama-3-8b", hardware="h100", devices=64, tp=2, tokens="chinchilla").evaluate()
    assert r.tokens == pytest.approx(20 * ms.model("llama-3-8b").params)


def test_cli_train_json_through_the_wall_command(capsys):
    args = ["wall", "training", "--model", "llama-3-8b", "--hardware", "h100", "--devices", "64", "--tp", "2",
            "--tokens", "1T", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["time"] > 0 and data["units"]["time"] == "s"


def test_vision_training_is_data_parallel_and_can_be_storage_bound():
    # ResNet-50 at 110 kB per ImageNet JPEG: 64 A100s want ~300k images/s, far beyond 64 S3 streams.
    r = ms.TrainingJob(model="resnet-50", hardware="a100", devices=64, tokens="115M", storage="aws-s3-connection",
                       storage_drives=64, bytes_per_token="110 kB").evaluate()
    assert r.binding_wall == "ingestion"
    fast = ms.TrainingJob(model="resnet-50", hardware="a100", devices=64, tokens="115M").evaluate()
    assert fast.time < r.time
    with pytest.raises(ms.InvalidInputError, match="data parallelism"):
        ms.TrainingJob(model="resnet-50", hardware="a100", devices=64, tokens="115M", tp=2).evaluate()
    with pytest.raises(ms.InvalidInputError, match="tokens"):
        ms.TrainingJob(model="resnet-50", hardware="a100", devices=64).evaluate()


def test_an_oversubscribed_fabric_slows_a_multi_node_job():
    # Wall 10: a 4:1 fat-tree leaves each inter-node link a quarter of its bandwidth, so the
    # DP/PP traffic between nodes takes longer and nothing else changes.
    job = dict(model="llama-3-8b", hardware="h100", devices=1024, tp=8, pp=1, tokens="1T", global_batch=1024)
    full = ms.TrainingJob(**job).evaluate()
    tapered = ms.TrainingJob(**job, oversubscription=4).evaluate()
    ring = ms.TrainingJob(**job, topology="ring").evaluate()
    assert tapered.step_time > full.step_time
    assert tapered.eta_scaling < full.eta_scaling
    assert tapered.node_mfu == pytest.approx(full.node_mfu, rel=1e-12)
    assert ring.step_time >= full.step_time


def test_checkpoint_storage_counts_per_client_records_once_per_node():
    # DDN AI400X2-Turbo to one DGX B200: 96 GB/s write per client (storage registry). 128 nodes
    # of 8 GPUs give 12.3 TB/s aggregate, far above the 2 TB/s default, so checkpoints cost less.
    job = dict(model="llama-3-70b", hardware="b200", devices=1024, tp=8, pp=4, tokens="1T", global_batch=1024,
               mtbf="50000 h")
    default = ms.TrainingJob(**job).evaluate()
    ddn = ms.TrainingJob(**job, checkpoint_storage="ddn exascaler").evaluate()
    one_hdd = ms.TrainingJob(**job, checkpoint_storage="exos x20").evaluate()
    assert ddn.goodput > default.goodput > one_hdd.goodput
    with pytest.raises(ms.MlsysimError, match="checkpoint_storage"):
        ms.TrainingJob(**job, checkpoint_storage="pm1733").evaluate()


def test_a_fused_cross_entropy_keeps_16_bit_logits():
    # One micro-batch of 4096 tokens over Llama 3 8B's 128,256-token vocabulary: the logits and
    # their gradient take 8 bytes per logit as fp32 copies (Megatron-LM) and 4 as 16-bit ones
    # (flash-attn's fused loss), so the fused loss saves 4096 × 128,256 × 4 B = 2.1 GB.
    base = dict(model="llama-3-8b", hardware="h100", devices=8, micro_batch=1, seq_len=4096, recompute="full")
    fp32 = ms.TrainingJob(**base).evaluate()
    fused = ms.TrainingJob(**base, cross_entropy="fused").evaluate()
    saved = float(fp32.memory_activations) - float(fused.memory_activations)
    assert saved == pytest.approx(4096 * 128256 * 4, rel=1e-6)
    assert float(fused.step_time) < float(fp32.step_time)  # the loss streams half the bytes


def test_a_loss_share_that_rounds_to_nothing_never_prints_as_minus_zero(capsys):
    # One node, no pipeline: η_scaling is 100 % and its share of the loss a rounding error around 0.
    assert main(["train", "llama-3.2-1b", "h100", "--devices", "8", "--seq-len", "32768", "--global-batch", "32",
                 "--recompute", "full", "--attention", "triton"]) == 0
    shown = capsys.readouterr().out
    assert "communication  0%" in shown and "-0%" not in shown
