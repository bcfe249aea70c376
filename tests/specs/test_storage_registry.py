"""The storage registry: coverage, tolerant look-ups, scopes, and datasheet spot checks."""

import math

import pytest

import mlsysim as ms
from mlsysim.specs.registry import normalize
from mlsysim.specs.storage import KINDS, SCOPES, _QUANTITIES, from_record

ALL = ms.storage.all()


def test_registry_loads_at_least_16_records():
    assert len(ALL) >= 16, len(ALL)


def test_coverage_of_kinds_and_scopes():
    kinds = {s.kind for s in ALL}
    assert {"nvme-gen4", "nvme-gen5", "sata-ssd", "sas-hdd", "sata-hdd", "parallel-fs", "object-store",
            "nfs"} <= kinds
    assert kinds <= set(KINDS)
    assert {s.scope for s in ALL} == set(SCOPES)
    assert sum(s.kind.startswith("nvme") for s in ALL) >= 5
    parallel = [s for s in ALL if s.kind == "parallel-fs"]
    assert {"per-client", "aggregate"} <= {s.scope for s in parallel}


@pytest.mark.parametrize("query, key", [
    ("pm1743", "samsung-pm1743"),
    ("Samsung PM1743", "samsung-pm1743"),
    ("samsung 990 pro", "samsung-990-pro"),
    ("Micron 9400", "micron-9400-pro"),
    ("s3", "aws-s3-connection"),
    ("weka", "weka-dgx2"),
    ("exos x20", "seagate-exos-x20"),
])
def test_tolerant_lookups(query, key):
    assert ms.storage(query).key == key


def test_unknown_name_suggests():
    with pytest.raises(ms.UnknownNameError, match="samsung-pm1743"):
        ms.storage("samsung-pm1734")


def test_aliases_do_not_shadow_other_records():
    owner = {}
    for s in ALL:
        for name in (s.key, s.name, *s.aliases):
            other = owner.setdefault(normalize(name), s.key)
            assert other == s.key, f"{name!r} of {s.key} already names {other}"


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.key)
def test_every_number_has_a_source(spec):
    assert spec.read_bandwidth, f"{spec.key}: the ingestion wall needs a read bandwidth"
    for name in _QUANTITIES:
        if getattr(spec, name) is not None:
            source = spec.sources.get(name)
            assert source is not None and source.title and source.date and source.url, f"{spec.key}.{name}"
    assert spec.describe().startswith(spec.name)


def test_a_number_without_a_source_fails_to_load():
    with pytest.raises(ms.InvalidInputError, match="without a source"):
        from_record("bare", {"name": "Bare", "kind": "nvme-gen4", "read_bandwidth": "7 GB/s"})


def test_unknown_kind_or_scope_fails_to_load():
    source = {"title": "t", "date": "2024"}
    with pytest.raises(ms.InvalidInputError, match="kind"):
        from_record("bad", {"kind": "floppy", "read_bandwidth": "1 MB/s", "source": source})
    with pytest.raises(ms.InvalidInputError, match="scope"):
        from_record("bad", {"kind": "nfs", "scope": "per-planet", "read_bandwidth": "1 MB/s", "source": source})


def close(value, expected):
    return math.isclose(value, expected, rel_tol=1e-9)


def test_datasheet_spot_checks():
    st = ms.storage
    # ComputerBase (Dec 2021), Samsung PM1743: 13,000 MB/s read, 6,600 MB/s write, 2.5 M IOPS.
    assert close(st("pm1743").read_bandwidth, 13e9)
    assert close(st("pm1743").write_bandwidth, 6.6e9)
    assert close(st("pm1743").iops, 2.5e6)
    # ComputerBase (Jan 2023), Micron 9400: 7 GB/s read and write, 1.6 M IOPS, 30.72 TB.
    assert close(st("micron-9400").read_bandwidth, 7e9)
    assert close(st("micron-9400").capacity, 30.72e12)
    # Blocks and Files: Exos X20 sustains 285 MB/s.
    assert close(st("exos-x20").read_bandwidth, 285e6)
    # Tom's Hardware on the Exos 2X14: 304 random-read IOPS, 4.16 ms average latency.
    assert close(st("exos-2x14").iops, 304)
    assert close(st("exos-2x14").latency, 4.16e-3)
    # AWS S3 whitepaper: one concurrent request per 85-90 MB/s (the lower end is kept).
    assert close(st("s3").read_bandwidth, 85e6)
    # OLCF Orion flash tier: 10 TB/s aggregate, 11.5 PB.
    assert close(st("orion-flash").read_bandwidth, 10e12)
    assert close(st("orion-flash").capacity, 11.5e15)
    # GCS per-connection figure is 300 MiB/s (binary), not 300 MB/s.
    assert close(st("gcs").read_bandwidth, 300 * 2**20)
