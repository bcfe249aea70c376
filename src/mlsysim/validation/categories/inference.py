"""Inference throughput and time to first token through the serving scenario.

A record's model, GPU, tensor-parallel degree, precision and sequence lengths become a
`ServingDeployment`. Throughput benchmarks that let the scheduler fill memory ("max
throughput", in-flight batching) use batch="max": the largest batch whose KV cache fits beside
the weights; fixed-batch ("static") benchmarks use their batch and prefill it whole.
"""

from __future__ import annotations

from mlsysim.validation.categories._common import config_number, lookup
from mlsysim.validation.categories._training_config import HARDWARE, MODELS, _from_architecture
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "inference"
_SERVING_MODELS = (("llama 3.1 8b", "llama-3.1-8b"), ("llama 3.3 70b", "llama-3.1-70b"),
                   ("llama 3.1 405b", "llama-3.1-405b"), ("llama 2 13b", "llama-2-13b"),
                   ("llama 7b", "llama-2-7b"), ("llama 70b", "llama-2-70b"), *MODELS)


def express(record) -> Prediction:
    import mlsysim as ms

    inputs, what = _inputs(record)
    result = ms.ServingDeployment(**inputs).evaluate()
    unit = record.unit.lower()
    if unit.startswith("ms"):
        value, label = 1e3 * float(result.ttft), "time to first token"
    elif "per gpu" in unit:
        value, label = float(result.throughput) / inputs.get("devices", 1), "output tokens/s per GPU"
    elif "tokens" in unit and "user" in unit:
        value, label = float(result.per_user_tokens_per_s), "tokens/s per user"
    elif unit.startswith("output tokens/s"):
        value, label = float(result.throughput), "output tokens/s of the replica"
    else:
        raise NotExpressible(f"the serving scenario has no output in {record.unit!r}")
    explanation = (f"{result.fmt('model')} on {result.fmt('devices')} × {result.fmt('hardware')} ({what}, batch "
                   f"{result.fmt('batch')} of at most {result.fmt('max_concurrency')}): {label} {value:.4g}; TTFT "
                   f"{result.fmt('ttft')}, decode step {result.fmt('decode_step')} ({result.fmt('regime')}).")
    call = Call.of(result, outputs=["ttft", "itl", "decode_step", "throughput", "batch", "max_concurrency",
                                    "regime"],
                   inputs=[k for k in ("model", "hardware", "devices", "prompt_tokens", "output_tokens", "batch",
                                       "batching", "precision", "kv_precision", "reserve") if k in inputs])
    group = "inference/ttft" if unit.startswith("ms") else "inference/throughput"
    return Prediction(value, record.unit, explanation, (call,), group=group)


def _inputs(record) -> tuple[dict, str]:
    c = record.config
    text = str(c.get("hardware", "")).lower()
    key = next((k for name, k in (("h200", "h200"), *HARDWARE) if name in text), None)
    if key is None:
        raise NotExpressible(f"no accelerator in the registry matches {c.get('hardware')!r}")
    hardware = lookup("hardware", key)
    name = str(c.get("model", "")).lower()
    model_key = next((k for n, k in _SERVING_MODELS if n in name), None)
    model = lookup("model", model_key) if model_key else _from_architecture(record)
    precision = str(c.get("precision", "fp16")).lower()
    weights = "fp8" if "fp8" in precision else "fp16"
    inputs = {"model": model, "hardware": hardware, "devices": int(config_number(record, "TP", required=False) or 1),
              "prompt_tokens": int(config_number(record, "ISL")),
              "output_tokens": int(config_number(record, "OSL", required=False) or 1),
              "precision": weights, "kv_precision": "fp8" if "fp8 kv" in precision or "fp8" in weights else "fp16"}
    batch = config_number(record, "batch_size", required=False)
    batching = str(c.get("batching", "")).lower()
    if batch:
        inputs["batch"] = int(batch)
        inputs["batching"] = "continuous" if "inflight" in batching else "static"
        return inputs, f"batch {int(batch)}, {inputs['batching']} batching"
    inputs["batch"] = "max"
    fraction = _kv_fraction(batching)
    if fraction is not None:
        inputs["reserve"] = fraction
    return inputs, "in-flight batching to the memory limit"


def _kv_fraction(text: str):
    """TensorRT-LLM's kv_cache_free_gpu_mem_fraction (0.90–0.95): 7.5 % of free memory is kept back."""
    if "kv_cache_free_gpu_mem_fraction" not in text:
        return None
    return 0.075
