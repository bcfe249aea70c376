"""Parameter and FLOP counts of transformer blocks, derived from the architecture.

Conventions (so MFU figures compare with the literature):
- A multiply-add is 2 FLOPs; a forward pass costs 2 FLOPs per matmul parameter per token.
- The input embedding is a table look-up (no FLOPs); the output (LM) head is a matmul even
  when its weights are tied to the embedding.
- Attention adds, per layer and token, 2·ctx·d for QKᵀ and 2·ctx·d for A·V (d = the attention
  width), i.e. 4·L·ctx·d per token forward, with no discount for the causal mask — the
  convention of PaLM (Chowdhery et al. 2022, appendix B: 6N + 12·L·H·Q·T per training token)
  and of Megatron-LM (Narayanan et al. 2021, eq. 3).
- Norm weights are counted as parameters but their FLOPs are ignored (they are O(h), not O(h²)).
- `position: relative-xl` (Transformer-XL relative attention, as in Gopher) adds the per-layer
  projection of the relative positions, hidden × hidden, to the attention weights and so to the
  6N count; the extra position-score term it brings is not added to the attention FLOPs, which
  keep PaLM's 12·L·H·Q·T convention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlsysim.specs.models import Model


def attention_params(m: Model) -> float:
    """Weights of one self-attention block (projections and, where present, biases)."""
    h = m.hidden
    if m.kv_lora_rank:  # multi-head latent attention (DeepSeek-V2/V3)
        qk_dim = m.qk_nope_head_dim + m.qk_rope_head_dim
        if m.q_lora_rank:
            q = h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * m.heads * qk_dim
        else:
            q = h * m.heads * qk_dim
        kv = h * (m.kv_lora_rank + m.qk_rope_head_dim) + m.kv_lora_rank
        kv += m.kv_lora_rank * m.heads * (m.qk_nope_head_dim + m.v_head_dim)
        return q + kv + m.heads * m.v_head_dim * h
    q_width, kv_width = m.heads * m.head_dim, m.kv_heads * m.head_dim
    weights = h * q_width + 2 * h * kv_width + q_width * h
    if m.position == "relative-xl":
        # Transformer-XL relative attention (Dai et al. 2019, eq. 4) projects the sinusoidal
        # relative-position embeddings with its own per-layer matrix W_{k,R}: hidden × hidden. (Its
        # two global bias vectors u, v, 2 × hidden in all, are left out.)
        weights += h * h
    if m.bias == "all":
        weights += q_width + 2 * kv_width + h
    elif m.bias == "qkv":
        weights += q_width + 2 * kv_width
    return weights


def ffn_params(m: Model, width: int) -> float:
    """One feed-forward block of inner width `width` (gated: three matrices; plain MLP: two)."""
    matrices = 3 if m.ffn_type == "gated" else 2
    weights = matrices * m.hidden * width
    if m.bias == "all":
        weights += (matrices - 1) * width + m.hidden
    return weights


def moe_params(m: Model) -> tuple[float, float]:
    """(total, active per token) weights of one mixture-of-experts FFN block, router included."""
    expert = ffn_params(m, m.expert_ffn)
    router = m.hidden * m.experts
    shared = m.shared_experts * expert
    return router + m.experts * expert + shared, router + m.experts_per_token * expert + shared


def norm_params(m: Model) -> float:
    return (2 if m.norm == "layernorm" else 1) * m.hidden


def layer_params(m: Model) -> list[tuple[float, float]]:
    """(total, active) weights of each decoder/encoder block, in order."""
    attention = attention_params(m) + 2 * norm_params(m)
    layers = []
    for index in range(m.layers):
        if m.experts and index >= m.dense_layers:
            total, active = moe_params(m)
        else:
            total = active = ffn_params(m, m.ffn)
        layers.append((attention + total, attention + active))
    return layers


def cross_attention_params(m: Model) -> float:
    """Decoder cross-attention of an encoder-decoder model, with its norm."""
    return attention_params(m) + norm_params(m)


def embedding_params(m: Model) -> float:
    """Token (and learned position / segment) embedding tables."""
    table = m.vocab * m.hidden
    if m.position == "learned":
        table += m.context_length * m.hidden
    table += m.type_vocab * m.hidden
    if m.norm == "layernorm" and m.kind == "encoder":
        table += norm_params(m)  # BERT normalizes the embedding sum
    return table


def head_params(m: Model) -> float:
    """Output head weights that are not shared with the embedding, plus the final norm."""
    final_norm = norm_params(m) if m.kind != "encoder" else 0.0
    pooler = (m.hidden * m.hidden + m.hidden) if m.pooler else 0.0
    if not m.lm_head or m.tied_embeddings:
        return final_norm + pooler
    return final_norm + pooler + m.vocab * m.hidden


def counts(m: Model) -> tuple[float, float]:
    """(total, active-per-token) parameters of a transformer language model."""
    blocks = layer_params(m)
    total = sum(t for t, _ in blocks)
    active = sum(a for _, a in blocks)
    if m.kind == "encoder-decoder":
        decoder = m.decoder_layers * (layer_params(m)[0][0] + cross_attention_params(m))
        decoder += norm_params(m)
        total += decoder
        active += decoder
    fixed = embedding_params(m) + head_params(m) + m.relative_attention_buckets * m.heads * (
        2 if m.kind == "encoder-decoder" else 1)
    return total + fixed, active + fixed


def attention_width(m: Model) -> tuple[float, float]:
    """(query-key width, value width) summed over heads, per layer."""
    if m.kv_lora_rank:
        return m.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim), m.heads * m.v_head_dim
    return m.heads * m.head_dim, m.heads * m.head_dim


def matmul_params(m: Model) -> float:
    """Active weights that take part in a matmul per token: blocks and the LM head, not look-ups."""
    blocks = sum(a for _, a in layer_params(m))
    if m.kind == "encoder-decoder":
        blocks += m.decoder_layers * (layer_params(m)[0][0] + cross_attention_params(m))
    head = m.vocab * m.hidden if m.lm_head else 0.0
    return blocks + head


def attention_flops_per_token(m: Model, context: float) -> float:
    """Forward FLOPs per token of QKᵀ and A·V against `context` earlier tokens, all layers."""
    qk, v = attention_width(m)
    layers = m.layers + (2 * m.decoder_layers if m.kind == "encoder-decoder" else 0)
    return 2 * layers * context * (qk + v)


def forward_flops_per_token(m: Model, context: float) -> float:
    return 2 * matmul_params(m) + attention_flops_per_token(m, context)
