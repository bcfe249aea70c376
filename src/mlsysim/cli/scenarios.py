"""`mlsysim train MODEL HARDWARE …` and `mlsysim serve MODEL HARDWARE …`, from the scenario declarations.

Flags come from the scenarios' declared inputs (as for `mlsysim wall`), plus a few short
aliases people expect (`--prompt`, `--output`). The human report shows the Iron Law breakdown
or the serving summary; `--json` prints the scenario result's dict (SI values and a units map).
"""

from __future__ import annotations

import click

from mlsysim.cli.render import fit, show_result, table
from mlsysim.cli.walls import _complete, _input_help

ALIASES = {"serving": {"prompt_tokens": ["--prompt"], "output_tokens": ["--output"], "reasoning_tokens": ["--reasoning"]},
           "training": {"seq_len": ["--seq"]}}
TRAIN_HELP = """Train MODEL on HARDWARE: the Iron Law from the physics (time, MFU, η, goodput, memory, cost, carbon).

\b
Example:
  mlsysim train llama-3.1-405b h100 --devices 16384 --tp 8 --pp 16 --vpp 4 --seq-len 8192 \\
      --global-batch 2048 --tokens 15.6T --recompute full
  mlsysim train llama-3-70b h100 --devices 1024 --parallelism auto --json
"""
SERVE_HELP = """Serve MODEL on HARDWARE: TTFT, ITL, throughput, concurrency, replicas, cost and carbon per token.

\b
Example:
  mlsysim serve llama-3-70b h200 --devices 2 --prompt 2k --output 256 --batch 32 --rate 10/s --p99 20s
  mlsysim serve llama-3.1-8b h100 --batch max --precision fp8 --json
"""


def _options(scenario, name: str) -> list[click.Option]:
    options = []
    for spec in scenario.inputs.values():
        if spec.name in ("model", "hardware"):
            continue
        flags = [*spec.flags, *ALIASES.get(name, {}).get(spec.name, [])]
        options.append(click.Option([*flags, spec.name], type=str, default=None, help=_input_help(spec),
                                    shell_complete=_complete(spec)))
    options.append(click.Option(["--json", "as_json"], is_flag=True, help="Print one JSON object."))
    options.append(click.Option(["--plot", "plot_file"], metavar="FILE",
                                help="Also draw the Iron Law waterfall (train) or roofline (serve) to FILE."))
    return options


def build(name: str, help_text: str, report) -> click.Command:
    from mlsysim.scenarios import get

    scenario = get(name)

    def callback(model: str, hardware: str, as_json: bool, plot_file: str | None, **raw):
        given = {k: v for k, v in raw.items() if v is not None}
        show_result(scenario(model=model, hardware=hardware, **given), as_json, plot_file, report)

    params = [click.Argument(["model"]), click.Argument(["hardware"]), *_options(scenario, name)]
    return click.Command("train" if name == "training" else "serve", params=params, callback=callback,
                         help=help_text, context_settings={"help_option_names": ["-h", "--help"]})


def _share(value) -> str:
    return f"{round(100 * float(value))}%"  # an int, so a rounding error never shows as "-0%"


def training_report(r) -> str:
    terms, o = r.outputs["terms"], r.outputs
    values, walls, shares = terms["values"], terms["walls"], terms["loss_share"]
    rows = [["FLOPs", r.fmt("total_flops"), "complexity", ""],
            ["N", r.fmt("devices"), walls["N"], ""],
            ["Peak", _q(values["peak"], "flop_rate"), walls["peak"], ""],
            ["MFU (kernels)", r.fmt("node_mfu"), walls["mfu"], _share(shares["mfu"])],
            ["η_scaling", r.fmt("eta_scaling"), walls["eta_scaling"], _share(shares["eta_scaling"])],
            ["Goodput", r.fmt("goodput"), walls["goodput"], _share(shares["goodput"])]]
    step = float(o["step_time"])
    causes = [[cause, _q(part["seconds"], "time"), _share(part["seconds"] / step), part["wall"]]
              for cause, part in o["breakdown"].items() if float(part["seconds"]) > 0]
    memory = (f"weights {r.fmt('memory_weights')} + gradients {r.fmt('memory_gradients')} + optimizer "
              f"{r.fmt('memory_optimizer')} + activations {r.fmt('memory_activations')} + buffers "
              f"{r.fmt('memory_buffers')} = {r.fmt('memory_per_device')} of {r.fmt('memory_available')}")
    plan = (f"tp {r.fmt('tp')} · pp {r.fmt('pp')} · dp {r.fmt('dp')} · cp {r.fmt('cp')} · ep {r.fmt('ep')} · "
            f"vpp {r.fmt('vpp')} · micro-batch {r.fmt('micro_batch')} × {r.fmt('micro_batches')} per step · "
            f"recompute {r.fmt('recompute')} · sharding {r.fmt('sharding')}")
    lines = [fit(f"Training {r.fmt('model')} on {r.fmt('devices')} × {r.fmt('hardware')} for {r.fmt('tokens')} tokens"),
             "", "Iron Law: time = FLOPs / (N × Peak × MFU × η_scaling × Goodput)",
             table(["term", "value", "wall", "share of the loss"], rows), "",
             fit(f"Time {r.fmt('time')} (ideal {_q(terms['ideal_time'], 'time')}); end-to-end MFU {r.fmt('mfu')}, "
                 f"HFU {r.fmt('hfu')}; binding wall: {r.fmt('binding_wall')}"), "",
             f"One step ({r.fmt('step_time')}):", table(["cause", "seconds", "share", "wall"], causes), "",
             fit(f"Memory per device: {memory} ({'fits' if o['fits'] else 'does NOT fit'})"), fit(f"Plan: {plan}"),
             fit(f"Device-hours {r.fmt('device_hours')} · energy {r.fmt('energy')} · carbon {r.fmt('carbon')} · "
                 f"cost {r.fmt('cost') if o['cost'] is not None else '— (give --price-per-device-hour)'}")]
    if o.get("runners_up"):
        ups = [[str(u["tp"]), str(u["pp"]), str(u["vpp"]), str(u["micro_batch"]), u["recompute"],
                _q(u["time"], "time"), _q(u["mfu"], "fraction")] for u in o["runners_up"]]
        lines += ["", f"Runners-up ({r.fmt('candidates_evaluated')} plans evaluated):",
                  table(["tp", "pp", "vpp", "micro", "recompute", "time", "MFU"], ups)]
    return "\n".join(lines)


def serving_report(r) -> str:
    from mlsysim.scenarios.serving_outputs import WORK_KINDS

    o = r.outputs
    lines = [fit(f"Serving {r.fmt('model')} on {r.fmt('devices')} × {r.fmt('hardware')} per replica: prompt "
                 f"{r.fmt('prompt_tokens')}, output {r.fmt('output_tokens')} tokens, batch {r.fmt('batch')} "
                 f"(at most {r.fmt('max_concurrency')} fit)"), "",
             table(["measure", "value"], [
                 ["time to first token", r.fmt("ttft")], ["inter-token latency", r.fmt("itl")],
                 ["tokens/s per user", r.fmt("per_user_tokens_per_s")],
                 ["output tokens/s per replica", r.fmt("throughput")], ["latency per request", r.fmt("latency")],
                 ["memory per device", f"{r.fmt('memory_per_device')} of {r.fmt('memory_available')}"],
                 ["decode is", r.fmt("regime")]]),
             "", "Where the time goes:",
             table(["kernels", "first token", "each step"],
                   [[label, _share(o[f"ttft_{kind}_share"]), _share(o[f"itl_{kind}_share"])]
                    for kind, label in WORK_KINDS])]
    if o["replicas"] is not None:
        target = f" (target {r.fmt('p99')})" if o["p99_latency"] is not None and r.inputs["p99"] is not None else ""
        lines += ["", fit(f"At {r.fmt('rate')} requests: {r.fmt('replicas')} replica(s), {r.fmt('utilization')} "
                          f"busy, P99 {r.fmt('p99_latency')}{target}")]
    lines += ["", fit(f"Per million output tokens: cost {r.fmt('cost_per_million_tokens')}, carbon "
                      f"{r.fmt('carbon_per_million_tokens')}; energy per token {r.fmt('energy_per_token')}"),
              f"SLA met: {r.fmt('meets_sla')} · binding wall: {r.fmt('binding_wall')}"]
    return "\n".join(lines)


def _q(value, dimension: str) -> str:
    from mlsysim.walls.result import _render

    return _render(value, dimension)


train_command = build("training", TRAIN_HELP, training_report)
serve_command = build("serving", SERVE_HELP, serving_report)
