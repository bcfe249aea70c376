"""Wall 19, checkpoint: what saving state costs a training run, and the interval that costs least."""

from __future__ import annotations

import numpy as np

from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of, per_spec

# Mixed-precision Adam state per parameter: bf16 weights (2) + fp32 master weights (4) + two fp32
# moments (8). ZeRO (Rajbhandari et al., SC20, §3.1) counts 2 + 2 + 12 bytes in memory; the
# gradients (2) are not saved.
ADAM_MIXED_PRECISION_BYTES = 14.0
# Asynchronous save stalls training only for the copy to host memory: 6.3 s against 148.8 s for a
# synchronous save of a 7B model (PyTorch blog, "Reducing Model Checkpointing Times by Over 10x
# with PyTorch Distributed Asynchronous Checkpointing", 2024).
ASYNC_BLOCKING_FRACTION = 6.3 / 148.8


def evaluate(write_time, mtbf, interval, restart_time, asynchronous, blocking_fraction, model,
             bytes_per_param, checkpoint_bytes, storage_bandwidth, storage):
    if checkpoint_bytes is None and model is not None:
        checkpoint_bytes = per_spec(lambda m: m.params, model) * bytes_per_param
    if write_time is None:
        if storage_bandwidth is None:
            storage_bandwidth = field_of(storage, "write_bandwidth", "storage")
        write_time = checkpoint_bytes / storage_bandwidth
    if blocking_fraction is None:
        blocking_fraction = np.where(np.asarray(asynchronous) == "yes", ASYNC_BLOCKING_FRACTION, 1.0)
        blocking_fraction = blocking_fraction.item() if blocking_fraction.ndim == 0 else blocking_fraction
    blocking = write_time * blocking_fraction
    # Young (1974); Daly (2006) adds higher-order terms. A save cannot start before the previous
    # one has finished writing, which binds only for asynchronous saves.
    optimal = np.maximum(np.sqrt(2.0 * blocking * mtbf), write_time)
    used = optimal if interval is None else interval
    overhead = blocking / used
    rework = (used / 2.0 + restart_time) / mtbf  # on average half an interval is redone per failure
    lost = overhead + rework
    # Loss relative to the optimum is (r + 1/r)/2 for r = interval/optimum: within 2.5 % for r in [0.8, 1.25].
    ratio = used / optimal
    regime = choose(lost >= 1.0, "no progress",
                    choose(ratio < 0.8, "checkpointing too often",
                           choose(ratio > 1.25, "checkpointing too rarely", "near optimal")))
    return {"checkpoint_bytes": checkpoint_bytes, "write_time": write_time, "blocking_time": blocking,
            "optimal_interval": optimal, "interval": used, "overhead": overhead, "rework_fraction": rework,
            "lost_fraction": lost, "goodput": np.maximum(0.0, 1.0 - lost), "regime": regime}


def _blocking_time(v):
    """Blocking write time from given inputs (for the closed-form inverse)."""
    fraction = v["blocking_fraction"]
    if fraction is None:
        fraction = ASYNC_BLOCKING_FRACTION if v["asynchronous"] == "yes" else 1.0
    return v["write_time"] * fraction


def explain(r) -> str:
    size = f"Saving {r.fmt('checkpoint_bytes')} takes {r.fmt('write_time')}" if r.outputs["checkpoint_bytes"] \
        is not None else f"A checkpoint takes {r.fmt('write_time')} to write"
    return (f"{size}, of which {r.fmt('blocking_time')} stalls training. With a failure every {r.fmt('mtbf')} "
            f"the best interval is √(2 × blocking time × MTBF) = {r.fmt('optimal_interval')}; checkpointing every "
            f"{r.fmt('interval')} ({r.fmt('regime')}) costs {r.fmt('overhead')} in writes and "
            f"{r.fmt('rework_fraction')} in redone work and restarts, leaving a goodput of {r.fmt('goodput')}.")


WALL = Wall(
    number=19,
    slug="checkpoint",
    title="The Checkpoint Wall",
    domain="operations",
    question="How often should a training run checkpoint, and what does it cost?",
    equation="penalty = write_time / interval;  interval* = √(2 · write_time · MTBF);  "
             "lost = write_time/interval + (interval/2 + restart_time)/MTBF",
    latex=r"\tau^* = \sqrt{2\,\delta\,M},\quad f_\text{lost} = \frac{\delta}{\tau} + \frac{\tau/2 + R}{M}",
    explanation=(
        "A long run saves its state so that a failure costs only the work since the last save. "
        "Each save stalls training for the time it takes to write (or, when saving asynchronously, "
        "to copy to host memory); each failure throws away on average half an interval of work, "
        "plus the time to restart. Saving often wastes time writing, saving rarely wastes time "
        "redoing; the two balance at Young's interval √(2 · write time · MTBF). The size to write "
        "is the model and optimizer state: 14 bytes per parameter for mixed-precision Adam."
    ),
    inputs=[
        Input("write_time", "time", "time to write one checkpoint (instead of size ÷ storage bandwidth)",
              default=None, low=0, low_open=True, typical=(1.0, 1800.0)),
        Input("mtbf", "time", "mean time between failures of the whole cluster (see Wall 15)",
              low=0, low_open=True, typical=(1800.0, 1e6)),
        Input("interval", "time", "time between checkpoints (default: Young's optimum)", default=None,
              low=0, low_open=True, typical=(60.0, 86400.0)),
        Input("restart_time", "time", "time to detect a failure, reschedule and reload", default=0.0,
              low=0, typical=(0.0, 3600.0)),
        Input("asynchronous", "choice", "save asynchronously (only the copy to host memory blocks)",
              default="no", choices=("no", "yes")),
        Input("blocking_fraction", "fraction", "share of the write that stalls training (default: 1, or "
              "0.042 when asynchronous, PyTorch DCP)", default=None, low=0, high=1, low_open=True),
        Input("model", "model", "model whose parameters are saved (instead of checkpoint_bytes)", default=None),
        Input("bytes_per_param", "number", "bytes saved per parameter (14: bf16 weights, fp32 master, "
              "two fp32 Adam moments)", default=ADAM_MIXED_PRECISION_BYTES, low=0, low_open=True,
              typical=(2.0, 16.0)),
        Input("checkpoint_bytes", "bytes", "size of one checkpoint (instead of model)", default=None,
              low=0, low_open=True, typical=(1e9, 1e13)),
        Input("storage_bandwidth", "bandwidth", "aggregate write bandwidth to storage", default=None,
              low=0, low_open=True, typical=(1e9, 1e13)),
        Input("storage", "storage", "storage system whose write bandwidth to use", default=None),
    ],
    outputs=[
        Output("optimal_interval", "time", "Young's optimal interval √(2 · blocking write time · MTBF)"),
        Output("interval", "time", "interval used"),
        Output("overhead", "fraction", "share of time spent blocked on writes (the MFU penalty)"),
        Output("rework_fraction", "fraction", "share of time lost redoing work and restarting"),
        Output("lost_fraction", "fraction", "total share of time lost: writes + rework + restarts"),
        Output("goodput", "fraction", "share of time doing new work, 1 − lost (0 at worst)"),
        Output("checkpoint_bytes", "bytes", "size of one checkpoint"),
        Output("write_time", "time", "time to write one checkpoint"),
        Output("blocking_time", "time", "part of the write that stalls training"),
        Output("regime", "text", "near optimal, checkpointing too often or too rarely, or no progress"),
    ],
    constraints=[
        Constraint(lambda v: v["write_time"] is not None or (
            (v["model"] is not None or v["checkpoint_bytes"] is not None)
            and (v["storage_bandwidth"] is not None or v["storage"] is not None)),
            "checkpoint: give write_time, or model (or checkpoint_bytes) with storage_bandwidth (or storage)",
            "write_time"),
    ],
    inverses={("optimal_interval", "mtbf"): lambda target, v: target**2 / (2.0 * _blocking_time(v))},
    regimes=("near optimal", "checkpointing too often", "checkpointing too rarely", "no progress"),
    evaluate=evaluate,
    explain=explain,
    headline="optimal_interval",
    examples=[
        Example({"write_time": "60 s", "mtbf": "5 h"}, {"optimal_interval": 1469.7, "overhead": 0.0408,
                                                          "goodput": 0.9184},
                source="issue 4, Wall 19: write 60 s, cluster MTBF 5 h → optimal interval ≈ 24.5 min "
                       "(Young 1974, 'A first order approximation to the optimum checkpoint interval')"),
        Example({"model": "llama-3-70b", "storage_bandwidth": "100 GB/s", "mtbf": "5 h"},
                {"checkpoint_bytes": 9.88e11, "write_time": 9.88}, rtol=0.01,
                source="70.6B parameters (Meta Llama 3 model card) × 14 B/param (ZeRO, SC20) at 100 GB/s"),
        Example({"write_time": "148.8 s", "asynchronous": "yes", "mtbf": "5 h"}, {"blocking_time": 6.3},
                source="PyTorch blog 2024: 7B model, synchronous save 148.8 s, asynchronous stall 6.3 s"),
    ],
    caveats=("First-order model: assumes failures are memoryless (exponential) and rare relative to the "
             "interval (write time ≪ MTBF); Daly (2006) gives the higher-order correction. Ignores "
             "failures during the write and restart themselves."),
    sources=("J. W. Young, A first order approximation to the optimum checkpoint interval, CACM 17(9), 1974",
             "J. T. Daly, A higher order estimate of the optimum checkpoint interval for restart dumps, "
             "FGCS 22(3), 2006",
             "Rajbhandari et al., ZeRO: Memory Optimizations Toward Training Trillion Parameter Models, SC20"),
)
