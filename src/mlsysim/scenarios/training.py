"""The training scenario: a whole pre-training job through the Iron Law, from the physics up.

    Time = FLOPs / (N × Peak × MFU × η_scaling × Goodput)

FLOPs come from the model (6N plus attention per token), MFU from the kernels of one device
(`scenarios/layers.py`), η_scaling from what collectives and the pipeline bubble leave
(`scenarios/training_step.py`, Wall 14), Goodput from failures and checkpoints (Walls 15, 19);
energy, carbon and cost follow (Walls 17, 18). No term is a user-given efficiency.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mlsysim.errors import InvalidInputError
from mlsysim.precision import bytes_per_element
from mlsysim.scenarios import plan as plans
from mlsysim.scenarios.fabric import Fabric, resolve_network
from mlsysim.scenarios.kernels import ATTENTION_KERNELS, Rates
from mlsysim.scenarios.training_memory import memory
from mlsysim.scenarios import vision
from mlsysim.scenarios.training_outputs import OUTPUTS, explain, finish, work_of_language_model
from mlsysim.scenarios.training_step import step
from mlsysim.walls.core import Example, Input, Wall
from mlsysim.walls.locality import TOPOLOGIES, topology_metrics

VISION = ("cnn", "vit")
# 14 bytes per parameter: 16-bit weights plus fp32 master weights and Adam's two moments
# (Rajbhandari et al. 2020, ZeRO, section 3).
CHECKPOINT_BYTES_PER_PARAM = 14.0


def _element(precision: str) -> float:
    """Bytes of a stored activation: FP8 training still keeps activations in 16 bits."""
    return max(bytes_per_element(precision), 2.0) if precision != "fp32" else 4.0


def fabrics(v, hardware):
    node = v["devices_per_node"] or hardware.devices_per_node or 8
    up = resolve_network(v["scale_up"], hardware.scale_up_fabric)
    if up is None and hardware.scale_up_bandwidth is None and np.any(v["tp"] > 1):
        raise InvalidInputError(f"scale_up: {hardware.name} has no scale-up fabric on record; give scale_up",
                                parameter="scale_up")
    intra = Fabric.of(up, hardware.scale_up_bandwidth, "scale-up")
    out = resolve_network(v["scale_out"], hardware.scale_out_fabric)
    if out is None and hardware.scale_out_bandwidth is None:
        if np.any(v["devices"] > node):
            raise InvalidInputError(f"scale_out: {hardware.name} has no scale-out network on record and the job "
                                    f"spans nodes; give scale_out (e.g. 'ib-ndr')", parameter="scale_out")
        return intra, intra
    inter = Fabric.of(out, hardware.scale_out_bandwidth, "scale-out")
    # Wall 10: traffic between nodes gets the share of each link the wiring leaves it.
    nodes = np.maximum(np.asarray(v["devices"], dtype=float) / node, 2.0)
    share = topology_metrics(v["topology"], nodes, v["oversubscription"])["fraction_of_link"]
    return intra, dataclasses.replace(inter, bandwidth=inter.bandwidth * share)


def _memory_of(v):
    resolved = plans.resolve(v, v["model"], v["hardware"])
    model = v["model"]
    measure = vision.memory if model.kind in VISION else memory
    return measure(model, resolved, _element(v["precision"]))["total"], v["hardware"].memory_bytes


def evaluate(**v):
    model, hardware, precision = v["model"], v["hardware"], v["precision"]
    plan = plans.resolve(v, model, hardware)
    rates = Rates.of(hardware, precision, v["matmul_efficiency"], v["memory_efficiency"], v["attention"])
    intra, inter = fabrics(v, hardware)
    element = _element(precision)
    if model.kind in VISION:
        if v["tokens"] is None:
            raise InvalidInputError(f"tokens: give the number of training images for {model.name} "
                                    f"(e.g. 90 epochs of ImageNet: 115M)", parameter="tokens")
        parts = vision.step(model, plan, rates, intra, inter, element)
        work = {"forward": model.flops_per_sample(), "items": plan["global_batch"], "extra": 0.0,
                "tokens": v["tokens"]}
        return finish(v, model, hardware, plan, parts, vision.memory(model, plan, element), rates, work)
    parts = step(model, plan, rates, intra, inter, element)
    work = work_of_language_model(v, model, plan)
    return finish(v, model, hardware, plan, parts, memory(model, plan, element), rates, work)


INPUTS = [
    Input("parallelism", "choice", "'manual' (use tp, pp, …) or 'auto' (search for the fastest plan that fits)",
          default="manual", choices=("manual", "auto")),
    Input("model", "model", "the model to train"),
    Input("hardware", "hardware", "the accelerator"),
    Input("devices", "count", "accelerators in the job", low=1, integer=True, typical=(8, 100_000)),
    Input("tokens", "count", "training tokens, or images for vision models (default or 'chinchilla': 20 "
          "tokens per parameter)", default=None, low=1,
          typical=(1e9, 1e14), keywords=(("chinchilla", None),)),
    Input("precision", "precision", "precision of the matmuls (bf16, fp8, …)", default="bf16"),
    Input("seq_len", "count", "sequence length", default=4096, low=1, integer=True, typical=(512, 131072)),
    Input("global_batch", "count", "sequences per step (default: about 4M tokens)", default=None, low=1,
          integer=True, typical=(32, 16384)),
    Input("global_batch_tokens", "count", "tokens per step, instead of global_batch", default=None, low=1,
          typical=(1e5, 1e8)),
    Input("micro_batch", "count", "sequences per micro-batch", default=1, low=1, integer=True, typical=(1, 16)),
    Input("tp", "count", "tensor-parallel degree", default=1, low=1, integer=True, typical=(1, 8)),
    Input("pp", "count", "pipeline-parallel degree", default=1, low=1, integer=True, typical=(1, 64)),
    Input("dp", "count", "data-parallel degree (default: what the devices leave)", default=None, low=1,
          integer=True, typical=(1, 16384)),
    Input("cp", "count", "context-parallel degree", default=1, low=1, integer=True, typical=(1, 16)),
    Input("ep", "count", "expert-parallel degree (within data parallelism)", default=1, low=1, integer=True,
          typical=(1, 64)),
    Input("vpp", "count", "interleaved pipeline chunks per device (virtual stages)", default=1, low=1,
          integer=True, typical=(1, 8)),
    Input("sharding", "choice", "optimizer/gradient/weight sharding over data-parallel ranks", default="zero1",
          choices=("none", "zero1", "zero2", "zero3", "fsdp")),
    Input("recompute", "choice", "activation recomputation", default="none", choices=("none", "selective", "full")),
    Input("comm_overlap", "fraction", "share of tensor/expert-parallel traffic hidden under compute", default=0.0,
          low=0, high=1, typical=(0.0, 1.0)),
    Input("dp_overlap", "fraction", "share of the gradient reduction that may overlap the last backward pass "
          "(1: bucketed overlap as in PyTorch DDP/FSDP and Megatron-Core; 0: reduce after backward)",
          default=1.0, low=0, high=1, typical=(0.0, 1.0)),
    Input("attention", "choice", "attention kernel: 'flash' (the chip's best fused kernel, e.g. FlashAttention-3 "
          "on Hopper), 'flash2' (FlashAttention-2, 2023), 'triton' (FlashAttention in Triton, as llm-foundry ran "
          "it in 2023) or 'materialized' (scores written to memory, as before FlashAttention, 2022)",
          default="flash", choices=ATTENTION_KERNELS),
    Input("cross_entropy", "choice", "loss kernel: 'fp32' (logits cast to fp32 and kept with their gradient, as "
          "Megatron-LM does) or 'fused' (one kernel reads the 16-bit logits, as flash-attn's cross-entropy does)",
          default="fp32", choices=("fp32", "fused")),
    Input("devices_per_node", "count", "devices per node (default: the hardware's usual server)", default=None,
          low=1, integer=True, typical=(1, 72)),
    Input("scale_up", "network", "fabric inside a node (default: the hardware's)", default=None),
    Input("scale_out", "network", "network between nodes (default: the hardware's NIC)", default=None),
    Input("topology", "choice", "how the nodes are wired (Wall 10): traffic between nodes gets the link bandwidth "
          "× the bisection share, a worst case that assumes it spreads across the cluster (placement-aware rings "
          "on a ring or torus do better)", default="fat-tree", choices=TOPOLOGIES),
    Input("oversubscription", "number", "taper of the scale-out network (k:1)", default=1.0, low=1,
          typical=(1.0, 8.0)),
    Input("matmul_efficiency", "fraction", "achievable fraction of peak in large GEMMs (default: the hardware's)",
          default=None, low=0, high=1, low_open=True, typical=(0.4, 0.95)),
    Input("memory_efficiency", "fraction", "achievable fraction of HBM bandwidth (default: the hardware's)",
          default=None, low=0, high=1, low_open=True, typical=(0.5, 0.95)),
    # About 4 GB per GPU for the CUDA context, NCCL buffers and allocator slack: an assumption.
    Input("buffer_bytes", "bytes", "memory for framework, communication buffers and fragmentation",
          default="4 GB", low=0, typical=(0, 2e10)),
    # Llama 3: 419 unexpected interruptions in 54 days on 16,384 GPUs ≈ one per 50,600 GPU-hours
    # (Dubey et al. 2024, table 5); the spec's Wall 15 uses 50,000 h.
    Input("mtbf", "time", "mean time between failures of one device (host, network share included)",
          default="50000 h", low=0, low_open=True, typical=(3.6e6, 1e9)),
    # Llama 3's Tectonic storage sustains 2 TB/s (Dubey et al. 2024, section 3.3.1).
    Input("checkpoint_bandwidth", "bandwidth", "aggregate write bandwidth of checkpoint storage", default="2 TB/s",
          low=0, low_open=True, typical=(1e10, 1e13)),
    Input("checkpoint_storage", "storage", "checkpoint storage (instead of checkpoint_bandwidth): a per-client "
          "figure counts once per node, a per-drive one once per drive", default=None),
    Input("checkpoint_drives", "count", "drives of that storage (per-drive records)", default=1, low=1,
          typical=(1, 1000)),
    Input("checkpoint_interval", "time", "time between checkpoints (default: the Young–Daly optimum)",
          default=None, low=0, low_open=True, typical=(60, 86400)),
    Input("restart_time", "time", "time to detect a failure, restart and reload (default 0: not counted)",
          default=0.0, low=0, typical=(0, 3600)),
    Input("power", "power", "average power per device (default: its TDP)", default=None, low=0, low_open=True,
          typical=(50, 2000)),
    Input("pue", "number", "datacenter power usage effectiveness (default: the region's, else 1.1)", default=None,
          low=1, typical=(1.0, 2.0)),
    Input("region", "grid", "grid region for carbon (default: world average)", default=None),
    Input("intensity", "carbon_intensity", "grid carbon intensity, instead of a region", default=None, low=0,
          typical=(1e-9, 3e-7)),
    Input("price_per_device_hour", "money_rate", "rental price per device-hour", default=None, low=0,
          typical=(1e-4, 3e-3)),
    Input("storage", "storage", "training-data storage, to check ingestion keeps up (Wall 8)", default=None),
    Input("storage_drives", "count", "drives or clients of that storage", default=1, low=1, typical=(1, 1000)),
    Input("bytes_per_token", "bytes", "bytes of stored training data per token", default=4, low=0,
          low_open=True, typical=(1, 8)),
]

class TrainingScenario(Wall):
    """The training scenario; parallelism='auto' searches plans before evaluating."""

    def __call__(self, invalid: str = "raise", **inputs):
        if str(inputs.get("parallelism", "manual")).strip().lower() == "auto":
            from mlsysim.scenarios.search import search

            return search(self, inputs)
        return super().__call__(invalid=invalid, **inputs)


TRAINING = TrainingScenario(
    number=None, slug="training", title="Training job (the Iron Law)", domain="composition",
    question="How long will this training job take, what binds it, and what will it cost and emit?",
    equation="time = FLOPs / (N × Peak × MFU × η_scaling × Goodput)",
    latex=r"T = \frac{F}{N \cdot P_\text{peak} \cdot \mathrm{MFU} \cdot \eta_\text{scaling} \cdot G}",
    explanation=(
        "A training job's time is its arithmetic divided by the useful arithmetic the fleet delivers. "
        "The model fixes the FLOPs (six per parameter per token, plus attention). The hardware fixes "
        "N × Peak. The rest is loss: kernels that reach only part of peak and memory-bound work (MFU), "
        "collectives and pipeline bubbles that leave devices idle (η_scaling), and failures, restarts "
        "and checkpoints that throw time away (Goodput). Each term comes from a wall, so the result "
        "can say which one binds."),
    inputs=INPUTS, outputs=OUTPUTS, constraints=[*plans.CONSTRAINTS, plans.memory_constraint(_memory_of)],
    evaluate=evaluate, explain=explain, headline="time", regimes=(),
    examples=[Example({"model": "llama-3.1-405b", "hardware": "h100", "devices": 16384, "tp": 8, "pp": 16,
                       "seq_len": 8192, "tokens": "15.6T", "global_batch": 2048, "vpp": 4}, {},
                      source="Llama 3 paper (Dubey et al. 2024), table 4: 16K H100s, TP 8, PP 16, DP 128, "
                             "seq 8192, 38–43 % BF16 MFU")],
    caveats=("Dense GEMMs on the roofline at a measured efficiency, no kernel fusion beyond flash "
             "attention, balanced MoE routing, one NIC per device, and a uniform failure rate."),
)
