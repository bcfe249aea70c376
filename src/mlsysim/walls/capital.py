"""Wall 17, capital: what owning an accelerator cluster costs over its life, and when renting is cheaper."""

from __future__ import annotations

import numpy as np

from mlsysim.units import SECONDS_PER_YEAR
from mlsysim.walls.core import Constraint, Example, Input, Output, Wall
from mlsysim.walls.support import choose, field_of, per_spec

# A DGX H100 sold for ~$270,000 (SemiAnalysis, "AI Server Cost Analysis", May 2023); less 8 × $27,500
# of GPUs leaves $6,250 per GPU of CPUs, memory, NVSwitch baseboard, NICs and chassis.
HOST_PRICE_PER_DEVICE = 6_250.0
# Cluster interconnect is ~19 % of cluster hardware cost (Cottier et al., arXiv:2405.21015, 2024).
NETWORK_SHARE = 0.19
SURVEY_PUE = 1.57  # Uptime Institute 2021 survey average (reported by CNBC, 2022-04-13)
# Idle servers draw about half their peak power (Barroso & Hölzle, IEEE Computer 40(12), 2007).
IDLE_FRACTION = 0.5


def _or_default(spec, read, default):
    return default if spec is None else per_spec(lambda s: default if read(s) is None else read(s), spec)


def evaluate(hardware, devices, years, utilization, electricity_price, region, pue, power, idle_power,
             device_price, host_price_per_device, network_price_per_port, storage_price, maintenance_rate,
             cloud_price):
    device_price = field_of(hardware, "price", "device_price") if device_price is None else device_price
    power = field_of(hardware, "tdp", "power") if power is None else power
    idle = _or_default(hardware, lambda h: h.tdp and h.idle_power and h.idle_power / h.tdp, IDLE_FRACTION) \
        if idle_power is None else idle_power
    price = electricity_price if electricity_price is not None else field_of(region, "electricity_price",
                                                                             "electricity_price")
    pue = _or_default(region, lambda g: g.pue, SURVEY_PUE) if pue is None else pue
    server = device_price + host_price_per_device
    port = server * NETWORK_SHARE / (1 - NETWORK_SHARE) if network_price_per_port is None else network_price_per_port
    capex = devices * (server + port) + storage_price
    life = years * SECONDS_PER_YEAR
    # Power rises linearly from idle to full load with utilization.
    energy = devices * power * (idle + (1 - idle) * utilization) * life * pue
    energy_opex, busy_opex = energy * price, devices * power * (1 - idle) * life * pue * price
    maintenance_opex = maintenance_rate * years * capex
    tco = capex + energy_opex + maintenance_opex
    outputs = {"capex": capex, "accelerator_capex": devices * device_price, "energy_opex": energy_opex,
               "maintenance_opex": maintenance_opex, "tco": tco, "capex_share": capex / tco,
               "energy_opex_share": energy_opex / tco, "maintenance_opex_share": maintenance_opex / tco,
               "energy": energy, "electricity_price": price, "pue": pue,
               "cost_per_device_hour": tco / (devices * life),
               "cost_per_useful_device_hour": tco / (devices * life * utilization),
               "breakeven_utilization": None, "breakeven_time": None, "cloud_cost": None, "regime": "no cloud price"}
    if cloud_price is not None:
        rent = devices * life * cloud_price  # renting every hour; u × rent for the useful ones
        # Owning costs (tco − u·busy) + u·busy, renting u·rent: equal at u* = (tco − u·busy) / (rent − busy).
        # Payback: CapEx over the rate at which owning saves money once bought (rent avoided − OpEx).
        breakeven = np.where(rent > busy_opex, (tco - utilization * busy_opex) / np.maximum(rent - busy_opex, 1e-300),
                             np.inf)
        saving_rate = (utilization * rent - energy_opex - maintenance_opex) / life
        payback = np.where(saving_rate > 0, capex / np.maximum(saving_rate, 1e-300), np.inf)
        outputs.update(breakeven_utilization=breakeven[()], breakeven_time=payback[()], cloud_cost=utilization * rent,
                       regime=choose(utilization * rent > tco, "buy", "rent"))
    return outputs


def explain(r) -> str:
    text = (f"{r.fmt('devices')} devices cost {r.fmt('capex')} up front; over {r.fmt('years')} years at "
            f"{r.fmt('utilization')} utilization electricity adds {r.fmt('energy_opex')} "
            f"({r.fmt('energy_opex_share')} of the {r.fmt('tco')} total) and maintenance {r.fmt('maintenance_opex')}: "
            f"{r.fmt('cost_per_device_hour')} per device-hour, {r.fmt('cost_per_useful_device_hour')} per useful one.")
    if r.outputs["cloud_cost"] is not None:
        text += (f" Renting the same useful hours at {r.fmt('cloud_price')} would cost {r.fmt('cloud_cost')}, so "
                 f"{r.fmt('regime')}: owning wins above {r.fmt('breakeven_utilization')} utilization and pays back "
                 f"its hardware in {r.fmt('breakeven_time')}.")
    return text


WALL = Wall(
    number=17,
    slug="capital",
    title="The Capital Wall (TCO)",
    domain="operations",
    question="What does owning the cluster cost over its life, per useful hour, and against renting?",
    equation="TCO = CapEx + N × power(u) × life × PUE × price + maintenance × years × CapEx;  "
             "power(u) = power × (idle + (1 − idle) × u);  cost per useful hour = TCO / (N × life × u)",
    latex=r"\mathrm{TCO} = C + N P(u) T\,\mathrm{PUE}\,p_E + m Y C,\quad c_\text{useful} = \frac{\mathrm{TCO}}{N T u}",
    explanation=(
        "Owning accelerators means paying for hardware up front (the chips, their share of the host servers, "
        "network and storage), then for electricity and upkeep every year of their life. Electricity is only "
        "about a tenth of the total for a GPU cluster, because the chips are so expensive. What matters is the "
        "cost per useful hour: an idle device still depreciates, so halving utilization nearly doubles the "
        "price of each hour of real work, and below some utilization renting by the hour is cheaper."),
    inputs=[
        Input("hardware", "hardware", "accelerator (for its list price, TDP and idle power)", default=None),
        Input("devices", "count", "accelerators in the cluster", low=1, integer=True, typical=(8, 1e5)),
        Input("years", "number", "amortization life in years (the spec: 3 to 5)", default=4, low=0, low_open=True),
        Input("utilization", "fraction", "share of the hours doing useful work", low=0, high=1, low_open=True),
        Input("electricity_price", "energy_price", "industrial electricity price (or region)", default=None, low=0),
        Input("region", "grid", "grid region, for its electricity price and PUE", default=None),
        Input("pue", "number", "PUE (default: the region's, else 1.57, Uptime 2021)", default=None, low=1),
        Input("power", "power", "full-load power per device, host share included (default: TDP)", default=None,
              low=0, low_open=True),
        Input("idle_power", "fraction", "idle ÷ full-load power (default: hardware's, else 0.5)", default=None, low=0,
              high=1),
        Input("device_price", "money", "price of one accelerator (default: registry list price)", default=None, low=0,
              low_open=True),
        Input("host_price_per_device", "money", "host server share per accelerator (default: DGX H100's)",
              default=HOST_PRICE_PER_DEVICE, low=0, typical=(0.0, 2e4)),
        Input("network_price_per_port", "money", "network cost per accelerator (default: 19 % of cluster "
              "hardware)", default=None, low=0, typical=(0.0, 2e4)),
        Input("storage_price", "money", "storage system price (none unless given)", default=0.0, low=0),
        Input("maintenance_rate", "fraction", "maintenance per year ÷ CapEx (default 5 %, an assumption)",
              default=0.05, low=0, high=1, typical=(0.0, 0.2)),
        Input("cloud_price", "money_rate", "rental price per device-hour, for the break-even", default=None,
              low=0, low_open=True, typical=(2.8e-4, 3.4e-3)),
    ],
    outputs=[
        Output("tco", "money", "total cost of ownership over the life"),
        Output("capex", "money", "hardware bought up front: accelerators, hosts, network, storage"),
        Output("accelerator_capex", "money", "the accelerators alone"),
        Output("energy_opex", "money", "electricity over the life, PUE included"),
        Output("maintenance_opex", "money", "maintenance over the life"),
        Output("capex_share", "fraction", "CapEx ÷ TCO"), Output("energy_opex_share", "fraction", "energy ÷ TCO"),
        Output("maintenance_opex_share", "fraction", "maintenance ÷ TCO"),
        Output("cost_per_device_hour", "money_rate", "TCO per device-hour of life"),
        Output("cost_per_useful_device_hour", "money_rate", "TCO per device-hour of useful work"),
        Output("breakeven_utilization", "fraction", "utilization above which owning beats renting (> 100 %: never)"),
        Output("breakeven_time", "time", "time for owning to pay back its CapEx against renting"),
        Output("cloud_cost", "money", "renting the same useful hours at the cloud price"),
        Output("energy", "energy", "electricity drawn over the life"), Output("pue", "number", "PUE used"),
        Output("electricity_price", "energy_price", "electricity price used"),
        Output("regime", "text", "buy or rent (at the cloud price), or no cloud price"),
    ],
    constraints=[Constraint(lambda v, a=name, b=other: v[a] is not None or v[b] is not None,
                            f"capital: give {name}, or {other}", name) for name, other in
                 (("device_price", "hardware"), ("electricity_price", "region"), ("power", "hardware"))],
    regimes=("buy", "rent", "no cloud price"),
    evaluate=evaluate, explain=explain, headline="tco",
    examples=[
        Example({"devices": 1024, "device_price": "$27.5k", "power": "1275 W", "years": 4,
                 "utilization": 0.8, "electricity_price": "$0.0892/kWh", "cloud_price": "$4.916/h"},
                {"accelerator_capex": 28.16e6, "capex": 42.67e6, "tco": 56.97e6, "energy_opex_share": 0.1012},
                source="H100 $25k–30k (Raymond James via Barron's, Aug 2023); DGX H100 10.2 kW / 8 GPUs (NVIDIA); "
                       "Virginia industrial 8.92 ¢/kWh (EIA 2023); AWS p5 capacity block $39.33/h per 8 H100s"),
        Example({"devices": 1024, "device_price": "$27.5k", "power": "700 W", "host_price_per_device": 0,
                 "network_price_per_port": 0, "utilization": 1, "electricity_price": "$0.08/kWh", "pue": 1.1},
                {"capex": 28.16e6}, source="spec, Wall 17: a 1,024-GPU H100 cluster costs ~$30M in hardware"),
    ],
    caveats="Straight-line: no cost of capital, resale, price changes or staff; host/network defaults are DGX-class.",
    sources=("Barroso, Hölzle & Ranganathan, The Datacenter as a Computer, 3rd ed., chapter on modeling costs, 2018",
             "Cottier et al., The rising costs of training frontier AI models, arXiv:2405.21015, 2024"),
)
