"""Training step of a vision network (CNN, MLP or ViT) under data parallelism, layer by layer.

Convolutions run as implicit GEMMs on the roofline: each layer costs the slower of its
multiply-adds at the achievable matmul rate and its traffic (input and output feature maps and
weights) at the achievable memory rate; batch norm and the activation read and write each
output map twice more. Backward doubles both (input and weight gradients). Images are the
"tokens" of the job; a ViT is treated as dense GEMMs at the matmul rate.
"""

from __future__ import annotations

import numpy as np

from mlsysim.scenarios.fabric import collective
from mlsysim.scenarios.kernels import stream_time
from mlsysim.scenarios.training_step import OPTIMIZER_TRAFFIC

ELEMENTWISE_PASSES = 4  # batch norm then activation: read and write the output map, twice


def _layers(m):
    from mlsysim.specs.arch import cnn

    return np.array(cnn.layers(m), dtype=float)  # rows: MACs, input, output elements, weights


def forward_time(m, samples, element, rates):
    """Seconds of one forward pass over `samples` images on one device."""
    if m.kind == "vit":
        return samples * m.flops_per_sample() / rates.matmul, 0.0
    layers = _layers(m)
    macs, inputs, outputs, weights = (layers[:, i] for i in range(4))
    samples = np.asarray(samples, dtype=float)[..., None]
    gemm = np.maximum(2 * macs * samples / rates.matmul, (samples * (inputs + outputs) + weights) * element
                      / rates.memory) + rates.launch
    elementwise = stream_time(samples * outputs * ELEMENTWISE_PASSES * element, rates, kernels=2)
    return gemm.sum(axis=-1), elementwise.sum(axis=-1)


def step(m, plan, rates, intra, inter, element) -> dict:
    """The data-parallel step: forward, backward (2×), bucketed gradient all-reduce, optimizer."""
    dp, node = plan["dp"], plan["devices_per_node"]
    samples = plan["global_batch"] / dp
    gemm, elementwise = forward_time(m, samples, element, rates)
    forward = gemm + elementwise
    backward = 2 * forward
    reduce = collective("all-reduce", m.params * element, dp, np.minimum(node, dp), intra, inter)
    exposed = np.maximum(reduce - backward, 0.0)
    optimizer = stream_time(m.params * OPTIMIZER_TRAFFIC, rates, kernels=4)
    compute = forward + backward + optimizer
    return {"step_time": compute + exposed, "pipeline": forward + backward, "bubble": 0.0 * compute,
            "compute": compute, "tp_comm": 0.0, "ep_comm": 0.0, "p2p": 0.0, "dp_comm": reduce,
            "dp_exposed": exposed, "optimizer": optimizer,
            "memory_bound": 3 * elementwise + optimizer}


def memory(m, plan, element) -> dict:
    """Weights, gradients, optimizer state and the feature maps kept for the backward pass."""
    samples = plan["global_batch"] / plan["dp"]
    if m.kind == "vit":
        tokens = (m.image_size / m.patch_size) ** 2 + 1
        kept = tokens * m.layers * (6 * m.hidden + 2 * m.ffn)
    else:
        kept = 2 * _layers(m)[:, 2].sum()  # each output map, and its normalized copy
    weights, gradients = m.params * element, m.params * 4.0
    optimizer = m.params * 8.0  # fp32 master weight and momentum (SGD) or one Adam moment pair share
    activations = samples * kept * element
    buffers = plan["buffer_bytes"]
    total = weights + gradients + optimizer + activations + buffers
    return {"weights": weights + 0 * total, "gradients": gradients + 0 * total, "optimizer": optimizer + 0 * total,
            "activations": activations, "buffers": buffers + 0 * total, "total": total}
