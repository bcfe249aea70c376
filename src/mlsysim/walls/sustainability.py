"""Wall 18, sustainability: the carbon and water a job's electricity costs, and where it would cost least."""

from __future__ import annotations

from mlsysim.units import JOULES_PER_KWH
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import per_spec

# Used when neither the input nor the grid record gives a figure.
# Uptime Institute Global Data Center Survey 2021 average PUE (reported by CNBC, 2022-04-13).
SURVEY_PUE = 1.57
# On-site water of US datacenters, 1.8 L per kWh (Shehabi et al., LBNL-1005775, 2016).
US_WUE = 1.8 / JOULES_PER_KWH


def _grid_value(region, attribute: str, fallback: float):
    if region is None:
        return fallback
    return per_spec(lambda g: fallback if getattr(g, attribute) is None else getattr(g, attribute), region)


def evaluate(energy, power, duration, devices, region, intensity, pue, wue, embodied_carbon, device_life,
             compare_region, compare_intensity):
    if energy is None:
        energy = power * duration * devices
    if intensity is None:
        intensity = per_spec(lambda g: g.intensity, region)
    pue = _grid_value(region, "pue", SURVEY_PUE) if pue is None else pue
    wue = _grid_value(region, "wue", US_WUE) if wue is None else wue
    facility_energy = energy * pue
    operational = facility_energy * intensity
    # Manufacturing emissions spread evenly over the device's service life.
    embodied = 0.0 if embodied_carbon is None else embodied_carbon * devices * duration / device_life
    carbon = operational + embodied
    if compare_intensity is None and compare_region is not None:
        compare_intensity = per_spec(lambda g: g.intensity, compare_region)
    compare = None if compare_intensity is None else facility_energy * compare_intensity + embodied
    from mlsysim.specs import registry

    cleanest = min(registry("grid").all(), key=lambda g: g.intensity)
    return {"carbon": carbon, "operational_carbon": operational, "embodied_carbon": embodied,
            "water": energy * wue, "energy": energy, "facility_energy": facility_energy,
            "intensity": intensity, "pue": pue, "wue": wue, "compare_carbon": compare,
            "carbon_ratio": None if compare is None else compare / carbon,
            "cleanest_region": cleanest.key, "cleanest_carbon": facility_energy * cleanest.intensity + embodied}


def explain(r) -> str:
    text = (f"{r.fmt('energy')} of IT energy at PUE {r.fmt('pue')} draws {r.fmt('facility_energy')}; at "
            f"{r.fmt('intensity')} that emits {r.fmt('operational_carbon')}")
    if r.inputs["embodied_carbon"] is not None:
        text += f", plus {r.fmt('embodied_carbon')} of manufacturing share, {r.fmt('carbon')} in all"
    text += f", and evaporates {r.fmt('water')} of cooling water."
    if r.outputs["compare_carbon"] is not None:
        text += (f" The same job on the compared grid would emit {r.fmt('compare_carbon')}, "
                 f"{r.fmt('carbon_ratio')}× as much.")
    return text + (f" The cleanest grid on record, {r.fmt('cleanest_region')}, would emit "
                   f"{r.fmt('cleanest_carbon')}.")


WALL = Wall(
    number=18,
    slug="sustainability",
    title="The Sustainability Wall",
    domain="operations",
    question="How much carbon (and water) does the job emit, and where would it emit least?",
    equation="carbon = energy × PUE × intensity + embodied × duration / device_life;  water = energy × WUE",
    latex=r"C = E \cdot \mathrm{PUE} \cdot I + C_\text{emb}\,\frac{T}{T_\text{life}},\quad W = E \cdot \mathrm{WUE}",
    explanation=(
        "Every GPU-hour turns electricity into emissions. The IT energy of the job, scaled up by the "
        "datacenter's PUE (cooling and power conversion: a PUE of 1.4 adds 40 %), times the carbon "
        "intensity of the grid gives the operational carbon. The grid dominates: hydro-powered Quebec "
        "emits about forty times less per kWh than coal-heavy Poland did, so where a job runs matters "
        "more than any tuning of it. Manufacturing the chips adds embodied carbon, spread here over "
        "their service life, and evaporative cooling consumes water in proportion to the IT energy."
    ),
    inputs=[
        Input("energy", "energy", "IT energy of the job, before PUE (instead of power × duration × devices)",
              default=None, low=0, low_open=True, typical=(3.6e9, 3.6e15)),
        Input("power", "power", "average power per device", default=None, low=0, low_open=True,
              typical=(10.0, 2000.0)),
        Input("duration", "time", "wall-clock time of the job", default=None, low=0, low_open=True,
              typical=(3600.0, 1e8)),
        Input("devices", "count", "devices running the job", default=1, low=1, integer=True, typical=(1, 1e5)),
        Input("region", "grid", "grid the datacenter draws from (instead of intensity)", default=None),
        Input("intensity", "carbon_intensity", "carbon intensity of the electricity", default=None,
              low=0, low_open=True, typical=(5e-9, 3e-7)),
        Input("pue", "number", "power usage effectiveness (default: the region's, else 1.57, Uptime 2021)",
              default=None, low=1, typical=(1.05, 2.0)),
        Input("wue", "water_intensity", "on-site water per kWh of IT energy (default: the region's, else "
              "1.8 L/kWh, US average)", default=None, low=0, typical=(0.0, 3e-6)),
        Input("embodied_carbon", "carbon", "manufacturing emissions per device", default=None, low=0,
              typical=(10.0, 5000.0)),
        Input("device_life", "time", "service life over which embodied carbon is spread", default="4 years",
              low=0, low_open=True, typical=(3.15e7, 2e8)),
        Input("compare_region", "grid", "grid to compare against", default=None),
        Input("compare_intensity", "carbon_intensity", "carbon intensity to compare against", default=None,
              low=0, low_open=True, typical=(5e-9, 3e-7)),
    ],
    outputs=[
        Output("carbon", "carbon", "total carbon: operational + embodied"),
        Output("operational_carbon", "carbon", "carbon of the electricity: energy × PUE × intensity"),
        Output("embodied_carbon", "carbon", "share of manufacturing carbon for this job"),
        Output("water", "water", "on-site cooling water: energy × WUE"),
        Output("energy", "energy", "IT energy of the job"),
        Output("facility_energy", "energy", "energy drawn from the grid: IT energy × PUE"),
        Output("intensity", "carbon_intensity", "grid carbon intensity used"),
        Output("pue", "number", "PUE used"),
        Output("wue", "water_intensity", "WUE used"),
        Output("compare_carbon", "carbon", "carbon of the same job on the compared grid"),
        Output("carbon_ratio", "number", "compared carbon ÷ this carbon (41 = 41× less carbon here)"),
        Output("cleanest_region", "text", "grid in the registry with the lowest carbon for this job"),
        Output("cleanest_carbon", "carbon", "carbon of the job on the cleanest grid"),
    ],
    constraints=[
        Constraint(lambda v: v["energy"] is not None or (v["power"] is not None and v["duration"] is not None),
                   "sustainability: give energy, or power and duration", "energy"),
        Constraint(lambda v: v["intensity"] is not None or v["region"] is not None,
                   "sustainability: give region, or intensity", "region"),
        Constraint(lambda v: v["embodied_carbon"] is None or v["duration"] is not None,
                   "embodied_carbon: give duration too, to take the job's share of the device life",
                   "embodied_carbon"),
    ],
    evaluate=evaluate,
    explain=explain,
    headline="carbon",
    examples=[
        Example({"energy": "1 GWh", "intensity": "20 gCO2e/kWh", "compare_intensity": "820 gCO2e/kWh",
                 "pue": 1.4}, {"carbon_ratio": 41.0, "carbon": 28_000.0},
                source="spec, Wall 18: Quebec hydro 20 gCO2/kWh vs Poland coal 820 gCO2/kWh → 41× less carbon"),
        Example({"energy": "1 GWh", "region": "quebec", "compare_region": "poland", "pue": 1.4},
                {"carbon_ratio": 33.1}, source="registry: Quebec 20 g (Hydro-Québec), Poland 662 g (Ember 2023)"),
        Example({"power": "330 W", "devices": 10_000, "duration": "14.8 days", "pue": 1.1,
                 "intensity": "0.429 kgCO2e/kWh"}, {"facility_energy": 1287 * 3.6e9, "carbon": 552_100.0},
                source="Patterson et al. 2021 (arXiv:2104.10350) Table 4, GPT-3: 10,000 V100 × 330 W × 14.8 d, "
                       "PUE 1.1, 0.429 kgCO2e/kWh → 1287 MWh, 552.1 tCO2e"),
    ],
    caveats=("Uses yearly-average intensity; hourly intensity varies 2–5×, and market-based accounting "
             "(renewable purchases) can report far less. Counts on-site water only, not the water used "
             "to generate the electricity. Embodied carbon is only what you supply per device."),
    sources=("Patterson et al., Carbon Emissions and Large Neural Network Training, arXiv:2104.10350, 2021",
             "The Green Grid, PUE (WP #49, 2012) and WUE (WP #35, 2011) definitions",
             "Ember, Yearly Electricity Data (grid intensities; see `mlsysim zoo grids`)"),
)
