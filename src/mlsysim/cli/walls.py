"""`mlsysim walls`, `mlsysim wall SLUG …` and `mlsysim explain SLUG`, generated from declarations.

No wall has code of its own here: each wall's flags, help text and output come from its
declared inputs and outputs (`weight_bytes` becomes `--weight-bytes`).
"""

from __future__ import annotations

import textwrap

import click

from mlsysim.cli.render import emit_json, fit, heading, show_result, table


def _label(wall) -> str:
    return f"Wall {wall.number}" if wall.number is not None else "The Iron Law"


def _example_command(wall) -> str:
    if not wall.examples:
        return f"mlsysim wall {wall.slug}"
    parts = [f"mlsysim wall {wall.slug}"]
    for name, value in wall.examples[0].inputs.items():
        text = str(value)
        parts.append(f"{wall.inputs[name].flag} {repr(text) if ' ' in text else text}")
    return " ".join(parts)


def _input_help(spec) -> str:
    from mlsysim.units import DIMENSIONS

    text = spec.meaning
    if spec.is_numeric:
        text += f" [{DIMENSIONS[spec.dimension].phrase}, e.g. {DIMENSIONS[spec.dimension].example}; {spec.range_text()}]"
    elif spec.dimension == "choice":
        text += f" [one of: {', '.join(spec.choices)}]"
    elif spec.dimension == "precision":
        text += " [fp32, tf32, bf16, fp16, fp8, int8, fp4, int4, …]"
    else:
        text += f" [a {spec.dimension} name; see `mlsysim zoo {spec.dimension}`]"
    if not spec.required and spec.default is not None:
        text += f" (default: {spec.default})"
    return text


def _complete(spec):
    def complete(ctx, param, incomplete):
        if spec.dimension == "choice":
            options = list(spec.choices)
        elif spec.dimension == "precision":
            from mlsysim.precision import PRECISIONS

            options = list(PRECISIONS)
        else:
            from mlsysim.specs import registry

            options = registry(spec.dimension).names()
        return [o for o in options if o.startswith(incomplete)]

    return complete if not spec.is_numeric else None


def build_wall_command(wall) -> click.Command:
    params = [
        click.Option([*spec.flags, spec.name], type=str, default=None, required=spec.required, help=_input_help(spec),
                     shell_complete=_complete(spec))
        for spec in wall.inputs.values()
    ]
    params.append(click.Option(["--json", "as_json"], is_flag=True, help="Print one JSON object."))
    if "--plot" not in {spec.flag for spec in wall.inputs.values()}:
        params.append(click.Option(["--plot", "plot_file"], metavar="FILE", help="Also draw the result "
                                   "(roofline, queue curve or sensitivity tornado) to FILE.png or FILE.svg."))

    def callback(as_json: bool, plot_file: str | None = None, **raw):
        given = {name: value for name, value in raw.items() if value is not None}
        show_result(wall(**given), as_json, plot_file, render_result)

    help_text = (f"{_label(wall)} · {wall.title}: {wall.question}\n\n\b\n{wall.equation}\n\n"
                 f"\b\nExample:\n  {_example_command(wall)}")
    return click.Command(wall.slug, params=params, callback=callback, help=help_text,
                         short_help=wall.question, context_settings={"help_option_names": ["-h", "--help"]})


def render_result(result) -> str:
    wall = result.wall
    shown = {k: v for k, v in result.outputs.items() if v is not None and k in wall.outputs}
    from mlsysim.walls.result import render_values

    text = render_values(wall, shown)
    rows = [[name, text[name], wall.outputs[name].meaning] for name in shown]
    body = table(["output", "value", "meaning"], rows)
    explanation = textwrap.fill(result.explain(), 100)
    return f"{fit(f'{_label(wall)} · {wall.slug} — {wall.question}')}\n\n{body}\n\n{explanation}"


class WallGroup(click.Group):
    """`mlsysim wall SLUG_OR_NUMBER --input value …`, one generated command per wall."""

    def list_commands(self, ctx):
        from mlsysim.walls import all_walls

        return [w.slug for w in all_walls()]

    def get_command(self, ctx, name):
        return build_wall_command(resolve_target(name))

    def resolve_command(self, ctx, args):
        wall = resolve_target(args[0])
        return wall.slug, build_wall_command(wall), args[1:]


def resolve_target(name: str):
    """A wall by number or slug, else a scenario ('training', 'serving-deployment')."""
    from mlsysim.scenarios import resolve

    return resolve(name)


@click.group("wall", cls=WallGroup, context_settings={"help_option_names": ["-h", "--help"]})
def wall_group():
    """Evaluate one wall with inputs given as flags (units welcome: 16GB, 3.35TB/s, 989TFLOPS).

    \b
    Example:
      mlsysim wall memory --weight-bytes 16GB --bandwidth 3.35TB/s
      mlsysim wall 7 --arrival-rate 9/s --service-rate 1/s --servers 10 --json
    """


@click.command("walls")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def walls_command(as_json: bool):
    """Every wall, evaluated live on its worked example.

    \b
    Example:
      mlsysim walls --json
    """
    from mlsysim.walls import all_walls

    rows, records = [], []
    for wall in all_walls():
        result = wall.example()
        headline = f"{wall.headline} = {result.fmt(wall.headline)}"
        rows.append([str(wall.number or "—"), wall.slug, wall.domain, wall.question, headline])
        records.append({"wall": wall.number, "slug": wall.slug, "domain": wall.domain,
                        "question": wall.question, "example": result.to_dict()})
    if as_json:
        emit_json(records)
    else:
        click.echo(table(["#", "slug", "domain", "question", "worked example"], rows, wrap=3))


@click.command("explain")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the declaration as JSON.")
def explain_command(key: str, as_json: bool):
    """A wall's law: the question, equation, explanation, inputs and its worked example, live.

    \b
    Example:
      mlsysim explain 14
      mlsysim explain tail-latency
    """
    from mlsysim.docs import wall_page_data, wall_page_text
    from mlsysim.walls import get

    wall = get(key)
    if as_json:
        emit_json(wall_page_data(wall))
    else:
        click.echo(wall_page_text(wall))


__all__ = ["walls_command", "wall_group", "explain_command", "heading"]
