"""`mlsysim sensitivity TARGET …` and `mlsysim synthesize TARGET …` over any wall or scenario.

Both take the target's inputs as generated flags (as `mlsysim wall` and `mlsysim sweep` do),
then either rank the elasticities of one output (Wall 21) or find the value of one input that
makes an output meet a target (Wall 22's generic inverse).
"""

from __future__ import annotations

import click

from mlsysim.cli.render import emit_json, table
from mlsysim.cli.sweep import SETTINGS, TargetGroup, input_options, own_options, slug_of


def _given(target, values: dict) -> dict:
    return {n: values.pop(n) for n in target.inputs if values.get(n) is not None}


def build_sensitivity(target) -> click.Command:
    options = own_options(target, [
        click.Option(["--output", "opt_output"], help=f"Output to explain (default: {target.headline})."),
        click.Option(["--params", "opt_params"], help="Comma-separated inputs to vary (default: every numeric input)."),
        click.Option(["--step", "opt_step"], type=click.FloatRange(0, 0.5, min_open=True), default=0.01,
                     show_default=True, help="Relative nudge of each input."),
        click.Option(["--plot", "opt_plot"], help="Draw the tornado to FILE.png or FILE.svg."),
        click.Option(["--json", "opt_json"], is_flag=True, help="Print one JSON object."),
    ])

    def callback(opt_output, opt_params, opt_step, opt_plot, opt_json, **values):
        from mlsysim.analysis.sensitivity import sensitivity

        params = [p.strip().replace("-", "_") for p in opt_params.split(",")] if opt_params else None
        result = sensitivity(target, output=opt_output, params=params, step=opt_step, at=_given(target, values))
        if opt_plot:
            from mlsysim.viz import plot_result

            plot_result(result, opt_plot)
            click.echo(f"drew {opt_plot}", err=True)
        if opt_json:
            emit_json(result.to_dict())
            return
        rows = [[name, "undefined" if e is None else f"{e:+.3f}"] for name, e in result.elasticities.items()]
        click.echo(table(["input", f"elasticity of {result.output}"], rows))
        click.echo("\n" + result.explain())

    help_text = (f"Which input binds {slug_of(target)}: elasticities ∂ln(output)/∂ln(input), ranked.\n\n\b\n"
                 f"Example:\n  mlsysim sensitivity serving --model llama-3-8b --hardware h100 --output itl "
                 f"--params bandwidth,peak_flops")
    return click.Command(slug_of(target), params=input_options(target, sweepable=False) + options,
                         callback=callback, help=help_text, short_help=getattr(target, "question", None),
                         context_settings=SETTINGS)


def build_synthesize(target) -> click.Command:
    options = own_options(target, [
        click.Option(["--output", "opt_output"], required=True, help="The output to meet."),
        click.Option(["--target", "opt_target"], required=True, help="Its target value (units welcome: 50ms)."),
        click.Option(["--vary", "opt_vary"], required=True, help="The input to solve for."),
        click.Option(["--bracket", "opt_bracket"], help="Search range LO,HI for the input (default: its typical "
                     "range, widened)."),
        click.Option(["--json", "opt_json"], is_flag=True, help="Print one JSON object."),
    ])

    def callback(opt_output, opt_target, opt_vary, opt_bracket, opt_json, **values):
        from mlsysim.analysis.solve import solve

        bracket = tuple(b.strip() for b in opt_bracket.split(",")) if opt_bracket else None
        if bracket is not None and len(bracket) != 2:
            from mlsysim.errors import InvalidInputError

            raise InvalidInputError(f"--bracket: {opt_bracket!r} is not LO,HI", parameter="bracket")
        result = solve(target, opt_output, opt_target, opt_vary.replace("-", "_"), bracket=bracket,
                       **_given(target, values))
        if opt_json:
            emit_json(result.to_dict())
        else:
            click.echo(result.explain())

    help_text = (f"Solve {slug_of(target)} backwards: the value of one input at which an output meets a target "
                 f"(closed form where the law has one, else bracketed root finding). For 'which hardware "
                 f"meets a latency', see `mlsysim wall synthesis`.\n\n\b\nExample:\n  mlsysim synthesize memory "
                 f"--weight-bytes 140GB --output time --target 50ms --vary bandwidth")
    return click.Command(slug_of(target), params=input_options(target, sweepable=False) + options,
                         callback=callback, help=help_text, short_help=getattr(target, "question", None),
                         context_settings=SETTINGS)


@click.group("sensitivity", cls=TargetGroup, build=build_sensitivity, context_settings=SETTINGS)
def sensitivity_group():
    """Rank what binds an output of a wall or scenario (Wall 21).

    \b
    Example:
      mlsysim sensitivity serving --model llama-3-8b --hardware h100 --output itl --params bandwidth,peak_flops
      mlsysim sensitivity training --model llama-3-8b --hardware h100 --devices 64 --tp 2 --json
    """


@click.group("synthesize", cls=TargetGroup, build=build_synthesize, context_settings=SETTINGS)
def synthesize_group():
    """Find the input value that meets a target output (Wall 22's inverse).

    \b
    Example:
      mlsysim synthesize memory --weight-bytes 140GB --output time --target 50ms --vary bandwidth
      mlsysim synthesize tail-latency --arrival-rate 9/s --service-rate 1/s --output mean_wait --target 1s --vary servers
    """
