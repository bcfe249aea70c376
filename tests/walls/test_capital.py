"""Wall 17, capital (TCO): the spec's 1,024-H100 cluster, the cost identities, power between idle and
full load, the break-even against renting, registry defaults, properties and bad input."""

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.units import JOULES_PER_KWH, SECONDS_PER_HOUR, SECONDS_PER_YEAR

wall = ms.wall("capital")
# H100 at $25k–30k each (Raymond James estimate reported by Barron's, Aug 2023); a DGX H100 draws
# 10.2 kW for 8 GPUs (NVIDIA datasheet); Virginia industrial power 8.92 ¢/kWh (EIA 2023); AWS p5
# capacity blocks $39.33/h per 8 H100s and on-demand $98.32/h (published.json cost_tco records).
CLUSTER = dict(devices=1024, device_price="$27.5k", power="1275 W", years=4, utilization=0.8,
               electricity_price="$0.0892/kWh")


def test_spec_1024_h100_cluster_hardware_is_about_30m_and_electricity_about_10_percent():
    # Spec, Wall 17: "A 1024-GPU H100 cluster costs ~$30M in hardware. Electricity is surprisingly
    # small (~10% of total)." Orders of magnitude are asserted; the split is reported.
    r = wall(**CLUSTER)
    assert r.accelerator_capex == pytest.approx(1024 * 27_500)
    assert 1e7 < r.accelerator_capex < 1e8 and 1e7 < r.capex < 1e8
    assert 0.03 < r.energy_opex_share < 0.3
    print(f"\nsplit: CapEx {r.capex_share:.1%}, energy {r.energy_opex_share:.1%}, "
          f"maintenance {r.maintenance_opex_share:.1%} of ${r.tco / 1e6:.1f}M")


def test_gpus_alone_match_the_spec_figure():
    r = wall(devices=1024, device_price="$27.5k", host_price_per_device=0, network_price_per_port=0, power="700 W",
             utilization=1, electricity_price="$0.08/kWh")
    assert r.capex == pytest.approx(28.16e6)


def test_cost_identities():
    r = wall(**CLUSTER, storage_price="$2M", maintenance_rate=0.08)
    assert r.tco == pytest.approx(r.capex + r.energy_opex + r.maintenance_opex)
    assert r.capex_share + r.energy_opex_share + r.maintenance_opex_share == pytest.approx(1.0)
    assert r.maintenance_opex == pytest.approx(0.08 * 4 * r.capex)
    # Network defaults to 19 % of cluster hardware (Cottier et al. 2024): servers are the other 81 %.
    servers = 1024 * (27_500 + 6_250)
    assert r.capex - 2e6 == pytest.approx(servers / 0.81)
    life = 4 * SECONDS_PER_YEAR
    assert r.cost_per_device_hour * SECONDS_PER_HOUR == pytest.approx(r.tco / (1024 * life / SECONDS_PER_HOUR))
    assert r.cost_per_useful_device_hour == pytest.approx(r.cost_per_device_hour / 0.8)


def test_power_runs_from_idle_to_full_load():
    base = dict(devices=1, device_price="$10k", power="1000 W", years=1, electricity_price="$0.1/kWh", pue=1.5,
                idle_power=0.2)
    kwh = lambda u: wall(**base, utilization=u).energy / JOULES_PER_KWH  # noqa: E731
    hours = SECONDS_PER_YEAR / SECONDS_PER_HOUR
    assert kwh(1.0) == pytest.approx(1.0 * hours * 1.5)
    assert kwh(0.5) == pytest.approx(0.6 * hours * 1.5)  # 0.2 + 0.8 × 0.5 of full power
    assert wall(**base, utilization=0.5).energy_opex == pytest.approx(kwh(0.5) * 0.1)
    # Without an idle figure for the chip, a server idles at half its peak (Barroso & Hölzle 2007).
    no_idle = {k: v for k, v in base.items() if k != "idle_power"}
    assert wall(**no_idle, utilization=0.5).energy / JOULES_PER_KWH == pytest.approx(0.75 * hours * 1.5)


def test_break_even_against_renting():
    r = wall(**CLUSTER, cloud_price="$4.916/h")  # AWS p5 capacity block, per H100
    assert 0 < r.breakeven_utilization < 0.8 and r.regime == "buy"
    at = wall(**{**CLUSTER, "utilization": float(r.breakeven_utilization)}, cloud_price="$4.916/h")
    assert at.cost_per_useful_device_hour * SECONDS_PER_HOUR == pytest.approx(4.916)
    below = wall(**{**CLUSTER, "utilization": 0.5 * float(r.breakeven_utilization)}, cloud_price="$4.916/h")
    assert below.regime == "rent" and below.cloud_cost < below.tco
    on_demand = wall(**CLUSTER, cloud_price="$12.29/h")  # AWS p5 on-demand, per H100
    assert on_demand.breakeven_utilization < r.breakeven_utilization
    assert on_demand.breakeven_time < r.breakeven_time < 4 * SECONDS_PER_YEAR
    cheap = wall(**CLUSTER, cloud_price="$0.10/h")
    assert cheap.breakeven_utilization > 1 and cheap.regime == "rent"
    assert np.isinf(cheap.breakeven_time)


def test_hardware_without_a_price_asks_for_device_price():
    unpriced = dataclasses.replace(ms.hardware("h100"), price=None)
    with pytest.raises(ms.InvalidInputError, match="device_price") as info:
        wall(hardware=unpriced, devices=8, utilization=0.5, electricity_price="$0.1/kWh")
    assert "\n" not in str(info.value)
    priced = dataclasses.replace(ms.hardware("h100"), price=30_000.0)
    assert wall(hardware=priced, devices=8, utilization=0.5, electricity_price="$0.1/kWh").accelerator_capex == 240_000


def test_region_supplies_price_and_pue():
    r = wall(hardware="h100", devices=8, device_price="$27.5k", utilization=0.5, region="virginia")
    assert r.electricity_price * JOULES_PER_KWH == pytest.approx(0.0892) and r.pue == 1.57
    assert wall(hardware="h100", devices=8, device_price="$27.5k", utilization=0.5, region="us",
                electricity_price="$0.08/kWh").pue == 1.59
    with pytest.raises(ms.InvalidInputError, match="electricity_price"):
        wall(hardware="h100", devices=8, device_price="$27.5k", utilization=0.5, region="quebec")


def test_broadcasts_over_utilization_and_regions():
    r = wall(hardware="h100", devices=8, device_price="$27.5k", utilization=np.array([[0.25], [0.5], [1.0]]),
             region=["virginia", "california", "texas"])
    assert r.tco.shape == (3, 3)
    assert np.all(np.diff(r.cost_per_useful_device_hour, axis=0) < 0)
    assert np.argmax(r.energy_opex[0]) == 1  # California has the dearest industrial power


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0), st.floats(0, 1))
def test_higher_utilization_never_raises_cost_per_useful_hour(u1, u2, idle):
    lo, hi = sorted((u1, u2))
    base = dict(CLUSTER, idle_power=idle)
    assert wall(**{**base, "utilization": hi}).cost_per_useful_device_hour <= \
        wall(**{**base, "utilization": lo}).cost_per_useful_device_hour * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 0.5), st.floats(0.01, 0.5), st.floats(1, 10), st.floats(1, 10))
def test_dearer_power_or_longer_life_never_lowers_tco(p1, p2, y1, y2):
    cheap, dear = sorted((p1, p2))
    short, long = sorted((y1, y2))
    base = {k: v for k, v in CLUSTER.items() if k not in ("electricity_price", "years")}
    assert wall(**base, electricity_price=cheap / JOULES_PER_KWH, years=short).tco <= \
        wall(**base, electricity_price=dear / JOULES_PER_KWH, years=short).tco * (1 + 1e-12)
    a = wall(**base, electricity_price=cheap / JOULES_PER_KWH, years=short)
    b = wall(**base, electricity_price=cheap / JOULES_PER_KWH, years=long)
    assert a.tco <= b.tco * (1 + 1e-12) and b.cost_per_device_hour <= a.cost_per_device_hour * (1 + 1e-12)


@pytest.mark.parametrize("change, name", [
    ({"utilization": 0}, "utilization"),
    ({"utilization": 1.2}, "utilization"),
    ({"devices": 0}, "devices"),
    ({"devices": 10.5}, "devices"),
    ({"device_price": "-$1"}, "device_price"),
    ({"years": 0}, "years"),
    ({"pue": 0.9}, "pue"),
    ({"electricity_price": "3 GB"}, "electricity_price"),
    ({"electricity_price": float("nan")}, "electricity_price"),
    ({"maintenance_rate": 2}, "maintenance_rate"),
    ({"idle_power": -0.1}, "idle_power"),
    ({"cloud_price": "$5"}, "cloud_price"),  # money, not money per hour
    ({"hardware": "h1000"}, "hardware"),
])
def test_bad_inputs_are_named_one_line_errors(change, name):
    with pytest.raises(ms.InvalidInputError, match=name) as info:
        wall(**{**CLUSTER, **change})
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("drop, name", [("device_price", "device_price"), ("electricity_price", "electricity_price"),
                                        ("power", "power")])
def test_missing_alternatives_are_named(drop, name):
    inputs = {k: v for k, v in CLUSTER.items() if k not in (drop, "hardware")}
    with pytest.raises(ms.InvalidInputError, match=name):
        wall(**inputs)


def test_cli_json_and_exit_codes(capsys):
    argv = ["wall", "capital", "--devices", "1024", "--device-price", "$27.5k", "--power",
            "1275W", "--utilization", "0.8", "--electricity-price", "$0.0892/kWh", "--cloud-price", "$4.916/h"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["wall"] == 17 and data["units"]["tco"] == "USD" and data["outputs"]["regime"] == "buy"
    assert data["outputs"]["tco"] == pytest.approx(wall(**CLUSTER).tco)
    assert main([*argv[:-2], "--cloud-price", "5 parsecs"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cloud_price" in err and "Traceback" not in err
    assert main(["wall", "capital", "--devices", "8", "--utilization", "0.5"]) == 2
    assert "capital: give" in capsys.readouterr().err
