"""Training throughput, MFU and compute through the training scenario (the Iron Law).

Each record's own configuration becomes a `TrainingJob`: the model from the registry or from
the record's architecture, the hardware named in it, its parallel degrees, batch, sequence and
precision. What a record does not state (micro-batch, interleaving, recomputation, sometimes
the parallel split) is searched with parallelism="auto": a published benchmark is a tuned run,
so the fastest plan that fits stands in for it. Conventions follow each source: Megatron-LM's
2021 TFLOP/s count recomputation (HFU), Megatron-Core's and MosaicML's are model FLOPs (MFU).
"""

from __future__ import annotations

from mlsysim.validation.categories._common import config_number
from mlsysim.errors import MlsysimError
from mlsysim.validation.categories._training_config import RECOMPUTE_BEFORE_2022, job_inputs, model_of
from mlsysim.validation.prediction import Call, NotExpressible, Prediction

CATEGORY = ("training_throughput", "training_compute")


def express(record) -> Prediction:
    unit = record.unit.lower()
    if unit.startswith("flops"):
        return _six_nd(record)
    inputs, searched = job_inputs(record)
    result = _evaluate(inputs, searched)
    value, what = _quantity(record, result, unit)
    plan = ", ".join(f"{k}={result.fmt(k)}" for k in ("tp", "pp", "dp", "vpp", "micro_batch", "recompute", "attention"))
    note = f" (searched: {', '.join(searched)})" if searched else ""
    explanation = (f"{result.fmt('model')} on {result.fmt('devices')} × {result.fmt('hardware')}, {plan}{note}: "
                   f"{what} {value:.4g} {record.unit.split()[0]}; step {result.fmt('step_time')}, MFU "
                   f"{result.fmt('mfu')}, binding wall {result.fmt('binding_wall')}.")
    call = Call.of(result, outputs=["step_time", "mfu", "hfu", "node_mfu", "eta_scaling", "tokens_per_s",
                                    "memory_per_device", "binding_wall"],
                   inputs=[k for k in ("model", "hardware", "devices", "tp", "pp", "dp", "vpp", "micro_batch",
                                       "recompute", "attention", "sharding", "seq_len", "global_batch", "precision")
                           if result.inputs.get(k) is not None])
    return Prediction(value, record.unit, explanation, (call,), group=_group(record))


def _evaluate(inputs, searched):
    import mlsysim as ms

    if RECOMPUTE_BEFORE_2022 in searched:  # the faster of the two settings that existed, of those that fit
        results = []
        for recompute in ("none", "full"):
            try:
                results.append(ms.TrainingJob(**inputs, recompute=recompute, parallelism="auto").evaluate())
            except MlsysimError:
                continue
        if not results:
            raise NotExpressible("no plan fits with or without recomputing activations")
        return min(results, key=lambda r: float(r.step_time))
    if searched:
        return ms.TrainingJob(**inputs, parallelism="auto").evaluate()
    return ms.TrainingJob(**inputs).evaluate()


def _quantity(record, result, unit):
    devices = float(result.inputs["devices"])
    peak = float(result.terms["values"]["peak"])
    if unit.startswith("tflop/s"):
        if record.id.startswith("train-megatron-"):  # Narayanan et al. 2021, eq. 3 counts recomputation
            return float(result.hfu) * peak / 1e12, "hardware TFLOP/s per GPU (recomputation counted)"
        return float(result.mfu) * peak / 1e12, "model TFLOP/s per GPU"
    if unit.startswith("% mfu"):
        return 100 * float(result.mfu), "MFU %"
    if unit.startswith("% hfu"):
        return 100 * float(result.hfu), "HFU %"
    if unit.startswith("tokens/s/gpu"):
        return float(result.tokens_per_s) / devices, "tokens/s per GPU"
    if unit.startswith("days"):
        return float(result.time) / 86400, "days"
    if "hours" in unit:
        return float(result.device_hours), "device-hours"
    raise NotExpressible(f"the training scenario has no output in {record.unit!r}")


def _group(record) -> str:
    if record.category == "training_compute":
        return "training_compute"
    return "training_throughput"


def _six_nd(record) -> Prediction:
    """Total training compute as papers count it: 6 · N · D (no attention term), Wall 11."""
    import mlsysim as ms

    model = model_of(record)
    tokens = config_number(record, "tokens", "count")
    result = ms.wall("complexity")(params=model.params, tokens=tokens)
    value = float(result.outputs["compute"])
    return Prediction(value, record.unit, f"6 × {model.params:.4g} parameters × {tokens:.4g} tokens = {value:.4g} "
                      f"FLOPs (Wall 11).", (Call.of(result, outputs=["compute"], inputs=["params", "tokens"]),),
                      group="training_compute")
