"""The model registry: every record loads with a source, and counts derived from the architecture
match the published ones. Each explicit check names where its published number comes from."""

from __future__ import annotations

import pytest

import mlsysim as ms
from mlsysim.specs.models import Model

MODELS = ms.model.all()
WITH_PARAMS = [m for m in MODELS if m.published_params]
WITH_ACTIVE = [m for m in MODELS if m.published_active_params]
WITH_FLOPS = [m for m in MODELS if m.published_flops]
REQUIRED = ["llama-3-8b", "llama-3-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "llama-2-7b",
            "llama-2-13b", "llama-2-70b", "llama-3.2-1b", "llama-3.2-3b", "mistral-7b", "mixtral-8x7b",
            "mixtral-8x22b", "qwen2.5-7b", "qwen2.5-72b", "gemma-2-9b", "gemma-2-27b", "deepseek-v3",
            "phi-3-mini", "gpt-2", "gpt-2-xl", "gpt-3", "bert-base", "bert-large", "t5-base", "t5-11b",
            "resnet-50", "resnet-18", "mobilenet-v2", "mobilenet-v1", "efficientnet-b0", "vit-b-16",
            "vit-l-16", "ds-cnn-kws", "mobilenet-v1-0.25-vww", "resnet-8-cifar", "fc-autoencoder-ad"]


def close(value: float, target: float, rel: float) -> bool:
    return abs(value / target - 1) <= rel


def test_registry_size_and_required_keys():
    assert len(ms.model) >= 48
    missing = [key for key in REQUIRED if key not in ms.model.names()]
    assert not missing, f"missing records: {missing}"


@pytest.mark.parametrize("m", MODELS, ids=lambda m: m.key)
def test_every_record_is_sourced_and_described(m: Model):
    assert m.family and m.org and m.year, m.key
    assert m.published_params, f"{m.key}: no published_params to check the derivation against"
    assert "published_params" in m.sources, m.key
    assert m.aliases, f"{m.key}: no aliases"
    if m.kind in ("decoder", "encoder", "encoder-decoder"):
        assert m.context_length > 0, m.key
    if m.is_moe and m.key != "grok-1":  # xAI gives only "25% of the weights" (see the record's notes)
        assert m.published_active_params, f"{m.key}: a mixture of experts needs published_active_params"


@pytest.mark.parametrize("m", WITH_PARAMS, ids=lambda m: m.key)
def test_derived_params_match_published(m: Model):
    assert close(m.params, m.published_params, 0.03), (
        f"{m.key}: derived {m.params:,.0f} vs published {m.published_params:,.0f}")


@pytest.mark.parametrize("m", WITH_ACTIVE, ids=lambda m: m.key)
def test_derived_active_params_match_published(m: Model):
    if m.key == "deepseek-v2-lite":
        # DeepSeek counts activated weights without the input-embedding table (2048 × 102400 =
        # 0.21B); ours include it: 2.66B, or 2.45B without the table, against 2.4B.
        assert close(m.active_params - m.vocab * m.hidden, m.published_active_params, 0.03)
        return
    assert close(m.active_params, m.published_active_params, 0.03), (
        f"{m.key}: derived {m.active_params:,.0f} vs published {m.published_active_params:,.0f}")


@pytest.mark.parametrize("m", WITH_FLOPS, ids=lambda m: m.key)
def test_derived_flops_match_published(m: Model):
    # Both sides are FLOPs at 2 per multiply-add: records quote torchvision/MobileNet figures
    # (which count multiply-adds) in GMAC/MMAC units, which the loader doubles.
    assert close(m.flops_per_sample(), m.published_flops, 0.03), (
        f"{m.key}: derived {m.flops_per_sample():.4g} FLOP vs published {m.published_flops:.4g}")


# -- explicit published numbers ------------------------------------------------------------------


def test_llama_3_8b():
    # Hugging Face model page of meta-llama/Meta-Llama-3-8B: "8.03B params".
    assert close(ms.model("llama-3-8b").params, 8.03e9, 0.001)


def test_llama_3_70b():
    # Hugging Face model page of meta-llama/Meta-Llama-3-70B: "70.6B params".
    assert close(ms.model("llama-3-70b").params, 70.6e9, 0.001)


def test_llama_3_1_405b():
    # Meta (The Llama 3 Herd of Models, Table 3) rounds to 405B; the architecture gives
    # 405.85B, the checkpoint's own count.
    m = ms.model("llama-3.1-405b")
    assert close(m.params, 405.85e9, 0.0005)
    assert close(m.params, 405e9, 0.003)


def test_mixtral_8x7b_total_and_active():
    # Mistral AI, "Mixtral of experts" (2023-12-11): 46.7B total, 12.9B used per token.
    m = ms.model("mixtral-8x7b")
    assert close(m.params, 46.7e9, 0.001)
    assert close(m.active_params, 12.9e9, 0.003)


def test_deepseek_v3_total_and_active():
    # DeepSeek-V3 Technical Report, abstract: 671B total, 37B activated per token (the
    # multi-token-prediction module is not counted). Our active count includes the input
    # embedding table (0.93B), hence 37.55B.
    m = ms.model("deepseek-v3")
    assert close(m.params, 671e9, 0.001)
    assert close(m.active_params, 37e9, 0.02)


def test_gpt_3():
    # Brown et al. 2020, Table 2.1: 175.0B.
    assert close(ms.model("gpt-3").params, 175e9, 0.005)


def test_bert_base():
    # Devlin et al. 2018, §3: 110M; the uncased checkpoint has 109,482,240 (with pooler).
    m = ms.model("bert-base")
    assert m.params == 109_482_240
    assert close(m.params, 110e6, 0.005)


def test_resnet_50_params_and_multiply_adds():
    # torchvision ResNet50_Weights.IMAGENET1K_V1: num_params 25,557,032 and "GFLOPS" 4.09,
    # which counts a multiply-add as one operation: 4.09 G multiply-adds per 224×224 image,
    # i.e. 8.18 GFLOP at 2 FLOPs per multiply-add.
    m = ms.model("resnet-50")
    assert m.params == 25_557_032
    multiply_adds = m.flops_per_sample() / 2
    assert close(multiply_adds, 4.09e9, 0.005)


def test_vit_b_16():
    # torchvision ViT_B_16_Weights: 86,567,656 params, 17.56 "GFLOPS" (multiply-adds) at 224².
    m = ms.model("vit-b-16")
    assert m.params == 86_567_656
    assert close(m.flops_per_sample() / 2, 17.56e9, 0.005)


def test_tinyml_reference_models():
    # NXP eIQ model zoo READMEs for the MLPerf Tiny reference models (exact counts).
    assert ms.model("ds-cnn-kws").params == 23_756
    assert ms.model("mobilenet-v1-0.25-vww").params == 221_794
    assert ms.model("resnet-8-cifar").params == 78_666
    assert ms.model("fc-autoencoder-ad").params == 267_928


# -- derived quantities --------------------------------------------------------------------------


def test_kv_cache_bytes_llama_3_8b():
    # 2 (K and V) × 32 layers × 8 KV heads × 128 head dim × 2 bytes = 131,072 B per token.
    m = ms.model("llama-3-8b")
    assert m.kv_bytes_per_token("bf16") == 2 * 32 * 8 * 128 * 2 == 131_072
    assert 4096 * m.kv_bytes_per_token("bf16") == 536_870_912


def test_training_flops_per_token_is_6n_plus_attention():
    # PaLM (Chowdhery et al. 2022, appendix B): 6N + 12·L·H·Q·T per training token, N the
    # non-embedding (matmul) weights including the LM head.
    m = ms.model("llama-3-8b")
    context = 4096
    matmul_weights = m.params - m.vocab * m.hidden  # the input embedding is a look-up
    expected = 6 * matmul_weights + 12 * m.layers * m.heads * m.head_dim * context
    assert close(m.training_flops_per_token(context), expected, 1e-6)  # the final norm's 4096 weights
    assert close(m.training_flops_per_token(context), 6 * m.params, 0.10)


def test_layer_params_sum_to_blocks():
    m = ms.model("deepseek-v3")
    per_layer = m.layer_params()
    assert len(per_layer) == m.layers
    assert per_layer[0] < per_layer[-1]  # the first 3 layers are dense, the rest MoE


# -- look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Llama-3-8B", "llama3-8b", "llama_3_8b", "LLAMA 3 8B", "meta-llama-3-8b"])
def test_tolerant_lookup(name):
    assert ms.model(name).key == "llama-3-8b"


@pytest.mark.parametrize("name, key", [("gpt3", "gpt-3"), ("gpt2", "gpt-2"), ("resnet50", "resnet-50"),
                                       ("Mixtral", "mixtral-8x7b"), ("ViT-B/16", "vit-b-16")])
def test_aliases(name, key):
    assert ms.model(name).key == key


def test_unknown_model_suggests_names():
    with pytest.raises(ms.UnknownNameError) as caught:
        ms.model("llama-3-9b")
    assert "llama-3-8b" in caught.value.suggestions
    assert "did you mean" in str(caught.value)


def test_aliases_do_not_collide():
    from mlsysim.specs.registry import normalize

    seen: dict[str, str] = {}
    for m in MODELS:
        for name in {m.key, *m.aliases}:
            owner = seen.setdefault(normalize(name), m.key)
            assert owner == m.key, f"{name!r} names both {owner} and {m.key}"
