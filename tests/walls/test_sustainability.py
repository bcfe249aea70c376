"""Wall 18, sustainability: the spec's Quebec-vs-Poland ratio, Patterson et al.'s training footprints
as arithmetic, embodied carbon and water, defaults from the grid registry, properties and bad input."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlsysim as ms
from mlsysim.cli.main import main
from mlsysim.units import JOULES_PER_KWH

wall = ms.wall("sustainability")
G_PER_KWH = 1e-3 / JOULES_PER_KWH  # kgCO2e/J in one gCO2e/kWh
MWH = 1e3 * JOULES_PER_KWH


def test_spec_quebec_versus_poland_is_41x():
    # Spec, Wall 18: Quebec hydro 20 gCO2/kWh vs Poland coal 820 gCO2/kWh → "41x less carbon".
    r = wall(energy="1 GWh", intensity="20 gCO2e/kWh", compare_intensity="820 gCO2e/kWh")
    assert r.carbon_ratio == pytest.approx(41.0)
    assert r.compare_carbon / r.carbon == pytest.approx(41.0)


def test_registry_quebec_versus_poland_uses_current_figures():
    r = wall(energy="1 GWh", region="quebec", compare_region="Poland", pue=1.2)
    assert r.intensity == pytest.approx(20 * G_PER_KWH)
    assert r.carbon_ratio == pytest.approx(662 / 20)  # Ember 2023 for Poland
    assert r.carbon == pytest.approx(1e6 * 1.2 * 0.020)  # kWh × PUE × kg/kWh


@pytest.mark.parametrize("chips, days, watts, pue, kg_per_kwh, mwh, tonnes", [
    (10_000, 14.8, 330, 1.10, 0.429, 1287, 552.1),  # GPT-3 on V100, Azure (US average grid)
    (512, 20, 310, 1.12, 0.545, 85.7, 46.7),  # T5 on TPU v3, Google Taiwan
    (1024, 3.1, 288, 1.09, 0.201, 24.1, 4.8),  # GShard-600B, Google North Carolina (gross)
    (200, 6.8, 208, 1.10, 0.431, 7.5, 3.2),  # Evolved Transformer NAS on TPU v2
])
def test_patterson_2021_table_4_arithmetic(chips, days, watts, pue, kg_per_kwh, mwh, tonnes):
    # Patterson et al., "Carbon Emissions and Large Neural Network Training", arXiv:2104.10350, Table 4:
    # MWh = chips × hours × average power × PUE; tCO2e = MWh × grid kgCO2e/kWh.
    r = wall(power=f"{watts} W", devices=chips, duration=f"{days} days", pue=pue,
             intensity=f"{kg_per_kwh} kgCO2e/kWh")
    assert r.facility_energy / MWH == pytest.approx(mwh, rel=0.015)
    assert r.carbon / 1e3 == pytest.approx(tonnes, rel=0.04)  # the paper rounds energy before multiplying


def test_llama2_model_card_implied_intensity_by_solving():
    # Meta Llama 2 model card: 3,311,616 GPU-hours at 400 W (PUE-adjusted) → 539 tCO2e in all,
    # which implies 539 t / (3.3116M h × 0.4 kW) = 0.407 kgCO2e/kWh.
    answer = wall.solve(output="carbon", target="539 t", vary="intensity", power="400 W",
                        duration="3311616 h", pue=1)
    assert answer.value / G_PER_KWH == pytest.approx(407, rel=0.002)


def test_embodied_carbon_is_amortized_over_the_device_life():
    r = wall(power="700 W", devices=8, duration="1 year", intensity="400 gCO2e/kWh", pue=1,
             embodied_carbon="150 kg", device_life="4 years")
    assert r.embodied_carbon == pytest.approx(8 * 150 / 4)
    assert r.carbon == pytest.approx(r.operational_carbon + 300)
    longer = wall(power="700 W", devices=8, duration="1 year", intensity="400 gCO2e/kWh", pue=1,
                  embodied_carbon="150 kg", device_life="6 years")
    assert longer.embodied_carbon < r.embodied_carbon


def test_water_and_defaults_from_the_region():
    us = wall(energy="1 MWh", region="us")
    assert us.pue == 1.59 and us.water == pytest.approx(1800.0)  # 1.8 L/kWh × 1000 kWh (Shehabi 2016)
    quebec = wall(energy="1 MWh", region="quebec")
    assert quebec.pue == 1.57  # no PUE on record: the Uptime 2021 survey average
    assert wall(energy="1 MWh", region="us", pue=1.1, wue="0.2 L/kWh").water == pytest.approx(200.0)


def test_cleanest_region_is_the_registry_minimum():
    r = wall(energy="1 MWh", region="india", pue=1.2)
    best = min(ms.grid.all(), key=lambda g: g.intensity)
    assert r.cleanest_region == best.key
    assert r.cleanest_carbon == pytest.approx(1e3 * 1.2 * best.intensity * JOULES_PER_KWH)
    for grid in ms.grid.all():
        assert r.cleanest_carbon <= wall(energy="1 MWh", region=grid, pue=1.2).carbon + 1e-9


def test_broadcasts_over_regions_and_energies():
    r = wall(energy=np.array([[1e9], [2e9]]), region=["quebec", "poland", "iceland"], pue=1.0)
    assert r.carbon.shape == (2, 3)
    assert r.carbon[1, 0] == pytest.approx(2 * r.carbon[0, 0])
    assert np.argmin(r.carbon[0]) == 0


@settings(max_examples=60, deadline=None)
@given(st.floats(1, 1000), st.floats(1, 1000), st.floats(1.0, 3.0), st.floats(1e3, 1e12))
def test_cleaner_grid_never_emits_more(a, b, pue, kwh):
    cleaner, dirtier = sorted((a, b))
    low = wall(energy=kwh * JOULES_PER_KWH, intensity=cleaner * G_PER_KWH, pue=pue,
               compare_intensity=dirtier * G_PER_KWH)
    assert low.carbon <= low.compare_carbon * (1 + 1e-12)
    assert low.carbon_ratio >= 1 - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.floats(1.0, 3.0), st.floats(1.0, 3.0), st.floats(1e3, 1e12))
def test_higher_pue_or_more_energy_never_emits_less(p, q, kwh):
    lo, hi = sorted((p, q))
    base = dict(intensity="300 gCO2e/kWh", embodied_carbon="100 kg", duration="30 days", devices=8)
    assert wall(energy=kwh * JOULES_PER_KWH, pue=lo, **base).carbon <= wall(energy=kwh * JOULES_PER_KWH, pue=hi,
                                                                             **base).carbon
    assert wall(energy=kwh * JOULES_PER_KWH, pue=lo, **base).carbon <= wall(energy=2 * kwh * JOULES_PER_KWH, pue=lo,
                                                                             **base).carbon


@pytest.mark.parametrize("inputs, name", [
    ({"intensity": "20 gCO2e/kWh"}, "energy"),  # neither energy nor power × duration
    ({"power": "700 W", "intensity": "20 gCO2e/kWh"}, "energy"),  # power without duration
    ({"energy": "1 GWh"}, "region"),  # neither region nor intensity
    ({"energy": "1 GWh", "intensity": "20 gCO2e/kWh", "embodied_carbon": "1 t"}, "embodied_carbon"),
    ({"energy": "1 GWh", "intensity": "20 gCO2e/kWh", "pue": 0.9}, "pue"),
    ({"energy": "-1 GWh", "intensity": "20 gCO2e/kWh"}, "energy"),
    ({"energy": "1 GB", "intensity": "20 gCO2e/kWh"}, "energy"),
    ({"energy": "1 GWh", "intensity": "20 g"}, "intensity"),
    ({"energy": float("nan"), "intensity": "20 gCO2e/kWh"}, "energy"),
    ({"energy": "1 GWh", "intensity": "20 gCO2e/kWh", "devices": 2.5}, "devices"),
])
def test_bad_inputs_are_named_one_line_errors(inputs, name):
    with pytest.raises(ms.InvalidInputError, match=name) as info:
        wall(**inputs)
    assert "\n" not in str(info.value)


def test_unknown_regions_suggest():
    with pytest.raises(ms.UnknownNameError, match="poland"):
        wall(energy="1 GWh", region="polland")
    with pytest.raises(ms.UnknownNameError, match="compare_region"):
        wall(energy="1 GWh", region="quebec", compare_region="atlantis")


def test_nan_mode_masks_only_the_bad_point():
    r = wall(invalid="nan", energy=["1 GWh", "-1 GWh"], region="quebec", pue=1.0)
    assert r.valid.tolist() == [True, False] and "energy" in r.reasons[1]
    assert r.carbon[0] == pytest.approx(20_000.0) and np.isnan(r.carbon[1])


def test_cli_json_and_exit_codes(capsys):
    argv = ["wall", "sustainability", "--energy", "1GWh", "--region", "quebec", "--compare-region", "poland"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["slug"] == "sustainability" and data["outputs"]["carbon_ratio"] == pytest.approx(33.1)
    assert data["outputs"]["cleanest_region"] == "quebec" and data["units"]["carbon"] == "kgCO2e"
    assert main(["wall", "18", "--energy", "1 parsec", "--region", "quebec"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "energy" in err and "Traceback" not in err
    assert main(["wall", "sustainability", "--energy", "1GWh", "--region", "atlantis"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "atlantis" in err
    assert main(["wall", "sustainability", "--energy", "1GWh"]) == 2
    assert "region" in capsys.readouterr().err
