"""The CPU registry: coverage, look-ups, measured per-core preprocessing rates, spot checks."""

import math

import pytest

import mlsysim as ms
from mlsysim.specs.cpus import _QUANTITIES, from_record
from mlsysim.specs.registry import normalize

ALL = ms.cpu.all()


def test_registry_loads_at_least_10_records():
    assert len(ALL) >= 10, len(ALL)


def test_coverage_of_families():
    names = " ".join(c.name + " " + c.microarchitecture for c in ALL)
    for family in ("Rome", "Milan", "Genoa", "Turin", "Ice Lake", "Sapphire Rapids", "Emerald Rapids",
                   "Granite Rapids", "Grace", "Graviton3", "Graviton4"):
        assert family in names, family


def test_measured_rates_only_where_measured():
    measured = [c for c in ALL if c.image_decode_rate is not None]
    assert len(measured) >= 4
    for cpu in measured:
        # Single-thread JPEG decode of ImageNet images lands in the hundreds per second.
        assert 100 <= cpu.image_decode_rate <= 2000, cpu.key
        assert "image_decode_rate" in cpu.sources


@pytest.mark.parametrize("query, key", [
    ("genoa", "amd-epyc-9654"),
    ("AMD EPYC 9654", "amd-epyc-9654"),
    ("EPYC 7742", "amd-epyc-7742"),
    ("Intel Xeon Platinum 8480+", "intel-xeon-8480plus"),
    ("grace", "nvidia-grace-superchip"),
    ("graviton4", "aws-graviton4"),
    ("axion", "google-axion"),
])
def test_tolerant_lookups(query, key):
    assert ms.cpu(query).key == key


def test_aliases_do_not_shadow_other_records():
    owner = {}
    for c in ALL:
        for name in (c.key, c.name, *c.aliases):
            other = owner.setdefault(normalize(name), c.key)
            assert other == c.key, f"{name!r} of {c.key} already names {other}"


@pytest.mark.parametrize("cpu", ALL, ids=lambda c: c.key)
def test_every_number_has_a_source_and_is_sane(cpu):
    for name in (*_QUANTITIES, "cores", "threads"):
        if getattr(cpu, name) is not None:
            source = cpu.sources.get(name)
            assert source is not None and source.title and source.date and source.url, f"{cpu.key}.{name}"
    if cpu.threads and cpu.cores:
        assert cpu.threads in (cpu.cores, 2 * cpu.cores), cpu.key
    if cpu.base_clock and cpu.boost_clock:
        assert 1e9 <= cpu.base_clock <= cpu.boost_clock <= 6e9, cpu.key
    assert cpu.describe().startswith(cpu.name)


def test_a_number_without_a_source_fails_to_load():
    with pytest.raises(ms.InvalidInputError, match="without a source"):
        from_record("bare", {"name": "Bare", "cores": 8})


def close(value, expected):
    return math.isclose(value, expected, rel_tol=1e-9)


def test_datasheet_spot_checks():
    cpu = ms.cpu
    # Wikipedia (Epyc), EPYC 9654: 96 cores, 2.4/3.7 GHz, 360 W, 12 x DDR5-4800 = 460.8 GB/s.
    assert cpu("genoa").cores == 96
    assert close(cpu("genoa").boost_clock, 3.7e9)
    assert close(cpu("genoa").memory_bandwidth, 12 * 4800e6 * 8)
    # Wikipedia (Sapphire Rapids), Xeon Platinum 8480+: 56 cores, 350 W, $10,710.
    assert cpu("8480+").cores == 56
    assert close(cpu("8480+").tdp, 350)
    assert close(cpu("8480+").price, 10710)
    # Hardware Times (Hot Chips 2022): Grace CPU Superchip, 144 cores, up to 1 TB/s, 500 W.
    assert cpu("grace").cores == 144
    assert close(cpu("grace").memory_bandwidth, 1e12)
    # ternaus/imread_benchmark (arXiv:2605.08731): Pillow decodes 577 ImageNet JPEGs/s on one
    # thread of a Xeon Platinum 8581C and 551/s on a Neoverse V2 (Axion).
    assert close(cpu("xeon-8581c").image_decode_rate, 577)
    assert close(cpu("axion").image_decode_rate, 551)
