"""Dimensional analysis of the laws: run wall functions on pint quantities, check output units.

The library keeps plain SI floats for speed (STYLE.md: units at the edges); this test puts the
units back on the inputs, calls the wall functions unchanged, and checks that every output comes
out in the dimension its declaration promises — catching a bytes/bits or per-hour/per-second
slip that SI floats cannot reveal. It costs nothing at run time.
"""

import pytest

import mlsysim as ms
from mlsysim.walls.validate import Problems, parse_input

pint = pytest.importorskip("pint")

UNITS = pint.UnitRegistry()
UNITS.define("flop = [computation]")
UNITS.define("usd = [currency]")
UNITS.define("kg_co2e = [emissions]")
UNIT = {"bytes": "byte", "bandwidth": "byte/second", "flops": "flop", "flop_rate": "flop/second",
        "intensity": "flop/byte", "time": "second", "rate": "1/second", "power": "watt", "energy": "joule",
        "money": "usd", "money_rate": "usd/second", "energy_price": "usd/joule", "carbon": "kg_co2e",
        "carbon_intensity": "kg_co2e/joule", "count": "dimensionless", "number": "dimensionless",
        "fraction": "dimensionless"}
# Walls whose functions are plain arithmetic on their numeric inputs, with a worked example
# that fixes every quantity they need.
CASES = [
    ("memory", {"weight_bytes": "16 GB", "bandwidth": "3.35 TB/s", "flops": "32 GFLOP", "peak_flops": "989 TFLOPS"}),
    ("compute", {"flops": "16 GMAC", "peak_flops": "989 TFLOPS", "efficiency": 0.5}),
    ("iron-law", {"flops": "3.14e23 FLOP", "devices": 1024, "peak_flops": "312 TFLOPS", "mfu": 0.5,
                  "eta_scaling": 0.9, "goodput": 0.95}),
    ("fragility", {"component_mtbf": "50000 h", "components": 1000, "job_duration": "30 days"}),
    ("checkpoint", {"write_time": "60 s", "mtbf": "5 h", "restart_time": "10 min"}),
    ("sustainability", {"energy": "1287 MWh", "intensity": "429 gCO2e/kWh", "pue": 1.1}),
    ("ingestion", {"devices": 1024, "samples_per_second": "2000/s", "sample_bytes": "110 kB",
                   "storage_bandwidth": "7 GB/s", "drives": 10}),
]


# Outputs that change unit by definition (a multiply-add is 2 FLOPs, counted as a plain number),
# or that multiply by registry data, which stays plain SI floats here.
CONVERSIONS = {("compute", "multiply_adds"), ("sustainability", "cleanest_carbon")}


def with_units(wall, inputs):
    values = {}
    for name, spec in wall.inputs.items():
        value = parse_input(spec, inputs.get(name, spec.default), wall.slug, Problems("raise"))
        if spec.is_numeric and value is not None:
            value = UNITS.Quantity(value, UNIT[spec.dimension])
        values[name] = value
    return values


@pytest.mark.parametrize("slug, inputs", CASES, ids=[c[0] for c in CASES])
def test_outputs_carry_their_declared_dimensions(slug, inputs):
    wall = ms.wall(slug)
    outputs = wall.function(**with_units(wall, inputs))
    checked = 0
    for name, spec in wall.outputs.items():
        value = outputs.get(name)
        if value is None or spec.dimension not in UNIT or (slug, name) in CONVERSIONS:
            continue
        if not isinstance(value, UNITS.Quantity) and value == 0:
            continue  # a plain zero (nothing to add) has no dimension to check
        expected = UNITS.Quantity(1, UNIT[spec.dimension])
        quantity = value if isinstance(value, UNITS.Quantity) else UNITS.Quantity(value, "dimensionless")
        assert quantity.dimensionality == expected.dimensionality, f"{slug}.{name}: {quantity.units}"
        checked += 1
    assert checked >= 2
