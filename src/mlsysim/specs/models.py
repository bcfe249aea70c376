"""Model specs: the architecture, from which parameter counts and FLOPs are derived.

Counts are computed, not copied: a record states layers, widths, heads, experts and so on, and
`params`, `active_params`, FLOPs per token and KV-cache bytes follow from them
(`specs/arch/`). The published count stays in the record (`published_params`) so a test can
check the derivation against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mlsysim import precision as _precision
from mlsysim.errors import InvalidInputError
from mlsysim.specs import fields
from mlsysim.specs.registry import Source, read_sources

KINDS = ("decoder", "encoder", "encoder-decoder", "vit", "cnn")
_INTEGERS = ("layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab", "context_length",
             "experts", "experts_per_token", "shared_experts", "expert_ffn", "dense_layers",
             "q_lora_rank", "kv_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim",
             "decoder_layers", "type_vocab", "relative_attention_buckets", "image_size",
             "patch_size", "channels", "classes")
_PUBLISHED = {"published_params": "count", "published_active_params": "count", "published_flops": "flops"}
_FIELDS = ("name", "family", "org", "kind", "year", "aliases", "notes", "ffn_type", "position", "norm",
           "bias", "tied_embeddings", "pooler", "lm_head", "cnn", "source", "sources",
           *_INTEGERS, *_PUBLISHED)


@dataclass(frozen=True)
class Model:
    """A neural network's architecture; see the module docstring for what is derived."""

    key: str
    name: str
    kind: str = "decoder"
    family: str = ""
    org: str = ""
    year: int | None = None
    layers: int = 0
    hidden: int = 0
    heads: int = 0
    kv_heads: int = 0
    head_dim: int = 0
    ffn: int = 0
    ffn_type: str = "gated"
    vocab: int = 0
    context_length: int = 0
    tied_embeddings: bool = False
    position: str = "rope"
    norm: str = "rmsnorm"
    bias: str = "none"
    lm_head: bool = True
    pooler: bool = False
    type_vocab: int = 0
    relative_attention_buckets: int = 0
    decoder_layers: int = 0
    experts: int = 0
    experts_per_token: int = 0
    shared_experts: int = 0
    expert_ffn: int = 0
    dense_layers: int = 0
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    image_size: int = 0
    patch_size: int = 0
    channels: int = 3
    classes: int = 0
    cnn: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    published_params: float | None = None
    published_active_params: float | None = None
    published_flops: float | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    sources: Mapping[str, Source] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        _check_architecture(self)

    # -- derived counts -------------------------------------------------------------------

    @cached_property
    def _counts(self) -> tuple[float, float]:
        if self.kind == "cnn":
            from mlsysim.specs.arch import cnn

            params, _ = cnn.counts(self)
            return params, params
        if self.kind == "vit":
            from mlsysim.specs.arch import vision

            params = vision.vit_params(self)
            return params, params
        from mlsysim.specs.arch import transformer

        return transformer.counts(self)

    @property
    def params(self) -> float:
        """Total parameters, derived from the architecture."""
        return self._counts[0]

    @property
    def active_params(self) -> float:
        """Parameters used per token (differs from `params` for mixture-of-experts models)."""
        return self._counts[1]

    @cached_property
    def inference(self):
        """Per-model inference coefficients (matmul weights, attention, streamed weights), cached."""
        from mlsysim.specs.arch.inference import profile

        return profile(self)

    @cached_property
    def layer_groups(self) -> tuple[tuple[float, int], ...]:
        """Distinct block sizes and how many blocks have each, in order of first appearance.

        Transformer stacks repeat a few block shapes (dense, MoE), so per-layer sums become a
        handful of terms, which keeps per-layer physics vectorizable.
        """
        counts: dict[float, int] = {}
        for size in self.layer_params():
            counts[size] = counts.get(size, 0) + 1
        return tuple(counts.items())

    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def is_transformer(self) -> bool:
        return self.kind in ("decoder", "encoder", "encoder-decoder", "vit")

    def weight_bytes(self, precision: str = "bf16") -> float:
        return self.params * _precision.bytes_per_element(precision)

    def flops_per_token(self, context: float | None = None) -> float:
        """Forward FLOPs per token with `context` tokens attended to (default: the context length)."""
        from mlsysim.specs.arch import transformer

        self._require_language_model("flops_per_token")
        context = self.context_length if context is None else context
        return transformer.forward_flops_per_token(self, context)

    def attention_flops_per_token(self, context: float) -> float:
        from mlsysim.specs.arch import transformer

        self._require_language_model("attention_flops_per_token")
        return transformer.attention_flops_per_token(self, context)

    def training_flops_per_token(self, context: float | None = None) -> float:
        """Forward + backward FLOPs per token: 3× forward (the backward pass costs twice the forward)."""
        return 3.0 * self.flops_per_token(context)

    def flops_per_sample(self) -> float:
        """Forward FLOPs of one input (an image for vision models; a full context for LMs)."""
        if self.kind == "cnn":
            from mlsysim.specs.arch import cnn

            return cnn.counts(self)[1]
        if self.kind == "vit":
            from mlsysim.specs.arch import vision

            return vision.vit_flops(self)
        return self.context_length * self.flops_per_token(self.context_length)

    def kv_bytes_per_token(self, precision: str = "bf16") -> float:
        """KV-cache bytes one token adds across all layers (K and V; MLA keeps a latent instead)."""
        self._require_language_model("kv_bytes_per_token")
        element = _precision.bytes_per_element(precision)
        if self.kv_lora_rank:  # MLA caches the compressed latent plus the shared RoPE key
            return self.layers * (self.kv_lora_rank + self.qk_rope_head_dim) * element
        return 2 * self.layers * self.kv_heads * self.head_dim * element

    def layer_params(self) -> list[float]:
        """Weights of each transformer block, in order (for per-layer streaming)."""
        from mlsysim.specs.arch import transformer

        self._require_language_model("layer_params")
        return [total for total, _ in transformer.layer_params(self)]

    def _require_language_model(self, what: str) -> None:
        if self.kind not in ("decoder", "encoder", "encoder-decoder"):
            raise InvalidInputError(f"model: {what} needs a language model; {self.name} is a {self.kind}",
                                    parameter="model")

    def describe(self) -> str:
        from mlsysim.units import format_quantity as q

        text = f"{self.name}: {q(self.params, 'count')} params"
        if self.is_moe:
            text += f" ({q(self.active_params, 'count')} active)"
        if self.is_transformer and self.kind != "vit":
            text += f", {self.layers} layers, hidden {self.hidden}, {self.heads} heads"
            if self.kv_heads and self.kv_heads != self.heads:
                text += f" ({self.kv_heads} KV)"
        return text

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_hf_config(cls, config, *, key: str | None = None, name: str | None = None) -> Model:
        """Build a model from a Hugging Face `config.json` (a dict or a path), offline."""
        from mlsysim.specs.hf_config import model_from_hf_config

        return model_from_hf_config(config, key=key, name=name)


def _check_architecture(m: Model) -> None:
    if m.kind not in KINDS:
        raise InvalidInputError(f"{m.key}.kind: {m.kind!r} is not one of {', '.join(KINDS)}", parameter="kind")
    if m.kind == "cnn":  # validate the layer description now, so a bad record fails at load
        from mlsysim.specs.arch import cnn

        cnn.check(m)
        return
    for name in ("layers", "hidden", "heads"):
        if getattr(m, name) <= 0:
            raise InvalidInputError(f"{m.key}.{name}: must be a positive whole number, got {getattr(m, name)}",
                                    parameter=name)
    if not m.head_dim:
        object.__setattr__(m, "head_dim", m.hidden // m.heads)
    if not m.kv_heads:
        object.__setattr__(m, "kv_heads", m.heads)
    if m.heads % m.kv_heads:
        raise InvalidInputError(f"{m.key}.kv_heads: {m.kv_heads} does not divide heads={m.heads}",
                                parameter="kv_heads")
    if m.experts and not (0 < m.experts_per_token <= m.experts and m.expert_ffn > 0):
        raise InvalidInputError(f"{m.key}: a mixture of experts needs 0 < experts_per_token ≤ experts "
                                f"and expert_ffn > 0", parameter="experts_per_token")
    for name, allowed in (("ffn_type", ("gated", "mlp")), ("norm", ("rmsnorm", "layernorm")),
                          ("bias", ("none", "qkv", "all")),
                          ("position", ("rope", "learned", "relative", "relative-xl", "alibi", "none"))):
        if getattr(m, name) not in allowed:
            raise InvalidInputError(f"{m.key}.{name}: {getattr(m, name)!r} is not one of {', '.join(allowed)}",
                                    parameter=name)


def from_record(key: str, record: Mapping[str, Any]) -> Model:
    fields.check_keys(key, record, _FIELDS)
    ints = {name: fields.integer(key, record, name) for name in _INTEGERS if record.get(name) is not None}
    published = {name: fields.quantity(key, record, name, dim) for name, dim in _PUBLISHED.items()}
    numeric = [n for n in ints] + [n for n, v in published.items() if v is not None]
    flags = {name: bool(record[name]) for name in ("tied_embeddings", "pooler", "lm_head") if name in record}
    texts = {name: str(record[name]) for name in ("ffn_type", "position", "norm", "bias") if name in record}
    return Model(
        key=key,
        name=fields.text(key, record, "name", default=key),
        kind=fields.text(key, record, "kind", default="decoder", choices=KINDS),
        family=fields.text(key, record, "family"),
        org=fields.text(key, record, "org"),
        year=fields.integer(key, record, "year"),
        cnn=dict(record.get("cnn") or {}),
        aliases=tuple(str(a) for a in record.get("aliases") or ()),
        notes=fields.text(key, record, "notes"),
        sources=read_sources(key, record, numeric),
        **ints, **published, **flags, **texts,
    )
