"""Layer-by-layer counts of CNNs and ViTs, and the errors a malformed description raises."""

from __future__ import annotations

import pytest

import mlsysim as ms
from mlsysim.specs.models import Model


def cnn(**spec) -> Model:
    return Model(key="test-net", name="test-net", kind="cnn", cnn=spec)


def test_mobilenet_v1_paper_figures():
    # Howard et al. 2017, Table 8: 1.0 MobileNet-224 has 569 million multiply-adds, 4.2M params.
    m = ms.model("mobilenet-v1")
    assert abs(m.flops_per_sample() / 2 / 569e6 - 1) < 0.005
    assert abs(m.params / 4.2e6 - 1) < 0.01


def test_resolution_scales_conv_flops_not_params():
    small = cnn(type="resnet", block="bottleneck", stages=[3, 4, 6, 3], input=112)
    full = cnn(type="resnet", block="bottleneck", stages=[3, 4, 6, 3], input=224)
    assert small.params == full.params
    assert 3.5 < full.flops_per_sample() / small.flops_per_sample() < 4.1


def test_vit_tokens_and_language_model_methods_refuse_images():
    m = ms.model("vit-b-16")
    from mlsysim.specs.arch import vision

    assert vision.tokens(m) == 197
    with pytest.raises(ms.InvalidInputError, match="language model"):
        m.kv_bytes_per_token()


@pytest.mark.parametrize("spec, fragment", [
    ({}, "needs a mapping with 'type'"),
    ({"type": "alexnet"}, "test-net.cnn.type: 'alexnet'"),
    ({"type": "resnet", "stages": [2, 2, 2, 2]}, "needs 'block'"),
    ({"type": "resnet", "block": "tiny", "stages": [2]}, "test-net.cnn.block"),
    ({"type": "resnet", "block": "basic", "stages": [2, -1]}, "test-net.cnn.stages[1]"),
    ({"type": "mobilenet-v1", "width_multiplier": 0}, "width_multiplier"),
    ({"type": "mobilenet-v1", "input": [96]}, "test-net.cnn.input"),
    ({"type": "mlp", "input": 640, "layers": []}, "test-net.cnn.layers"),
    ({"type": "vgg", "stages": [2], "depth": 3}, "unknown field 'depth'"),
])
def test_bad_description_names_record_and_field(spec, fragment):
    with pytest.raises(ms.InvalidInputError) as caught:
        cnn(**spec)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
