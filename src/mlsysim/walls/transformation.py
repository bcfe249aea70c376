"""Wall 9, transformation: can the host CPUs decode, augment and tokenize fast enough?"""

from __future__ import annotations

import numpy as np

from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of

_RATE = {"image": "image_decode_rate", "tokens": "tokenize_rate"}


def evaluate(batch, sequence_length, samples, cpu_throughput, cpu, kind, cores, step_time, devices):
    tokens = sequence_length is not None
    per_device = batch * sequence_length if tokens else samples
    if cpu_throughput is None:
        kind = kind or ("tokens" if tokens else "image")
        cpu_throughput = field_of(cpu, _RATE[kind], "cpu_throughput")
    items = devices * per_device
    time = items / (cpu_throughput * cores)
    out = {"time": time, "items": items, "cpu_throughput": cpu_throughput, "cores_needed": None,
           "starvation_fraction": None, "regime": None}
    if step_time is not None:
        # With prefetching the slower side sets the step: CPUs taking longer than the accelerators
        # leave them idle for the difference.
        out.update(cores_needed=np.ceil(items / (cpu_throughput * step_time) - 1e-9),
                   starvation_fraction=np.maximum(0.0, 1 - step_time / time),
                   regime=choose(time > step_time, "starved", "fed"))
    return out


def explain(r) -> str:
    unit = "tokens" if r.inputs["sequence_length"] is not None else "samples"
    text = (f"{r.fmt('items')} {unit} per step at {r.fmt('cpu_throughput')} per core on {r.fmt('cores')} "
            f"cores take {r.fmt('time')}.")
    if r.outputs["regime"] is not None:
        text += (f" Against a {r.fmt('step_time')} accelerator step the pipeline is {r.fmt('regime')}: "
                 f"{r.fmt('cores_needed')} cores keep {r.fmt('devices')} accelerators busy; the "
                 f"accelerators wait {r.fmt('starvation_fraction')} of the time.")
    return text


def _numerator_given(v) -> bool:
    if v["sequence_length"] is not None:
        return v["batch"] is not None and v["samples"] is None
    return v["samples"] is not None and v["batch"] is None


def _kind_matches(v) -> bool:
    return v["kind"] is None or (v["kind"] == "tokens") == (v["sequence_length"] is not None)


WALL = Wall(
    number=9,
    slug="transformation",
    title="The Transformation Wall",
    domain="data",
    question="Can the CPUs preprocess data as fast as the accelerators consume it?",
    equation="time = batch × sequence_length (or samples) / (cpu_throughput × cores)",
    latex=(r"T_\text{cpu} = \frac{B \cdot S}{R_\text{core} \cdot C},\quad "
           r"C_\text{needed} = \frac{N\,B\,S}{R_\text{core}\,T_\text{step}}"),
    explanation=(
        "Bytes on disk are not tensors: each sample must be decoded, cropped, augmented or "
        "tokenized by host CPU cores before an accelerator can use it. A core handles a measured "
        "number of items per second, so a step's worth of items takes items ÷ (rate × cores). If "
        "that exceeds the accelerator's step time, the accelerators wait, and the fix is more "
        "cores, faster decoders, GPU decoding or preprocessed data. Image decoding costs hundreds "
        "of items per core-second; tokenizing costs millions of tokens, so it rarely binds."
    ),
    inputs=[
        Input("batch", "count", "samples per accelerator per step (with sequence_length)", default=None,
              low=1, integer=True, typical=(1, 4096)),
        Input("sequence_length", "count", "tokens per sample, when the CPU work is per token", default=None,
              low=1, integer=True, typical=(128, 131072)),
        Input("samples", "count", "samples per accelerator per step, when the CPU work is per sample "
              "(images, clips)", default=None, low=1, integer=True, typical=(1, 4096)),
        Input("cpu_throughput", "rate", "items one core processes per second (instead of cpu)", default=None,
              low=0, low_open=True, typical=(10, 1e7)),
        Input("cpu", "cpu", "host CPU whose measured per-core rate to use", default=None),
        Input("kind", "choice", "which of the CPU's rates to use (default: tokens with sequence_length, "
              "else image)", default=None, choices=("image", "tokens")),
        Input("cores", "count", "CPU cores doing the preprocessing", low=1, integer=True, typical=(1, 1024)),
        Input("step_time", "time", "accelerator time per training step", default=None, low=0, low_open=True,
              typical=(1e-3, 10)),
        Input("devices", "count", "accelerators fed by these cores", default=1, low=1, integer=True,
              typical=(1, 64)),
    ],
    outputs=[
        Output("time", "time", "CPU time to prepare one step's items"),
        Output("items", "count", "items (samples or tokens) per step across the accelerators"),
        Output("cpu_throughput", "rate", "per-core rate used"),
        Output("cores_needed", "count", "cores that keep the accelerators busy (needs step_time)"),
        Output("starvation_fraction", "fraction", "share of time the accelerators wait (needs step_time)"),
        Output("regime", "text", "starved or fed (needs step_time)"),
    ],
    constraints=[
        Constraint(_numerator_given, "transformation: give batch and sequence_length (tokens per step), or "
                   "samples (samples per step); one of the two", "samples"),
        Constraint(lambda v: v["cpu_throughput"] is not None or v["cpu"] is not None,
                   "transformation: give cpu_throughput (per core), or cpu", "cpu_throughput"),
        Constraint(_kind_matches, "kind: image rates count samples and tokens rates count tokens; give "
                   "samples for image, batch and sequence_length for tokens", "kind"),
    ],
    inverses={("time", "cores"): lambda target, v: evaluate(**{**v, "cores": 1.0})["time"] / target},
    regimes=("starved", "fed"),
    evaluate=evaluate,
    explain=explain,
    headline="time",
    examples=[
        Example({"samples": 256, "cpu_throughput": "577/s", "cores": 32, "step_time": "0.1 s", "devices": 8},
                {"time": 0.11092, "cores_needed": 36, "starvation_fraction": 0.09846},
                source="ternaus/imread_benchmark (arXiv:2605.08731): Pillow decodes 577 ImageNet JPEGs/s on "
                       "one thread of a Xeon Platinum 8581C (decode only); 8 accelerators × 256 images "
                       "per 0.1 s step"),
        Example({"samples": 256, "cpu": "axion", "cores": 64, "step_time": "0.1 s", "devices": 8},
                {"cpu_throughput": 551, "cores_needed": 38},
                source="same benchmark, Google Axion (Neoverse V2): 551 JPEGs/s per core with Pillow"),
        Example({"batch": 8, "sequence_length": 4096, "cpu_throughput": 5.1e6, "cores": 1, "step_time": "0.5 s",
                 "devices": 8},
                {"time": 0.0514, "cores_needed": 1, "starvation_fraction": 0.0},
                source="atsentia, mojo-tokenizer benchmark: tiktoken encodes 5.1 M tokens/s (cl100k, full "
                       "pipeline) on one Apple Silicon core"),
    ],
    caveats=("Assumes perfect overlap of CPU and accelerator work and linear scaling across cores (memory "
             "bandwidth, SMT and Python overheads bend it); decode-only rates overstate a pipeline that "
             "also resizes and augments."),
)
