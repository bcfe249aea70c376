"""From a step's physics to the job: Iron Law terms, goodput, energy, carbon, cost, binding wall."""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.walls.declaration import Output
from mlsysim.walls.support import choose

OUTPUTS = [
    Output("time", "time", "wall-clock time of the whole job"),
    Output("step_time", "time", "time of one optimizer step"),
    Output("steps", "count", "optimizer steps"),
    Output("tokens", "count", "training tokens"),
    Output("tokens_per_s", "rate", "training tokens per second, whole job, while running"),
    Output("total_flops", "flops", "model FLOPs of the job (6N + attention per token)"),
    Output("achieved_flops_per_device", "flop_rate", "model FLOP/s per device while running"),
    Output("mfu", "fraction", "model FLOPs utilization, end to end (as papers report it)"),
    Output("hfu", "fraction", "hardware FLOPs utilization (counts recomputation)"),
    Output("node_mfu", "fraction", "MFU of the kernels alone (the Iron Law's MFU term)"),
    Output("eta_scaling", "fraction", "share of time not lost to collectives, bubbles and data stalls"),
    Output("goodput", "fraction", "share of time not lost to failures, restarts and checkpoints"),
    Output("memory_per_device", "bytes", "memory needed per device"),
    Output("memory_weights", "bytes", "weights per device"),
    Output("memory_gradients", "bytes", "gradients per device"),
    Output("memory_optimizer", "bytes", "optimizer state per device"),
    Output("memory_activations", "bytes", "stored activations per device (the fullest stage)"),
    Output("memory_buffers", "bytes", "framework and communication buffers"),
    Output("memory_available", "bytes", "memory of one device"),
    Output("fits", "flag", "whether the plan fits in memory"),
    Output("global_batch", "count", "sequences per step"),
    Output("micro_batches", "count", "micro-batches per step per pipeline"),
    Output("dp", "count", "data-parallel degree"),
    Output("bubble_fraction", "fraction", "share of the step the pipeline bubble takes"),
    Output("communication_fraction", "fraction", "share of the step spent in exposed collectives"),
    Output("cluster_mtbf", "time", "mean time between failures of the whole job"),
    Output("checkpoint_interval", "time", "time between checkpoints"),
    Output("device_hours", "number", "device-hours of the job"),
    Output("energy", "energy", "energy at the devices (IT energy)"),
    Output("carbon", "carbon", "operational emissions, PUE included"),
    Output("cost", "money", "cost at the rental price (or the owner's cost per device-hour)"),
    Output("matmul_efficiency", "fraction", "achievable fraction of peak FLOP/s used for GEMMs"),
    Output("memory_efficiency", "fraction", "achievable fraction of HBM bandwidth used"),
    Output("terms", "data", "the Iron Law terms, their walls and their shares of the loss"),
    Output("breakdown", "data", "seconds per step by cause, with the wall behind each"),
    Output("binding_wall", "text", "the wall that costs the most time"),
    Output("runners_up", "data", "with parallelism='auto': the next fastest plans"),
    Output("candidates_evaluated", "count", "with parallelism='auto': plans evaluated"),
]
_CAUSES = (("compute", "compute"), ("memory", "memory"), ("communication", "communication"),
           ("bubble", "communication"), ("data", "ingestion"), ("checkpoints", "checkpoint"),
           ("failures", "fragility"))


def work_of_language_model(v, model, plan) -> dict:
    """Forward FLOPs per token (PaLM's convention: full-context attention), tokens per step."""
    p, seq = model.inference, plan["seq_len"]
    forward = 2 * p.matmul_params + p.attention_coefficient * seq
    extra = {"none": 0.0, "selective": p.attention_coefficient * seq, "full": forward}[plan["recompute"]]
    tokens = v["tokens"] if v["tokens"] is not None else 20.0 * model.params
    return {"forward": forward, "items": plan["global_batch"] * seq, "extra": extra, "tokens": tokens}


def finish(v, model, hardware, plan, parts, mem, rates, work) -> dict:
    from mlsysim import wall

    peak, devices = hardware.peak_flops(v["precision"]), v["devices"]
    forward, items, extra, tokens = work["forward"], work["items"], work["extra"], work["tokens"]
    batch = plan["global_batch"]
    step_flops = items * 3 * forward
    step_time = parts["step_time"] * _data_factor(v, items, parts["step_time"])
    checkpoint = wall("checkpoint")(write_time=model.params * 14.0 / _checkpoint_bandwidth(v, plan),
                                    mtbf=v["mtbf"] / devices, interval=v["checkpoint_interval"],
                                    restart_time=v["restart_time"])
    goodput = checkpoint.goodput
    steps = tokens / items
    time = steps * step_time / goodput
    mfu = step_flops / (step_time * devices * peak)
    node_mfu = step_flops / devices / (parts["compute"] * peak)
    eta = parts["compute"] / step_time
    breakdown = _breakdown(parts, step_time, goodput, checkpoint)
    energy, carbon = _energy_and_carbon(v, hardware, devices * time)
    out = {
        "time": time, "step_time": step_time, "steps": steps, "tokens": tokens + 0 * time,
        "tokens_per_s": items / step_time, "total_flops": tokens * 3 * forward,
        "achieved_flops_per_device": mfu * peak, "mfu": mfu, "hfu": mfu * (1 + extra / (3 * forward)),
        "node_mfu": node_mfu, "eta_scaling": eta, "goodput": goodput,
        "memory_per_device": mem["total"], "memory_weights": mem["weights"], "memory_gradients": mem["gradients"],
        "memory_optimizer": mem["optimizer"], "memory_activations": mem["activations"],
        "memory_buffers": mem["buffers"], "memory_available": hardware.memory_bytes,
        "fits": mem["total"] <= hardware.memory_bytes, "global_batch": batch,
        "micro_batches": plan["micro_batches"], "dp": plan["dp"], "bubble_fraction": parts["bubble"] / step_time,
        "communication_fraction": (step_time - parts["compute"] - parts["bubble"]) / step_time,
        "cluster_mtbf": v["mtbf"] / devices, "checkpoint_interval": checkpoint.interval,
        "device_hours": devices * time / 3600.0, "energy": energy, "carbon": carbon,
        "cost": _cost(v, hardware, devices * time),
        "matmul_efficiency": rates.matmul_efficiency, "memory_efficiency": rates.memory_efficiency,
        "terms": _terms(tokens * 3 * forward, devices, peak, node_mfu, eta, goodput),
        "breakdown": breakdown,
    }
    out["binding_wall"] = _binding(breakdown)
    out["runners_up"], out["candidates_evaluated"] = None, None
    return out


def _checkpoint_bandwidth(v, plan):
    """Aggregate write bandwidth: the storage's, counted per node or per drive by its scope."""
    storage = v["checkpoint_storage"]
    if storage is None:
        return v["checkpoint_bandwidth"]
    if not storage.write_bandwidth:
        raise InvalidInputError(f"checkpoint_storage: {storage.name} publishes no write bandwidth; give "
                                f"checkpoint_bandwidth", parameter="checkpoint_storage")
    nodes = np.ceil(v["devices"] / plan["devices_per_node"])
    copies = {"per-client": nodes, "per-drive": v["checkpoint_drives"]}.get(storage.scope, 1.0)
    return storage.write_bandwidth * copies


def _data_factor(v, step_tokens, step_time):
    """Wall 8: if storage cannot feed the tokens, the step stretches by demand / supply."""
    if v["storage"] is None:
        return 1.0
    from mlsysim import wall

    ingestion = wall("ingestion")(devices=v["devices"], samples_per_second=step_tokens / step_time / v["devices"],
                                  sample_bytes=v["bytes_per_token"], storage=v["storage"], drives=v["storage_drives"])
    return np.maximum(ingestion.utilization, 1.0)


def _breakdown(parts, step_time, goodput, checkpoint) -> dict:
    wall_time = step_time / goodput
    seconds = {
        "compute": parts["compute"] - parts["memory_bound"], "memory": parts["memory_bound"],
        "communication": parts["step_time"] - parts["compute"] - parts["bubble"], "bubble": parts["bubble"],
        "data": step_time - parts["step_time"], "checkpoints": wall_time * checkpoint.overhead,
        "failures": wall_time * (checkpoint.lost_fraction - checkpoint.overhead),
    }
    return {cause: {"seconds": seconds[cause], "wall": slug} for cause, slug in _CAUSES}


def _binding(breakdown):
    stacked = np.stack(np.broadcast_arrays(*(np.asarray(b["seconds"], dtype=float) for b in breakdown.values())))
    index = np.argmax(stacked, axis=0)
    walls = np.array([b["wall"] for b in breakdown.values()], dtype=object)
    chosen = walls[index]
    return str(chosen) if np.ndim(chosen) == 0 else chosen


def _terms(flops, devices, peak, mfu, eta, goodput) -> dict:
    """The Iron Law's five terms and each loss term's share of ln(time / ideal time)."""
    losses = {"mfu": -np.log(mfu), "eta_scaling": -np.log(eta), "goodput": -np.log(goodput)}
    total = sum(losses.values())
    return {
        "ideal_time": flops / (devices * peak),
        "values": {"N": devices, "peak": peak, "mfu": mfu, "eta_scaling": eta, "goodput": goodput},
        "walls": {"N": "capital", "peak": "compute", "mfu": "software", "eta_scaling": "communication",
                  "goodput": "checkpoint"},
        "loss_share": {k: loss / total for k, loss in losses.items()},
    }


def _energy_and_carbon(v, hardware, device_seconds):
    from mlsysim import wall

    power = v["power"] if v["power"] is not None else hardware.tdp
    if power is None:
        return None, None
    energy = power * device_seconds
    region = v["region"] if v["region"] is not None or v["intensity"] is not None else "world"
    pue = v["pue"] if v["pue"] is not None else (None if v["region"] is not None else 1.1)
    result = wall("sustainability")(energy=energy, region=region, intensity=v["intensity"], pue=pue)
    return energy, result.carbon


def _cost(v, hardware, device_seconds):
    if v["price_per_device_hour"] is not None:
        return v["price_per_device_hour"] * device_seconds
    if hardware.price is None:
        return None
    from mlsysim import wall

    if v["region"] is None or v["region"].electricity_price is None:
        return None
    # An owner's cost per device-hour (Wall 17) at the region's electricity price.
    owned = wall("capital")(hardware=hardware, devices=v["devices"], utilization=1.0, region=v["region"])
    return owned.cost_per_device_hour * device_seconds / 3600.0


def explain(r) -> str:
    o = r.outputs
    binding = r.fmt("binding_wall")
    items = "images" if r.inputs["model"].kind in ("cnn", "vit") else "tokens"
    return (f"Training {r.fmt('model')} on {r.fmt('devices')} × {r.fmt('hardware')} for {r.fmt('tokens')} {items} "
            f"takes {r.fmt('time')} ({r.fmt('device_hours')} device-hours). At peak it would take "
            f"{_fmt_time(o['terms']['ideal_time'])}; kernels reach {r.fmt('node_mfu')} of peak (MFU), "
            f"collectives and bubbles leave {r.fmt('eta_scaling')} (η_scaling) and failures and checkpoints "
            f"{r.fmt('goodput')} (goodput): end-to-end MFU {r.fmt('mfu')}. The binding wall is {binding}. "
            f"Memory per device: {r.fmt('memory_per_device')} of {r.fmt('memory_available')}.")


def _fmt_time(value) -> str:
    from mlsysim.walls.result import _render

    return _render(value, "time")


__all__ = ["OUTPUTS", "finish", "explain", "choose"]
