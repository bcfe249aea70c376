"""Read a training record's configuration into TrainingJob inputs (model, hardware, plan)."""

from __future__ import annotations

import re

from mlsysim.validation.categories._common import config_number, lookup
from mlsysim.validation.prediction import NotExpressible

# Chip named in a record's hardware text -> hardware registry key (first match wins).
HARDWARE = (("h100", "h100-sxm"), ("a100", "a100-80gb-sxm"), ("v100", "v100-sxm2-32gb"), ("tpu v4", "tpu-v4"),
            ("tpu v3", "tpu-v3"), ("h800", "h800"))
# Model named in a record -> model registry key.
MODELS = (("llama 2 7b", "llama-2-7b"), ("llama 2 13b", "llama-2-13b"), ("llama 2 70b", "llama-2-70b"),
          ("llama 3 8b", "llama-3-8b"), ("llama 3 70b", "llama-3-70b"), ("llama 65b", "llama-65b"),
          ("gpt-3 175b", "gpt-3"), ("palm 540b", "palm-540b"), ("megatron-turing nlg 530b", "mt-nlg-530b"),
          ("starcoderbase", "starcoderbase-15b"), ("mpt-1b", "mpt-1b"), ("gopher", "gopher-280b"))
# Interconnects of TPU pods (the registry's TPU records name no scale-up fabric). Jobs larger than
# a pod (Gopher's four 1024-chip TPU v3 pods) are treated as one ICI torus: the data-centre links
# between pods are not modelled, which flatters them.
TPU_FABRIC = {"tpu-v4": "tpu-v4-ici", "tpu-v3": "tpu-v3-ici"}


def hardware_of(record):
    text = str(record.config.get("hardware", "")).lower()
    key = next((k for name, k in HARDWARE if name in text), None)
    if key is None:
        raise NotExpressible(f"no accelerator in the registry matches {record.config.get('hardware')!r}")
    return lookup("hardware", key)


def model_of(record):
    name = str(record.config.get("model", "")).lower()
    key = next((k for text, k in MODELS if text in name), None)
    if key is not None:
        return lookup("model", key)
    return _from_architecture(record)


def _from_architecture(record):
    import mlsysim as ms

    c = record.config
    layers = config_number(record, "layers", required=False) or config_number(record, "n_layers", required=False)
    hidden = config_number(record, "hidden", required=False) or config_number(record, "d_model", required=False)
    heads = config_number(record, "heads", required=False) or config_number(record, "n_heads", required=False)
    if not (layers and hidden and heads):
        raise NotExpressible("the record gives no architecture (layers, hidden size, heads) and no registry "
                             f"model matches {c.get('model')!r}")
    mosaic = "mpt" in str(c.get("model", "")).lower()
    expansion = config_number(record, "expansion_ratio", required=False) or 4
    ffn = config_number(record, "ffn", required=False) or expansion * hidden
    # Megatron-LM's GPT ties the output layer to the embedding unless told otherwise; its 2024
    # Megatron-Core benchmark configs (131,072-token vocabulary) count untied embeddings.
    untied = "megatron-core" in str(c.get("software", "")).lower()
    return ms.Model(key=re.sub(r"[^a-z0-9]+", "-", str(c.get("model", "custom")).lower()).strip("-"),
                    name=str(c.get("model", "custom")), layers=int(layers), hidden=int(hidden), heads=int(heads),
                    ffn=int(ffn), ffn_type="mlp", vocab=int(config_number(record, "vocab", required=False) or 51200),
                    context_length=int(config_number(record, "seq_len", required=False) or 2048),
                    norm="layernorm", bias="none" if mosaic else "all", position="alibi" if mosaic else "learned",
                    tied_embeddings=not untied)


def precision_of(record, hardware) -> str:
    """The record's training precision; chips without BF16 (V100) trained in FP16."""
    text = str(record.config.get("precision", "bf16")).lower()
    chosen = "fp8" if "fp8" in text else "fp16" if "fp16" in text else "bf16"
    return chosen if hardware.has_precision(chosen) else "fp16"


def job_inputs(record) -> tuple[dict, list[str]]:
    """TrainingJob inputs from the record, and the plan choices left to the search."""
    c = record.config
    hardware, model = hardware_of(record), model_of(record)
    era = _era(record, model)
    devices = config_number(record, "num_gpus", required=False) or config_number(record, "num_chips", required=False)
    assumed = ""
    if not devices:
        devices, assumed = _assumed_devices(record, hardware)
    inputs = {"model": model, "hardware": hardware, "devices": int(devices), "precision": precision_of(record, hardware),
              "seq_len": int(config_number(record, "seq_len", required=False) or model.context_length or 2048)}
    tokens = config_number(record, "tokens", "count", required=False) or config_number(
        record, "tokens_total", "count", required=False)
    if tokens:
        inputs["tokens"] = tokens
    batch = config_number(record, "global_batch_seqs", required=False)
    if batch:
        inputs["global_batch"] = int(batch)
    searched = []
    for key, name in (("TP", "tp"), ("PP", "pp")):
        value = config_number(record, key, required=False)
        if value:
            inputs[name] = int(value)
        else:
            searched.append(name)
    _framework(record, inputs, searched)
    if hardware.key in TPU_FABRIC and TPU_FABRIC[hardware.key]:
        inputs["scale_up"] = inputs["scale_out"] = TPU_FABRIC[hardware.key]
    if era < 2022:
        # FlashAttention (Dao et al., May 2022) came later: attention scores were materialized.
        inputs["attention"] = "materialized"
        if "recompute" in searched:
            # So did selective recomputation (Korthikanti et al., May 2022): a layer's activations
            # were either all kept or all recomputed.
            searched[searched.index("recompute")] = RECOMPUTE_BEFORE_2022
    if assumed:
        searched.append(assumed)
    return inputs, searched


RECOMPUTE_BEFORE_2022 = "recompute (none or full: selective recomputation dates from 2022)"


def _era(record, model) -> int:
    """The year the run was made: the source's, or the model's when earlier — a later paper
    quoting an older run (the PaLM paper's GPT-3 row) — unless the record names the software it
    ran, which dates the run to the source (Megatron-Core r0.8.0 training GPT-3 in 2024)."""
    years = [int(y) for y in re.findall(r"\b(20[12]\d)\b", record.source)]
    if model.year and not (years and record.config.get("software")):
        years.append(model.year)
    return min(years) if years else 2024


def _assumed_devices(record, hardware) -> tuple[int, str]:
    """Device-hours and MFU barely depend on the device count once the plan is searched, so a
    record that omits it gets a typical cluster size, said in the explanation."""
    quantity = record.quantity.lower()
    chips = re.search(r"(\d+)\s*chips", quantity)
    if chips:
        return int(chips[1]), ""
    if record.category == "training_compute" or "mfu" in record.unit.lower():
        return 2048, "devices (not given; 2,048 assumed)"
    raise NotExpressible("the record does not say how many accelerators ran the job")


def _framework(record, inputs, searched) -> None:
    """Software settings the record states: sharding, recomputation, micro-batch, overlap."""
    c = record.config
    parallelism = str(c.get("parallelism", "")).lower()
    software = str(c.get("software", "")).lower()
    if "fsdp" in parallelism:
        inputs["sharding"] = "fsdp"
        inputs["tp"] = inputs["pp"] = 1
        searched[:] = [s for s in searched if s not in ("tp", "pp")]
    micro = config_number(record, "micro_batch", required=False)
    if micro:
        inputs["micro_batch"] = int(micro)
    else:
        searched.append("micro_batch")
    if "activation_checkpointing" in c:
        inputs["recompute"] = "full" if c["activation_checkpointing"] else "none"
    elif record.id.startswith("train-megatron-"):  # Narayanan et al. 2021 recompute activations
        inputs["recompute"] = "full"
    else:
        searched.append("recompute")
    if "llm-foundry" in software:
        # llm-foundry's MPT models default to flash-attn's fused cross-entropy
        # (llmfoundry/models/mpt/modeling_mpt.py: om_model_config.get('loss_fn', 'fused_crossentropy')).
        inputs["cross_entropy"] = "fused"
        # Its benchmark sweep ran attn_impl 'triton': submit_benchmarks.py's --attn_impl defaults to
        # 'triton' (mosaicml/llm-foundry scripts/train/benchmarking, git 12a6319) and sweep.sh never
        # sets it. The Triton kernel predates Hopper instructions, so H100s ran it as on an A100.
        inputs["attention"] = "triton"
    if "tp-comm-overlap" in software:
        inputs["comm_overlap"] = 1.0
    if record.id.startswith("train-megatron-"):
        # Megatron-LM 2021 all-reduces gradients after the backward pass (Narayanan et al. 2021).
        inputs["dp_overlap"] = 0.0
    if "interleaved" in software:
        searched.append("vpp")
    elif inputs.get("pp", 1) > 1:
        inputs["vpp"] = 1
