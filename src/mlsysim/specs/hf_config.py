"""Read a Hugging Face `config.json` (dense or mixture-of-experts decoder) into a `Model`, offline.

The same quantity goes by different names across families (`hidden_size`, `n_embd`,
`d_model`), so each field is looked up under its known names in order. What a config does not
say outright is settled by the family (`model_type`):

- Feed-forward: Llama, Mistral, Mixtral, Qwen, Gemma, Phi-3, DeepSeek, OLMo and similar use a
  gated MLP (gate, up and down projections: SwiGLU/GeGLU); GPT-2, GPT-J/NeoX, OPT, BLOOM,
  MPT, Falcon, StarCoder and Phi-1/2 use a plain two-matrix MLP. For a family in neither
  list, a SiLU/Swish activation means gated (every such Hugging Face decoder gates) and
  GELU/ReLU means plain.
- Biases, norms and positions: plain-MLP families (GPT-2, OPT, …) carry biases everywhere,
  LayerNorm and learned positions (MPT: ALiBi and no biases; Falcon: RoPE, no biases); Qwen2
  has biases on the Q, K and V projections only; `attention_bias: true` means the same.
- Tied embeddings: `tie_word_embeddings` when present, else the family's default.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlsysim.errors import InvalidInputError
from mlsysim.specs.models import Model

_GATED = {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
          "gemma3_text", "phi3", "deepseek_v2", "deepseek_v3", "olmo", "olmo2", "olmoe", "cohere", "granite",
          "internlm2", "yi", "baichuan", "stablelm", "exaone", "nemotron_nas", "glm", "grok-1", "dbrx"}
_PLAIN = {"gpt2", "gptj", "gpt_neox", "gpt_neo", "opt", "bloom", "mpt", "falcon", "RefinedWeb",
          "RefinedWebModel", "gpt_bigcode", "starcoder2", "phi", "codegen", "biogpt", "xglm"}
_TIED_BY_DEFAULT = _PLAIN | {"gemma", "gemma2", "gemma3_text"}
_LEARNED_POSITIONS = {"gpt2", "opt", "gpt_neo", "gpt_bigcode", "biogpt", "xglm"}

# field -> names it goes by, first match wins
_NAMES = {
    "hidden": ("hidden_size", "n_embd", "d_model"),
    "layers": ("num_hidden_layers", "n_layer", "n_layers", "num_layers"),
    "heads": ("num_attention_heads", "n_head", "n_heads"),
    "kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"),
    "head_dim": ("head_dim",),
    "ffn": ("intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size"),
    "vocab": ("vocab_size", "padded_vocab_size"),
    "context_length": ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length",
                       "max_sequence_length"),
    "experts": ("num_local_experts", "n_routed_experts", "num_experts"),
    "experts_per_token": ("num_experts_per_tok", "moe_top_k"),
    "expert_ffn": ("moe_intermediate_size",),
    "shared_experts": ("n_shared_experts",),
    "dense_layers": ("first_k_dense_replace",),
    "q_lora_rank": ("q_lora_rank",),
    "kv_lora_rank": ("kv_lora_rank",),
    "qk_rope_head_dim": ("qk_rope_head_dim",),
    "qk_nope_head_dim": ("qk_nope_head_dim",),
    "v_head_dim": ("v_head_dim",),
}
_REQUIRED = ("hidden", "layers", "heads", "vocab")


def model_from_hf_config(config: Mapping[str, Any] | str | Path, *, key: str | None = None,
                         name: str | None = None) -> Model:
    """A `Model` from a `config.json` given as a dict or a path; raises naming a missing key."""
    config, hint = _load(config)
    if "text_config" in config and not any(n in config for n in _NAMES["hidden"]):
        config = {**config["text_config"], "model_type": config["text_config"].get("model_type", "")}
    family = str(config.get("model_type", ""))
    values = {field: _get(config, field) for field in _NAMES}
    for field in _REQUIRED:
        if values[field] is None:
            raise InvalidInputError(f"config.json: missing {' / '.join(_NAMES[field])} "
                                    f"(needed for {field}); is this a decoder language model?",
                                    parameter=_NAMES[field][0])
    ffn_type = _ffn_type(config, family)
    values.update(_family_defaults(config, family, values, ffn_type))
    label = name or str(config.get("_name_or_path") or hint or family or "hf-model")
    fields = {k: int(v) for k, v in values.items() if v is not None}
    fields.update(_style(config, family, ffn_type))
    return Model(key=key or _slug(label), name=label, kind="decoder", family=family, **fields)


def _load(config) -> tuple[dict[str, Any], str]:
    """The config as a dict, and a name hint from its path (`Meta-Llama-3-8B/config.json`)."""
    if isinstance(config, Mapping):
        return dict(config), ""
    path = Path(config)
    hint = path.parent.name if path.name == "config.json" else path.name.split(".")[0]
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise InvalidInputError(f"config.json: cannot read {str(path)!r} ({error.strerror})",
                                parameter="config") from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"config.json: {str(path)!r} is not valid JSON ({error.msg}, line "
                                f"{error.lineno})", parameter="config") from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"config.json: {str(path)!r} holds a {type(data).__name__}, expected an "
                                f"object", parameter="config")
    return data, hint


def _get(config: Mapping[str, Any], field: str):
    for key in _NAMES[field]:
        value = config.get(key)
        if value is None:
            continue
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not number or value < 0 or value != int(value):
            raise InvalidInputError(f"config.json: {key}={value!r} must be a whole number ≥ 0",
                                    parameter=key)
        return int(value)
    return None


def _ffn_type(config: Mapping[str, Any], family: str) -> str:
    if family in _GATED:
        return "gated"
    if family in _PLAIN:
        return "mlp"
    activation = next((config[k] for k in ("hidden_act", "activation_function", "hidden_activation")
                       if config.get(k)), None)
    if activation is None:
        raise InvalidInputError(f"config.json: model_type {family!r} is not a known family and there is no "
                                f"hidden_act to tell a gated MLP from a plain one", parameter="hidden_act")
    return "gated" if str(activation).lower() in ("silu", "swish", "swiglu") else "mlp"


def _family_defaults(config, family: str, values: dict, ffn_type: str) -> dict[str, int | None]:
    """Fill what the family implies: MPT's expansion ratio, multi-query, MoE widths."""
    out = {}
    if values["ffn"] is None:
        ratio = config.get("expansion_ratio") or (4 if ffn_type == "mlp" else None)
        if ratio is None:
            raise InvalidInputError("config.json: missing intermediate_size (needed for the feed-forward "
                                    "width of a gated MLP)", parameter="intermediate_size")
        out["ffn"] = int(ratio * values["hidden"])
    multi_query = config.get("multi_query") and not config.get("new_decoder_architecture")
    if values["kv_heads"] is None and multi_query:
        out["kv_heads"] = 1
    if values["experts"]:
        out.update(_moe_defaults(config, values, out.get("ffn", values["ffn"])))
    else:
        out.update(dict.fromkeys(("experts_per_token", "expert_ffn", "shared_experts", "dense_layers")))
    return out


def _moe_defaults(config, values: dict, ffn: int) -> dict[str, int]:
    """Expert width (Mixtral: full-width experts) and Qwen2-MoE's one wide shared expert."""
    if values["experts_per_token"] is None:
        raise InvalidInputError("config.json: a mixture of experts needs num_experts_per_tok",
                                parameter="num_experts_per_tok")
    out = {}
    width = values["expert_ffn"] or ffn
    if values["expert_ffn"] is None:
        out["expert_ffn"] = width
    shared = config.get("shared_expert_intermediate_size")
    if shared and values["shared_experts"] is None:  # counted as shared // width experts of `width`
        if shared % width:
            raise InvalidInputError(f"config.json: shared_expert_intermediate_size={shared} is not a "
                                    f"multiple of moe_intermediate_size={width}",
                                    parameter="shared_expert_intermediate_size")
        out["shared_experts"] = shared // width
    return out


def _style(config: Mapping[str, Any], family: str, ffn_type: str) -> dict[str, Any]:
    """Norm, biases, positions and tying, which configs mostly leave to the modelling code."""
    plain = ffn_type == "mlp"
    no_bias = config.get("no_bias", False) or (family == "falcon" and not config.get("bias", False))
    if plain and not no_bias:
        bias = "all"
    elif family in ("qwen2", "qwen2_moe") or config.get("attention_bias") or config.get("qkv_bias"):
        bias = "qkv"
    else:
        bias = "none"
    if family in _LEARNED_POSITIONS:
        position = "learned"
    elif family == "mpt" or config.get("alibi") or (config.get("attn_config") or {}).get("alibi"):
        position = "alibi"
    else:
        position = "rope"
    tied = config.get("tie_word_embeddings")
    return {"ffn_type": ffn_type, "bias": bias, "position": position,
            "norm": "layernorm" if plain else "rmsnorm",
            "tied_embeddings": bool(family in _TIED_BY_DEFAULT if tied is None else tied)}


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", label.split("/")[-1].lower()).strip("-") or "hf-model"
