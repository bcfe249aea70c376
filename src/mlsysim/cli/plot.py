"""`mlsysim plot KIND TARGET --input … -o FILE`: the pictures of `mlsysim.viz` from the command line.

KIND is roofline, tornado, queue, waterfall or pareto; TARGET a wall (or scenario), whose
inputs become flags exactly as for `mlsysim wall`. The image format follows the file name
(.png, .svg, .pdf). matplotlib is imported only when a plot is drawn.
"""

from __future__ import annotations

import click

from mlsysim.cli.render import emit_json
from mlsysim.cli.sweep import SETTINGS, TargetGroup, input_options, own_options, parse_values, slug_of


def _output_option():
    return click.Option(["-o", "--output", "opt_output"], required=True, metavar="FILE",
                        help="Image to write: FILE.png, FILE.svg or FILE.pdf.")


def _report(kind: str, label: str, path: str, as_json: bool) -> None:
    if as_json:
        emit_json({"kind": kind, "target": label, "file": path})
    else:
        click.echo(f"{kind} of {label} → {path}")


def _command(kind: str, target, draw, extra=(), sweepable: bool = False, summary: str = "") -> click.Command:
    """A command for one (kind, target): the target's input flags, -o FILE, --json, and `extra`."""
    options = own_options(target, [_output_option(), *extra,
                                   click.Option(["--json", "opt_json"], is_flag=True, help="Print the file as JSON.")])

    def callback(**values):
        from mlsysim.viz._backend import check_path

        given = {n: values.pop(n) for n in target.inputs if values.get(n) is not None}
        options = {k: v for k, v in values.items() if k.startswith("opt_")}
        check_path(options["opt_output"])
        draw(target, given, options)
        _report(kind, slug_of(target), options["opt_output"], options.get("opt_json", False))

    return click.Command(slug_of(target), params=input_options(target, sweepable=sweepable) + options,
                         callback=callback, help=f"{summary}\n\n{slug_of(target)}: {getattr(target, 'question', '')}",
                         short_help=getattr(target, "question", None), context_settings=SETTINGS)


def _roofline(target, given, options):
    from mlsysim import viz

    viz.roofline(target(**given), options["opt_output"])


def _queue(target, given, options):
    from mlsysim import viz

    viz.queue_curve(target(**given), options["opt_output"])


def _tornado(target, given, options):
    from mlsysim import viz

    params = options.get("opt_params")
    result = target.sensitivity(output=options.get("opt_of"), at=given,
                                params=[p.strip() for p in params.split(",")] if params else None)
    viz.tornado(result, options["opt_output"])


def _pareto(target, given, options):
    from mlsysim import viz
    from mlsysim.cli.sweep import evaluate
    from mlsysim.errors import UnknownNameError

    (x, _, x_sense), (y, _, y_sense) = (options[k].partition(":") for k in ("opt_x", "opt_y"))
    for flag, name in (("--x", x), ("--y", y)):
        if name not in target.outputs:
            raise UnknownNameError("output", name, target.outputs, parameter=flag)
    inputs = {name: parse_values(text, target.inputs[name]) for name, text in given.items()}
    result = evaluate(target, inputs, options["opt_invalid"], 100_000, False)
    viz.pareto(result, x, y, options["opt_output"], minimize=(x_sense != "max", y_sense != "max"))


def _waterfall(target, given, options):
    from mlsysim import viz
    from mlsysim.errors import InvalidInputError

    result = target(**given)
    if result.outputs.get("terms") is None:
        raise InvalidInputError(f"waterfall: {slug_of(target)} results have no Iron Law terms; use the training "
                                f"scenario, or give --ideal and --term", parameter="target")
    viz.waterfall(result, path=options["opt_output"])


def _group(kind: str, summary: str, draw, extra=lambda: [], sweepable=False, **kwargs):
    def build(target):
        return _command(kind, target, draw, extra(), sweepable, summary)

    return TargetGroup(kind, build=build, help=summary, short_help=summary.split("\n")[0],
                       context_settings=SETTINGS, **kwargs)


ROOFLINE = _group("roofline", "The roofline with the workload's operating points (serving: prefill and decode).\n\n"
                  "\b\nExample:\n  mlsysim plot roofline serving --model llama-3-8b --hardware H100 -o roofline.png",
                  _roofline)
TORNADO = _group("tornado", "Sensitivity tornado: the elasticity of an output to every input, binding on top.\n\n"
                 "\b\nExample:\n  mlsysim plot tornado memory --weight-bytes 16GB --bandwidth 3.35TB/s -o t.svg",
                 _tornado, lambda: [click.Option(["--of", "opt_of"], help="Output to analyse (default: headline)."),
                                    click.Option(["--params", "opt_params"], help="Inputs to vary, a,b,c.")])
QUEUE = _group("queue", "Wait against utilization for wall 7 (tail-latency) or 16 (multi-tenant), point marked."
               "\n\n\b\nExample:\n  mlsysim plot queue tail-latency --arrival-rate 8/s --service-rate 1/s "
               "--servers 10 -o q.png", _queue)
PARETO = _group("pareto", "Pareto front of two outputs over a sweep (inputs take lists and ranges).\n\n\b\n"
                "Example:\n  mlsysim plot pareto serving --model llama-3-8b --hardware H100,H200,B200 "
                "--batch 1..256:log2 --x itl --y throughput:max -o front.png", _pareto,
                lambda: [click.Option(["--x", "opt_x"], required=True, help="Output on the x axis (NAME or NAME:max)."),
                         click.Option(["--y", "opt_y"], required=True, help="Output on the y axis (NAME or NAME:max)."),
                         click.Option(["--invalid", "opt_invalid"], type=click.Choice(["raise", "nan"]),
                                      default="raise", help="Stop at invalid points, or leave them out.")],
                sweepable=True)


@click.group("waterfall", cls=TargetGroup, build=lambda t: _command(
    "waterfall", t, _waterfall, summary="Iron Law waterfall of a result with terms."),
    invoke_without_command=True, context_settings=SETTINGS)
@click.option("--ideal", help="Ideal time FLOPs / (N × Peak), e.g. 10days.")
@click.option("--term", "terms", multiple=True, metavar="NAME=FACTOR[@WALL]",
              help="An efficiency term, e.g. mfu=0.45@software (repeat, in order).")
@click.option("-o", "--output", metavar="FILE", help="Image to write (.png, .svg, .pdf).")
@click.option("--json", "as_json", is_flag=True, help="Print the file as JSON.")
@click.pass_context
def waterfall_group(ctx, ideal, terms, output, as_json):
    """Iron Law waterfall from ideal to achieved time, one efficiency term at a time.

    Give the terms by hand, or a target whose result carries them (the training scenario).

    \b
    Example:
      mlsysim plot waterfall --ideal 10days --term mfu=0.45@software --term scaling=0.9@communication -o w.png
    """
    if ctx.invoked_subcommand is not None:
        return
    from mlsysim import viz
    from mlsysim.errors import InvalidInputError
    from mlsysim.units import parse

    if not (ideal and terms and output):
        raise InvalidInputError("waterfall: give --ideal, at least one --term and -o FILE (or a target)",
                                parameter="term")
    viz.waterfall([_term(text) for text in terms], parse(ideal, "time", name="--ideal"), output)
    _report("waterfall", "the given terms", output, as_json)


def _term(text: str):
    from mlsysim.errors import InvalidInputError
    from mlsysim.units import parse

    name, sep, rest = text.partition("=")
    factor, _, wall = rest.partition("@")
    if not (sep and name.strip() and factor.strip()):
        raise InvalidInputError(f"--term: expected NAME=FACTOR[@WALL] (e.g. mfu=0.45@software), got {text!r}",
                                parameter="term")
    return name.strip(), parse(factor.strip(), "fraction", name="--term"), wall.strip() or None


@click.group("plot", context_settings=SETTINGS)
def plot_group():
    """Draw a picture of a wall or a sweep to a PNG, SVG or PDF file (needs mlsysim[plot]).

    \b
    Example:
      mlsysim plot roofline serving --model llama-3-8b --hardware H100 -o roofline.png
      mlsysim plot queue tail-latency --arrival-rate 8/s --service-rate 1/s --servers 10 -o q.svg
    """


for _kind in (ROOFLINE, TORNADO, QUEUE, waterfall_group, PARETO):
    plot_group.add_command(_kind)
