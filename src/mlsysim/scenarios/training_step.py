"""One training step from the physics: per-layer kernels, collectives, pipeline bubble, optimizer.

The step of a (tp, pp, dp, cp, ep) plan with m micro-batches per pipeline is
    pipeline  = (m + (pp − 1)/v) × (t_forward + t_backward) of the slowest stage   (1F1B, v-way
                interleaving; Narayanan et al. 2021, eq. for the bubble (p − 1)/(v·m))
    + exposed data-parallel gradient traffic (what the last backward pass cannot hide)
    + the optimizer update, a memory-bound pass over the local shard of the Adam state.
Every quantity is a numpy array over plans, so an automatic search is one evaluation.
"""

from __future__ import annotations

import numpy as np

from mlsysim.scenarios import layers
from mlsysim.scenarios.fabric import collective
from mlsysim.scenarios.kernels import stream_time

# Mixed-precision Adam per parameter: read the gradient (4 B, fp32 main grads as Megatron keeps
# them), read and write the fp32 master weight and both moments (3 × 8 B), write the 16-bit
# weight (2 B) — Rajbhandari et al. 2020 (ZeRO), section 3, for the 16 bytes of state.
OPTIMIZER_TRAFFIC = 4 + 24 + 2
GRADIENT_BYTES = 4


def stage_layers(total_layers: int, pp):
    """(layers on the fullest stage, layers on the lightest) when L layers spread over pp stages."""
    fewest = np.floor(total_layers / pp)
    most = np.where(total_layers % pp > 0, fewest + 1, fewest)
    return most, fewest


def layer_mix(m, tokens, batch, queries, keys, tp, ep, element, rates, attention="flash"):
    """Forward times of an average layer (dense and MoE layers mixed in their proportions)."""
    dense = layers.forward(m, False, tokens, batch, queries, keys, tp, ep, element, rates, attention)
    if not m.experts:
        return dense, 0.0
    moe = layers.forward(m, True, tokens, batch, queries, keys, tp, ep, element, rates, attention)
    share = (m.layers - m.dense_layers) / m.layers
    return dense.scaled(1 - share, 1 - share, 1 - share) + moe.scaled(share, share, share), share


def step(m, plan, rates, intra, inter, element):
    """Seconds of one step and of its parts, per device (arrays over plans)."""
    tp, pp, dp, cp, ep, v = plan["tp"], plan["pp"], plan["dp"], plan["cp"], plan["ep"], plan["vpp"]
    micro, seq, node = plan["micro_batch"], plan["seq_len"], plan["devices_per_node"]
    tokens = micro * seq / cp
    forward, moe_share = layer_mix(m, tokens, micro, seq / cp, seq, tp, ep, element, rates, plan["attention"])
    backward = layers.backward(forward)
    activation_bytes = tokens * m.hidden * element

    # Tensor parallelism: two all-reduces (or reduce-scatter + all-gather pairs) per layer each way.
    tp_comm = 2 * collective("all-reduce", activation_bytes, tp, node, intra, inter)
    ep_comm = moe_share * 2 * collective("all-to-all", activation_bytes * m.experts_per_token, ep,
                                         np.maximum(node / tp, 1), intra, inter)
    # Context parallelism: a ring passes K and V blocks round the cp ranks, hidden under attention.
    kv_bytes = tokens * 2 * m.kv_heads * m.head_dim * element / tp
    cp_comm = np.maximum((cp - 1) * kv_bytes / inter.bandwidth - forward.attention, 0.0) * (cp > 1)
    exposed = (1.0 - plan["comm_overlap"]) * (tp_comm + ep_comm) + cp_comm

    recompute = {"none": 0.0, "selective": forward.attention, "full": forward.total + exposed}[plan["recompute"]]
    most, fewest = stage_layers(m.layers, pp)
    head = layers.head_forward(m, tokens, tp, element, rates, layers.logit_bytes(plan)).total

    def slowest(per_layer, head_time):  # the LM head sits on a stage with the fewest layers
        return np.maximum(most * per_layer, fewest * per_layer + head_time)

    stage_f = slowest(forward.total + exposed, head)
    stage_b = slowest(backward.total + exposed + recompute, 2 * head)
    p2p = np.where(pp > 1, 2 * v * (inter.latency + activation_bytes / tp / inter.bandwidth), 0.0)
    micro_steps = plan["micro_batches"]
    per_micro = stage_f + stage_b + p2p
    pipeline = (micro_steps + (pp - 1) / v) * per_micro

    reduce, gather, shards = gradient_sync(m, plan, element, intra, inter)
    # Bucketed reduction overlaps the last micro-batch's backward pass (when the framework
    # overlaps at all: dp_overlap); ZeRO-3/FSDP gathers layer by layer ahead of use, hidden
    # under that micro-batch's compute where it can be.
    hidden = np.minimum(reduce, stage_b) * plan["dp_overlap"]
    dp_exposed = reduce - hidden + micro_steps * np.maximum(gather - per_micro, 0.0)
    optimizer = stream_time(params_per_device(m, plan) / shards * OPTIMIZER_TRAFFIC, rates, kernels=4)

    compute = micro_steps * (slowest(forward.total, head) + slowest(backward.total + recompute, 2 * head))
    layers_comm = micro_steps * most * 2
    return {
        "step_time": pipeline + dp_exposed + optimizer, "pipeline": pipeline,
        "bubble": (pp - 1) / v * per_micro, "compute": compute + optimizer,
        "tp_comm": layers_comm * (1 - plan["comm_overlap"]) * tp_comm,
        "ep_comm": layers_comm * (1 - plan["comm_overlap"]) * ep_comm,
        "p2p": micro_steps * p2p, "dp_comm": reduce + micro_steps * gather, "dp_exposed": dp_exposed,
        "optimizer": optimizer,
        "memory_bound": micro_steps * most * (forward.elementwise + backward.elementwise) + optimizer,
    }


def params_per_device(m, plan):
    """Weights one device holds before any optimizer or ZeRO-3 sharding."""
    experts = m.inference.expert_params
    dense = m.params - experts
    return dense / (plan["tp"] * plan["pp"]) + experts / (plan["tp"] * plan["pp"] * plan["ep"])


def gradient_sync(m, plan, element, intra, inter):
    """Seconds of the gradient reduction per step, of the weight gathers per micro-batch, and the
    number of shards the optimizer state is split into.

    Plain data parallelism all-reduces the gradients; ZeRO-1/2 (Megatron's distributed
    optimizer) reduce-scatters them and all-gathers updated weights — the same bytes; ZeRO-3 /
    FSDP also gathers the weights again for every micro-batch's forward and backward pass.
    """
    tp, cp, dp, node = plan["tp"], plan["cp"], plan["dp"], plan["devices_per_node"]
    ranks = dp * cp
    per_node = np.maximum(node // (tp * cp), 1)
    local = params_per_device(m, plan) * element
    # Gradients are reduced from the fp32 main-gradient buffers (Megatron-LM's default); a
    # sharded optimizer reduce-scatters them and all-gathers the updated 16-bit weights.
    fp32_grads = params_per_device(m, plan) * GRADIENT_BYTES
    if plan["sharding"] == "none":
        reduce = collective("all-reduce", fp32_grads, ranks, per_node, intra, inter)
    else:
        reduce = (collective("reduce-scatter", fp32_grads, ranks, per_node, intra, inter)
                  + collective("all-gather", local, ranks, per_node, intra, inter))
    gather = 0.0
    if plan["sharding"] in ("zero3", "fsdp"):
        gather = 2 * collective("all-gather", local, ranks, per_node, intra, inter)
    shards = ranks if plan["sharding"] != "none" else 1
    return reduce, gather, shards
