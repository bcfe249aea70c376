"""The hardware registry: coverage, tolerant look-ups, sparse/dense sanity and datasheet spot checks."""

import math

import pytest

import mlsysim as ms
from mlsysim.specs.hardware import CATEGORIES, _QUANTITIES, from_record

ALL = ms.hardware.all()

# Chips the registry must carry (keys), grouped as in the coverage brief.
REQUIRED_KEYS = [
    "v100-sxm2-32gb", "t4", "a10", "a100-40gb-sxm", "a100-80gb-sxm", "a100-80gb-pcie", "l4", "l40s",
    "h100-sxm", "h100-pcie", "h100-nvl", "h800", "h20", "h200", "gh200", "b100", "b200", "gb200",
    "mi100", "mi210", "mi250x", "mi300x", "mi300a", "mi325x", "mi355x",
    "tpu-v2", "tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v5p", "tpu-v6e",
    "trainium1", "trainium2", "inferentia2", "gaudi2", "gaudi3", "groq-lpu", "wse-2", "wse-3",
    "jetson-agx-orin-64gb", "jetson-orin-nx-16gb", "jetson-orin-nano-super", "apple-m2-ultra",
    "apple-m3-max", "apple-m4", "apple-a17-pro", "snapdragon-8-gen-3", "rpi5", "coral-edge-tpu",
    "hailo-8", "esp32-s3", "stm32h743", "stm32f407", "arduino-nano-33-ble", "raspberry-pi-pico",
]


def test_registry_loads_at_least_55_records():
    # Loading runs every record through the loader, which refuses a number without a source.
    assert len(ALL) >= 55, len(ALL)


def test_required_chips_present():
    missing = [k for k in REQUIRED_KEYS if k not in ms.hardware.names()]
    assert not missing, missing


def test_every_category_represented():
    present = {h.category for h in ALL}
    assert set(CATEGORIES) <= present, set(CATEGORIES) - present


@pytest.mark.parametrize("query, key", [
    ("h100", "h100-sxm"),
    ("NVIDIA H100 SXM", "h100-sxm"),
    ("a100", "a100-80gb-sxm"),
    ("TPU v5p", "tpu-v5p"),
    ("MI300X", "mi300x"),
    ("v5p", "tpu-v5p"),
    ("gaudi3", "gaudi3"),
    ("wse-3", "wse-3"),
    ("orin", "jetson-agx-orin-64gb"),
    ("ironwood", "tpu-v7"),
])
def test_tolerant_lookups(query, key):
    assert ms.hardware(query).key == key


def test_aliases_do_not_shadow_other_records():
    from mlsysim.specs.registry import normalize

    owner = {}
    for h in ALL:
        for name in (h.key, h.name, *h.aliases):
            other = owner.setdefault(normalize(name), h.key)
            assert other == h.key, f"{name!r} of {h.key} already names {other}"


@pytest.mark.parametrize("hw", ALL, ids=lambda h: h.key)
def test_record_is_sane(hw):
    assert hw.peak, f"{hw.key} has no peak rate"
    assert hw.year and 2010 <= hw.year <= 2026, hw.year
    for precision, sparse in hw.peak_sparse.items():
        dense = hw.peak.get(precision)
        assert dense is not None, f"{hw.key}: sparse {precision} without a dense figure"
        assert dense <= sparse <= 2.001 * dense, f"{hw.key} {precision}: sparse {sparse:g} vs dense {dense:g}"
    if "bf16" in hw.peak and "fp32" in hw.peak:
        assert hw.peak["bf16"] >= hw.peak["fp32"], hw.key
    if hw.memory_bandwidth is not None:
        assert hw.memory_bytes is not None, f"{hw.key}: bandwidth without capacity"


@pytest.mark.parametrize("hw", ALL, ids=lambda h: h.key)
def test_every_number_has_a_source(hw):
    numeric = [n for n, attr in ((n, n if n not in ("memory", "sram") else f"{n}_bytes")
                                 for n in _QUANTITIES) if getattr(hw, attr) is not None]
    numeric += [f"peak.{p}" for p in hw.peak] + [f"peak_sparse.{p}" for p in hw.peak_sparse]
    for field in numeric:
        source = hw.sources.get(field)
        assert source is not None and source.title and source.date, f"{hw.key}.{field} has no source"


def test_a_number_without_a_source_fails_to_load():
    with pytest.raises(ms.InvalidInputError, match="without a source"):
        from_record("bare", {"name": "Bare", "peak": {"bf16": "1 TFLOPS"}, "memory": "1 GB"})


def test_missing_precision_raises():
    with pytest.raises(ms.InvalidInputError):
        ms.hardware("h100").peak_flops("fp4")


def close(value, expected):
    return math.isclose(value, expected, rel_tol=1e-9)


def test_datasheet_spot_checks():
    hw = ms.hardware
    # NVIDIA H100 datasheet, H100 SXM: BF16 1,979 TFLOPS sparse (989.4 dense), 3.35 TB/s HBM3.
    assert close(hw("h100").peak_flops("bf16"), 989.4e12)
    assert close(hw("h100").memory_bandwidth, 3.35e12)
    # NVLink 4 is 900 GB/s bidirectional, i.e. 450 GB/s per direction.
    assert close(hw("h100").scale_up_bandwidth, 450e9)
    # NVIDIA A100 datasheet, A100 80GB SXM: BF16 312 TFLOPS dense, 2,039 GB/s HBM2e.
    assert close(hw("a100").peak_flops("bf16"), 312e12)
    assert close(hw("a100").memory_bandwidth, 2.039e12)
    assert close(hw("a100").peak_flops("bf16", sparse=True), 624e12)
    # NVIDIA H200 product page: 141 GB HBM3e at 4.8 TB/s.
    assert close(hw("h200").memory_bytes, 141e9)
    assert close(hw("h200").memory_bandwidth, 4.8e12)
    # NVIDIA Blackwell datasheet (HGX B200): 8 TB/s HBM3e per GPU.
    assert close(hw("b200").memory_bandwidth, 8e12)
    # AMD Instinct MI300X data sheet: BF16 1,307.4 TFLOPS dense, 192 GB HBM3 at 5.3 TB/s.
    assert close(hw("MI300X").peak_flops("bf16"), 1307.4e12)
    assert close(hw("MI300X").memory_bytes, 192e9)
    assert close(hw("MI300X").memory_bandwidth, 5.3e12)
    # Google Cloud TPU v5p docs: 459 TFLOPS BF16, 95 GB HBM2e at 2,765 GBps.
    assert close(hw("TPU v5p").peak_flops("bf16"), 459e12)
    assert close(hw("TPU v5p").memory_bandwidth, 2.765e12)
    assert close(hw("TPU v5p").memory_bytes, 95e9)
    # Google Cloud TPU v4 docs: 275 TFLOPS (bf16 or int8), 32 GiB at 1,200 GBps.
    assert close(hw("tpu-v4").peak_flops("bf16"), 275e12)
    assert close(hw("tpu-v4").memory_bandwidth, 1.2e12)
    # Google Cloud TPU v5e docs: 197 TFLOPS BF16.
    assert close(hw("tpu-v5e").peak_flops("bf16"), 197e12)
    # Intel Gaudi 3 (Hot Chips 2024): 1,835 TFLOPS BF16 matrix, 128 GB HBM2e.
    assert close(hw("gaudi3").peak_flops("bf16"), 1835e12)
    assert close(hw("gaudi3").memory_bytes, 128e9)
    # AWS Neuron docs, Trainium2: 667 TFLOPS BF16, 96 GiB.
    assert close(hw("trainium2").peak_flops("bf16"), 667e12)
    assert close(hw("trainium2").memory_bytes, 96 * 2**30)
    # NVIDIA L4 datasheet: FP8 485 TFLOPS with sparsity, 242.5 dense.
    assert close(hw("l4").peak_flops("fp8"), 242.5e12)
    # Cerebras WSE-3: 44 GB on-wafer SRAM at 21 PB/s; weights stream in over 1.2 Tb/s of I/O.
    assert close(hw("wse-3").memory_bytes, 44e9)
    assert close(hw("wse-3").memory_bandwidth, 21e15)
    assert close(hw("wse-3").injection_bandwidth, 150e9)
    # TechPowerUp on the Groq LPU: 230 MB of on-die SRAM at 80 TB/s.
    assert close(hw("groq").memory_bytes, 230e6)
    assert close(hw("groq").memory_bandwidth, 80e12)


def test_sparsity_flag_follows_the_hardware():
    assert ms.hardware("h100").supports_structured_sparsity
    assert ms.hardware("mi300x").supports_structured_sparsity
    assert not ms.hardware("v100").supports_structured_sparsity
    assert not ms.hardware("tpu-v5p").supports_structured_sparsity
