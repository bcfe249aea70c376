"""Records added for validation: Tesla P100, Gopher 280B (Transformer-XL relative attention), TPU v3 ICI,
NVLink 1, and the NVSwitch's NVLS efficiency. Each check names where its published number comes from."""

from __future__ import annotations

import pytest

import mlsysim as ms
from mlsysim.specs import lookup


def test_p100_sxm2_datasheet():
    # NVIDIA Tesla P100 datasheet (2016), NVLink-optimized column: 5.3/10.6/21.2 TFLOPS fp64/fp32/fp16,
    # 16 GB HBM2 at 732 GB/s, NVLink 160 GB/s bidirectional, 300 W.
    p100 = ms.hardware("P100")
    assert p100.key == "p100-sxm2" and p100.year == 2016
    assert p100.peak_flops("fp64") == pytest.approx(5.3e12)
    assert p100.peak_flops("fp32") == pytest.approx(10.6e12)
    assert p100.peak_flops("fp16") == pytest.approx(21.2e12)
    assert p100.memory_bytes == pytest.approx(16e9) and p100.memory_bandwidth == pytest.approx(732e9)
    assert p100.tdp == pytest.approx(300.0)
    link = lookup("network", p100.scale_up_fabric)
    assert link.key == "nvlink1" and link.bandwidth == pytest.approx(p100.scale_up_bandwidth) == pytest.approx(80e9)
    assert link.links * link.link_bandwidth == pytest.approx(link.bandwidth)


def gopher_like(layers, hidden, heads, position="relative-xl"):
    return ms.Model(key="g", name="g", layers=layers, hidden=hidden, heads=heads, head_dim=hidden // heads,
                    ffn=4 * hidden, ffn_type="mlp", norm="rmsnorm", bias="none", position=position,
                    vocab=32000, tied_embeddings=True, context_length=2048)


def test_relative_xl_adds_one_hidden_squared_per_layer():
    xl, plain = gopher_like(12, 768, 12), gopher_like(12, 768, 12, position="relative")
    assert xl.params - plain.params == pytest.approx(12 * 768 ** 2)
    assert xl.inference.matmul_params - plain.inference.matmul_params == pytest.approx(12 * 768 ** 2)


def test_gopher_280b_within_3_percent():
    # Rae et al. 2021, Table 1: 80 layers, d_model 16,384, 128 heads of 128; 280B parameters.
    # 12·L·d² alone is 258B; the per-layer relative-position projection brings it to 280B.
    gopher = ms.model("gopher")
    assert gopher.key == "gopher-280b" and gopher.position == "relative-xl"
    assert 12 * 80 * 16384 ** 2 == pytest.approx(257.7e9, rel=1e-3)
    assert gopher.params == pytest.approx(280e9, rel=0.03)


@pytest.mark.parametrize("layers, hidden, heads, published", [
    (8, 512, 16, 44e6), (12, 768, 12, 117e6), (12, 1536, 12, 417e6), (24, 2048, 16, 1.4e9), (32, 4096, 32, 7.1e9)])
def test_the_smaller_gopher_family_counts(layers, hidden, heads, published):
    # Rae et al. 2021, Table 1: the same architecture at 44M-7.1B; the counts only come out with the
    # relative-position projection and a shared input/output embedding.
    assert gopher_like(layers, hidden, heads).params == pytest.approx(published, rel=0.03)


def test_tpu_v3_ici():
    # Google Cloud TPU v3 docs: 1024-chip pod, 2D torus, 6.4 TB/s bisection -> 64 links of 100 GB/s each
    # way; Austin et al. (How to Scale Your Model): TPU v3 ICI 1e11 B/s one-way per link.
    ici = lookup("network", "tpu-v3-ici")
    assert ici.kind == "ici" and ici.links == 4
    assert ici.link_bandwidth == pytest.approx(6.4e12 / (2 * 32)) == pytest.approx(1e11)
    assert ici.bandwidth == pytest.approx(ici.links * ici.link_bandwidth)
    # The same docs' 340 TB/s all-reduce bandwidth per pod is 83 % of 1024 chips at the line rate.
    assert 340e12 / 1024 / ici.bandwidth == pytest.approx(0.83, abs=0.01)


def test_nvls_efficiency_only_where_the_switch_reduces():
    assert lookup("network", "nvswitch-h100").nvls_efficiency == pytest.approx(0.686)
    for key in ("nvlink4", "nvswitch-a100", "ib-ndr"):
        assert lookup("network", key).nvls_efficiency is None
    assert "nvls_efficiency" in lookup("network", "nvswitch-h100").sources
