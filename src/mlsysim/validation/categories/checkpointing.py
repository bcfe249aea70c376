"""Checkpoints through Wall 19 (checkpoint): the stall of an asynchronous save, and the state
each GPU writes (mixed-precision Adam: 14 bytes per parameter, spread over the job's GPUs)."""

from __future__ import annotations

from mlsysim.validation.categories._common import config_number, in_unit, lookup
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = "checkpointing"
# Model named in a record's config -> model registry name.
_MODELS = {"llama 3 405b": "llama-3.1-405b"}


def express(record) -> Prediction:
    quantity = record.quantity.lower()
    if "downtime per checkpoint" in quantity:
        return _async_stall(record)
    if "checkpoint size per gpu" in quantity:
        return _size_per_gpu(record)
    raise NotExpressible(f"Wall 19 has no output for {record.quantity!r}")


def _async_stall(record) -> Prediction:
    import mlsysim as ms
    from mlsysim.walls import checkpoint

    sync = config_number(record, "baseline_sync_seconds")
    # Wall 19 needs an MTBF for its interval; the stall does not depend on it (a day here).
    result = ms.wall("checkpoint")(write_time=sync, asynchronous="yes", mtbf=86400.0)
    stall = float(result.outputs["blocking_time"])
    circular = None
    if abs(checkpoint.ASYNC_BLOCKING_FRACTION * sync - record.bounds[0]) <= 1e-6 * record.bounds[0]:
        circular = ("Wall 19's asynchronous blocking fraction is this record's own ratio (6.3 s of 148.8 s, "
                    "PyTorch blog 2024), so the stall it predicts from the synchronous time is the record")
    return Prediction(stall, record.unit, f"A {sync:g} s synchronous save made asynchronous stalls training for "
                      f"{stall:.3g} s (Wall 19's blocking fraction {checkpoint.ASYNC_BLOCKING_FRACTION:.4f}). "
                      "The physics behind it, a copy of the state to host memory, needs the GPU count and "
                      "PCIe bandwidth the record does not give.",
                      (Call.of(result, ["write_time", "blocking_time"], ["write_time", "asynchronous"]),),
                      circular=circular)


def _size_per_gpu(record) -> Prediction:
    from mlsysim.walls import checkpoint

    name = str(record.config.get("model", "")).lower()
    key = next((v for k, v in _MODELS.items() if k in name), None)
    if key is None:
        raise NotExpressible(f"no model in the registry matches {record.config.get('model')!r}")
    model, gpus = lookup("model", key), config_number(record, "num_gpus")
    total = model.params * checkpoint.ADAM_MIXED_PRECISION_BYTES
    per_gpu = total / gpus
    call = Call(f"ms.model({key!r}).params × Wall 19 bytes per parameter", {"gpus": f"{gpus:,.0f}"},
                {"params": f"{model.params:.4g}", "bytes_per_param": f"{checkpoint.ADAM_MIXED_PRECISION_BYTES:g}",
                 "checkpoint_bytes": f"{total / 1e12:.4g} TB", "per_gpu": f"{per_gpu / 1e6:.4g} MB"},
                "Wall 19 saves bf16 weights, fp32 master weights and two fp32 Adam moments: 14 B per parameter.")
    return Prediction(in_unit(per_gpu, record.unit, "bytes"), record.unit,
                      f"{model.params:.4g} parameters × 14 B = {total / 1e12:.4g} TB over {gpus:,.0f} GPUs is "
                      f"{per_gpu / 1e6:.4g} MB per GPU on average; ranks hold unequal shares (pipeline stages, "
                      "embeddings, sharded optimizer state), which is why the record gives a range.", (call,))
