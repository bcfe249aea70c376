"""Reading Hugging Face config.json files offline: the fixtures are the published configs of four
registry models, and each must give exactly the registry's architecture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mlsysim as ms
from mlsysim.specs.hf_config import model_from_hf_config

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [("llama-3-8b.config.json", "llama-3-8b"), ("mixtral-8x7b.config.json", "mixtral-8x7b"),
         ("deepseek-v3.config.json", "deepseek-v3"), ("gpt2.config.json", "gpt-2")]


@pytest.mark.parametrize("filename, key", CASES)
def test_config_matches_registry(filename, key):
    loaded = ms.Model.from_hf_config(FIXTURES / filename)
    registered = ms.model(key)
    assert loaded.params == registered.params
    assert loaded.active_params == registered.active_params
    assert loaded.kv_bytes_per_token("bf16") == registered.kv_bytes_per_token("bf16")
    assert loaded.flops_per_token(2048) == registered.flops_per_token(2048)


def test_dict_and_path_agree_and_name_comes_from_path():
    path = FIXTURES / "llama-3-8b.config.json"
    from_path = model_from_hf_config(path)
    from_dict = model_from_hf_config(json.loads(path.read_text()), key="mine", name="My Llama")
    assert from_path.params == from_dict.params
    assert from_path.key == "llama-3-8b"
    assert (from_dict.key, from_dict.name) == ("mine", "My Llama")


def test_family_rules():
    gpt2 = model_from_hf_config(FIXTURES / "gpt2.config.json")
    assert (gpt2.ffn_type, gpt2.norm, gpt2.bias, gpt2.position, gpt2.tied_embeddings, gpt2.ffn) == (
        "mlp", "layernorm", "all", "learned", True, 3072)
    mixtral = model_from_hf_config(FIXTURES / "mixtral-8x7b.config.json")
    assert (mixtral.ffn_type, mixtral.experts, mixtral.experts_per_token, mixtral.expert_ffn) == (
        "gated", 8, 2, 14336)
    mpt = model_from_hf_config({"model_type": "mpt", "d_model": 4096, "n_heads": 32, "n_layers": 32,
                                "expansion_ratio": 4, "max_seq_len": 2048, "vocab_size": 50432,
                                "no_bias": True, "attn_config": {"alibi": True}})
    assert mpt.params == ms.model("mpt-7b").params
    qwen_moe = model_from_hf_config({"model_type": "qwen2_moe", "hidden_size": 3584, "num_hidden_layers": 28,
                                     "num_attention_heads": 28, "num_key_value_heads": 4,
                                     "intermediate_size": 18944, "moe_intermediate_size": 2560,
                                     "shared_expert_intermediate_size": 20480, "num_experts": 64,
                                     "num_experts_per_tok": 8, "vocab_size": 151936,
                                     "max_position_embeddings": 131072, "tie_word_embeddings": False})
    assert qwen_moe.params == ms.model("qwen2-57b-a14b").params


def test_missing_key_is_one_line_naming_it():
    config = json.loads((FIXTURES / "llama-3-8b.config.json").read_text())
    del config["hidden_size"]
    with pytest.raises(ms.InvalidInputError, match="hidden_size") as caught:
        model_from_hf_config(config)
    assert "\n" not in str(caught.value)


def test_bad_values_and_files():
    with pytest.raises(ms.InvalidInputError, match="num_hidden_layers"):
        model_from_hf_config({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": -2,
                              "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128})
    with pytest.raises(ms.InvalidInputError, match="hidden_act"):
        model_from_hf_config({"model_type": "mystery", "hidden_size": 64, "num_hidden_layers": 2,
                              "num_attention_heads": 4, "vocab_size": 100, "intermediate_size": 128})
    with pytest.raises(ms.InvalidInputError, match="cannot read"):
        model_from_hf_config(FIXTURES / "no-such-file.json")
