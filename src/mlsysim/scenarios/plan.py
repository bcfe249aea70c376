"""A training job's parallel plan: resolve the degrees, and the checks a valid plan must pass.

Degrees multiply to the device count: devices = tp × pp × dp × cp (expert parallelism runs
inside the data-parallel ranks, so ep divides dp × cp). Constraints name the rule that fails.
"""

from __future__ import annotations

import numpy as np

from mlsysim.errors import InfeasibleError
from mlsysim.walls.declaration import Constraint


def data_parallel(v):
    """dp as given, else what the devices leave after tp, pp and cp."""
    if v["dp"] is not None:
        return v["dp"]
    return v["devices"] / (v["tp"] * v["pp"] * v["cp"])


def global_batch(v):
    """Sequences per step: as given, from a token count, or 4M tokens (Llama 3's first stage:
    4M tokens per batch, Dubey et al. 2024, section 3.4.1) rounded to the data-parallel width.
    Vision models default to 32 images per device (Goyal et al. 2017, "Accurate, Large
    Minibatch SGD", the per-GPU batch of their ResNet-50 runs)."""
    if v["global_batch"] is not None:
        return v["global_batch"]
    if _is_vision(v):
        return 32 * data_parallel(v) * v["micro_batch"]
    tokens = v["global_batch_tokens"] if v["global_batch_tokens"] is not None else 4 * 2**20
    group = data_parallel(v) * v["micro_batch"]
    return np.maximum(np.round(tokens / v["seq_len"] / group), 1) * group


def resolve(v, model, hardware) -> dict:
    """Every degree and count the step model needs (arrays over plans)."""
    dp = data_parallel(v)
    batch = global_batch(v)
    node = v["devices_per_node"] or hardware.devices_per_node or 8
    return {"tp": v["tp"], "pp": v["pp"], "dp": dp, "cp": v["cp"], "ep": v["ep"], "vpp": v["vpp"],
            "micro_batch": v["micro_batch"], "seq_len": v["seq_len"], "global_batch": batch,
            "micro_batches": batch / (dp * v["micro_batch"]), "devices_per_node": node,
            "sharding": v["sharding"], "recompute": v["recompute"], "comm_overlap": v["comm_overlap"],
            "dp_overlap": v["dp_overlap"], "attention": v["attention"], "buffer_bytes": v["buffer_bytes"],
            "cross_entropy": v["cross_entropy"]}


def _is_vision(v):
    from mlsysim.walls.support import per_spec

    return per_spec(lambda m: float(m.kind in ("cnn", "vit")), v["model"]) > 0


def _whole(x) -> bool | np.ndarray:
    return np.isclose(x, np.round(x)) & (np.asarray(x) >= 1)


def _model(v, attribute: str):
    from mlsysim.walls.support import per_spec

    return per_spec(lambda m: getattr(m, attribute) or 0, v["model"])


CONSTRAINTS = [
    Constraint(lambda v: _whole(data_parallel(v)),
               "dp: devices {devices} do not split into tp {tp} × pp {pp} × cp {cp} × a whole data-parallel "
               "degree", "dp"),
    Constraint(lambda v: np.isclose(data_parallel(v) * v["tp"] * v["pp"] * v["cp"], v["devices"]),
               "dp: tp {tp} × pp {pp} × dp {dp} × cp {cp} must equal the devices {devices}", "dp"),
    Constraint(lambda v: _model(v, "heads") % np.asarray(v["tp"]).astype(int) == 0,
               "tp: {tp} does not divide the model's attention heads", "tp"),
    Constraint(lambda v: np.logical_not(_is_vision(v)) | ((v["tp"] == 1) & (v["pp"] == 1) & (v["cp"] == 1) & (v["ep"] == 1)),
               "tp: vision models are trained with data parallelism only here; leave tp, pp, cp and ep at 1",
               "tp"),
    Constraint(lambda v: _is_vision(v) | (v["pp"] * v["vpp"] <= _model(v, "layers")),
               "pp: {pp} stages × {vpp} interleaved chunks exceed the model's layers", "pp"),
    Constraint(lambda v: _whole(global_batch(v) / (data_parallel(v) * v["micro_batch"])),
               "global_batch: {global_batch} sequences do not split into whole micro-batches of {micro_batch} "
               "over the data-parallel ranks", "global_batch"),
    Constraint(lambda v: np.maximum(_model(v, "experts"), 1) % np.asarray(v["ep"]).astype(int) == 0,
               "ep: {ep} does not divide the model's experts", "ep"),
    Constraint(lambda v: _whole(data_parallel(v) * v["cp"] / v["ep"]),
               "ep: {ep} must divide dp × cp (experts are spread over data-parallel ranks)", "ep"),
    Constraint(lambda v: _whole(v["seq_len"] / v["cp"]), "cp: {cp} does not divide the sequence length {seq_len}",
               "cp"),
]


def memory_constraint(memory_of) -> Constraint:
    """The plan must fit: `memory_of(values)` returns (needed, available) bytes per device."""
    def holds(v):
        needed, available = memory_of(v)
        return needed <= available

    def message(v, bad):
        from mlsysim.units import format_quantity

        needed, available = (np.broadcast_to(x, np.shape(bad)) if np.ndim(bad) else x for x in memory_of(v))
        need, have = (float(np.asarray(x)[bad].flat[0]) if np.ndim(bad) else float(x) for x in (needed, available))
        return (f"memory: the plan needs {format_quantity(need, 'bytes')} per device but the hardware has "
                f"{format_quantity(have, 'bytes')}; add tensor/pipeline parallelism, shard the optimizer "
                f"(sharding='zero1'…'fsdp') or recompute activations (recompute='full')")

    return Constraint(holds, message, "memory", error=InfeasibleError)
