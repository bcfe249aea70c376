"""`mlsysim sweep TARGET --input VALUES …`: a vectorized grid over the inputs of a wall or scenario.

Each input flag takes one value, a list (`H100,H200,B200`) or a range: `1..256:log2` (powers of
two), `1..100:lin10` (ten evenly spaced points), `1GB..1TB:log5` (five log-spaced points), `1..8`
(whole numbers). The grid is evaluated by `target.sweep` in one broadcast call (in chunks, with a
progress bar, when large), written to CSV or Parquet, and its best rows printed. The flags come
from the target's declared inputs, as for `mlsysim wall`; targets are walls or scenarios alike.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
import types

import click

from mlsysim.cli.render import emit_json, table

RANGE = re.compile(r"^(?P<lo>[^:]+?)\.\.(?P<hi>[^:]+?)(?::(?P<kind>[a-z]+)(?P<n>\d*))?$")
RANGE_HELP = "LO..HI (whole numbers), LO..HI:log2 (powers of two), LO..HI:linN or LO..HI:logN (N points)"
MAX_POINTS = 10_000  # per range: more is almost always a typo, and lists stay readable
SETTINGS = {"help_option_names": ["-h", "--help"]}


# -- targets: walls and scenarios ------------------------------------------------------------

def target_names() -> list[str]:
    from mlsysim.scenarios import target_names as names

    return names()


def resolve_target(name):
    """A wall by slug or number, else a scenario by name."""
    from mlsysim.scenarios import resolve

    return resolve(name)


def slug_of(target) -> str:
    return getattr(target, "slug", None) or getattr(target, "name", None) or type(target).__name__


class TargetGroup(click.Group):
    """`mlsysim CMD TARGET --input …`: one command per wall or scenario, built on demand."""

    def __init__(self, *args, build=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.build = build

    def list_commands(self, ctx):
        return target_names()

    def get_command(self, ctx, name):
        return self.build(resolve_target(name))

    def resolve_command(self, ctx, args):
        target = resolve_target(args[0])
        return slug_of(target), self.build(target), args[1:]


# -- values: one, a list, or a range ----------------------------------------------------------

def parse_values(text: str, spec):
    """One raw value (the target parses it), or a list of values to sweep."""
    from mlsysim.errors import InvalidInputError

    text = text.strip()
    if ".." in text:
        if not spec.is_numeric:
            raise InvalidInputError(f"{spec.flag}: a range needs a numeric input; list the values instead "
                                    f"(e.g. H100,H200)", parameter=spec.name)
        return expand_range(text, spec)
    if "," not in text:
        return text
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InvalidInputError(f"{spec.flag}: empty item in the list {text!r}", parameter=spec.name)
    if spec.is_numeric:
        from mlsysim.units import parse

        return [parse(item, spec.dimension, name=spec.flag) for item in items]
    return items


def expand_range(text: str, spec) -> list[float]:
    """`LO..HI[:kind N]` in the input's units to a list of SI values."""
    import numpy as np

    from mlsysim.errors import InvalidInputError
    from mlsysim.units import parse

    def bad(why: str):
        return InvalidInputError(f"{spec.flag}: bad range {text!r}: {why}; expected {RANGE_HELP}",
                                 parameter=spec.name)

    match = RANGE.match(text)
    if not match:
        raise bad("cannot read it")
    lo, hi = (parse(match[k].strip(), spec.dimension, name=spec.flag) for k in ("lo", "hi"))
    kind, count = match["kind"], int(match["n"]) if match["n"] else None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise bad("LO must be finite and no larger than HI")
    if kind is None:
        if lo != int(lo) or hi != int(hi) or hi - lo + 1 > MAX_POINTS:
            raise bad(f"without :linN or :logN the bounds must be whole numbers at most {MAX_POINTS} apart")
        values = np.arange(lo, hi + 1)
    elif kind == "log" and count == 2:
        if lo <= 0:
            raise bad("powers of two need LO > 0")
        values = 2.0 ** np.arange(math.ceil(math.log2(lo) - 1e-9), math.floor(math.log2(hi) + 1e-9) + 1)
        if values.size == 0:
            raise bad("no power of two lies between LO and HI")
    elif kind in ("lin", "log") and count and 2 <= count <= MAX_POINTS:
        if kind == "log" and lo <= 0:
            raise bad("log spacing needs LO > 0")
        values = np.linspace(lo, hi, count) if kind == "lin" else np.geomspace(lo, hi, count)
    else:
        raise bad(f"unknown spacing ':{match['kind']}{match['n']}' (N from 2 to {MAX_POINTS})")
    if spec.integer:
        values = np.unique(np.round(values))
    return [float(v) for v in values]


# -- the command ------------------------------------------------------------------------------

def input_options(target, *, sweepable: bool) -> list[click.Option]:
    """One flag per declared input (`weight_bytes` → `--weight-bytes`), help from the declaration."""
    from mlsysim.cli.walls import _complete, _input_help

    extra = f" Sweep: a list a,b,c or a range {RANGE_HELP}." if sweepable else ""
    return [click.Option([*spec.flags, spec.name], type=str, default=None, help=_input_help(spec) + extra,
                         shell_complete=_complete(spec)) for spec in target.inputs.values()]


def own_options(target, options: list[click.Option]) -> list[click.Option]:
    """Options of the command itself, minus any flag an input of the target already uses."""
    taken = {flag for spec in target.inputs.values() for flag in spec.flags}
    kept = []
    for option in options:
        option.opts = [o for o in option.opts if o not in taken]
        option.secondary_opts = [o for o in option.secondary_opts if o not in taken]
        if option.opts:
            kept.append(option)
    return kept


def build_sweep_command(target) -> click.Command:
    options = own_options(target, [
        click.Option(["-o", "--output", "opt_output"], help="Write every point to FILE.csv or FILE.parquet."),
        click.Option(["--best", "opt_best"], help=f"Output that ranks the rows (default: {target.headline})."),
        click.Option(["--top", "opt_top"], type=click.IntRange(1), default=5, show_default=True,
                     help="How many best rows to print."),
        click.Option(["--maximize", "opt_maximize"], is_flag=True, help="Best means highest (default: lowest)."),
        click.Option(["--invalid", "opt_invalid"], type=click.Choice(["raise", "nan"]), default="raise",
                     show_default=True, help="Stop at the first invalid point, or mark invalid points NaN."),
        click.Option(["--plot", "opt_plot"], help="Draw the best output against the first swept input "
                     "(FILE.png or FILE.svg)."),
        click.Option(["--pareto", "opt_pareto"], help="With --plot: the Pareto front of --best against this "
                     "output instead; lower is better, or write NAME:max."),
        click.Option(["--progress/--no-progress", "opt_progress"], default=None,
                     help="Show a progress bar (default: when stderr is a terminal)."),
        click.Option(["--chunk-size", "opt_chunk"], type=click.IntRange(1), default=100_000, hidden=True),
        click.Option(["--json", "opt_json"], is_flag=True, help="Print the best rows and the file as JSON."),
    ])

    def callback(**values):
        given = {n: values.pop(n) for n in target.inputs if values.get(n) is not None}
        run(target, given, **{k: v for k, v in values.items() if k.startswith("opt_")})

    help_text = (f"Sweep {slug_of(target)}: {getattr(target, 'question', '')}\n\nEach input takes one value, "
                 f"a list (a,b,c) or a range ({RANGE_HELP}); units welcome. See `mlsysim sweep --help`.")
    return click.Command(slug_of(target), params=input_options(target, sweepable=True) + options,
                         callback=callback, help=help_text, short_help=getattr(target, "question", None),
                         context_settings=SETTINGS)


def run(target, given: dict, *, opt_output=None, opt_best=None, opt_top=5, opt_maximize=False,
        opt_invalid="raise", opt_plot=None, opt_pareto=None, opt_progress=None, opt_chunk=100_000, opt_json=False):
    from mlsysim.errors import InfeasibleError, UnknownNameError

    best = opt_best or target.headline
    pareto, _, sense = (opt_pareto or "").partition(":")
    for flag, name in (("--best", best), ("--pareto", pareto)):
        if name and name not in target.outputs:
            raise UnknownNameError("output", name, target.outputs, parameter=flag)
    if opt_output:
        _table_format(opt_output)
    if opt_plot:
        from mlsysim.viz._backend import check_path

        check_path(opt_plot)
    inputs = {name: parse_values(text, target.inputs[name]) for name, text in given.items()}
    try:
        result = evaluate(target, inputs, opt_invalid, opt_chunk,
                          opt_progress if opt_progress is not None else sys.stderr.isatty())
    except InfeasibleError as error:  # one bad corner of a grid need not sink the sweep
        raise InfeasibleError(f"{error} (--invalid nan marks such points and sweeps on)",
                              parameter=error.parameter) from None
    rows = result.best(best, opt_top, minimize=not opt_maximize)
    if opt_output:
        write_table(result, opt_output)
    if opt_plot:
        from mlsysim import viz

        if pareto:
            viz.pareto(result, best, pareto, opt_plot, minimize=(not opt_maximize, sense != "max"))
        else:
            viz.sweep_plot(result, best, opt_plot)
    if opt_json:
        emit_json(summary(target, result, rows, best, not opt_maximize, opt_output, opt_plot))
    else:
        swept = [name for name, value in inputs.items() if isinstance(value, list)]
        report(target, result, rows, swept, best, opt_maximize, opt_output, opt_plot)


def report(target, result, rows, swept, best, maximize, path, plot) -> None:
    """What was done on stderr; the best rows, formatted with units, on stdout."""
    click.echo(f"{slug_of(target)}: {len(result):,} points, {int(result.valid.sum()):,} valid"
               + (f"; wrote {path}" if path else "") + (f"; drew {plot}" if plot else ""), err=True)
    click.echo(f"Best {len(rows)} by {best} ({'highest' if maximize else 'lowest'}):")
    click.echo(table(*best_table(target, rows, swept, best)))


# -- evaluation in chunks, output files and reports --------------------------------------------

def evaluate(target, inputs: dict, invalid: str, chunk: int, progress: bool):
    """`target.sweep(**inputs)`, split along the first swept input when the grid exceeds `chunk`.

    The grid is flattened with the first axis varying slowest, so concatenating the chunks keeps
    the row order of one big call.
    """
    axes = [n for n, v in inputs.items() if isinstance(v, list)]
    total = math.prod(len(inputs[n]) for n in axes)
    if not axes or (total <= chunk and not progress):
        return target.sweep(invalid=invalid, **inputs)
    first = axes[0]
    rest = total // len(inputs[first])
    step = max(1, chunk // rest)
    label = f"{slug_of(target)}: {total:,} points"
    silent = contextlib.nullcontext(types.SimpleNamespace(update=lambda n: None))
    parts = []
    with click.progressbar(length=total, label=label, file=sys.stderr) if progress else silent as bar:
        for start in range(0, len(inputs[first]), step):
            piece = inputs[first][start:start + step]
            parts.append(target.sweep(invalid=invalid, **{**inputs, first: piece}))
            bar.update(len(piece) * rest)
    return _concatenate(parts, tuple(len(inputs[n]) for n in axes))


def _concatenate(parts, shape):
    import numpy as np

    from mlsysim.analysis.sweep import SweepResult

    head = parts[0]
    join = lambda get, names: {n: np.concatenate([get(p)[n] for p in parts]) for n in names}  # noqa: E731
    outputs = [n for n in head.outputs if all(n in p.outputs for p in parts)]
    return SweepResult(head.target, join(lambda p: p.columns, head.columns), join(lambda p: p.outputs, outputs),
                       np.concatenate([p.valid for p in parts]), np.concatenate([p.reasons for p in parts]), shape)


def _table_format(path: str) -> str:
    from mlsysim.errors import InvalidInputError

    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in ("csv", "parquet", "pq"):
        raise InvalidInputError(f"--output: cannot tell the format of {path!r}; end it with .csv or .parquet",
                                parameter="output")
    return "csv" if suffix == "csv" else "parquet"


def write_table(result, path: str) -> None:
    """Every row, SI units, to CSV (csv module) or Parquet (pandas + pyarrow)."""
    from mlsysim.errors import InvalidInputError

    try:
        if _table_format(path) == "csv":
            _write_csv(result, path)
        else:
            _write_parquet(result, path)
    except OSError as error:
        raise InvalidInputError(f"--output: cannot write {path!r}: {error.strerror or error}",
                                parameter="output") from None


def _write_csv(result, path: str) -> None:
    import csv

    from mlsysim.analysis.sweep import _cell

    data = result.table()
    columns = [[_cell(v) for v in c] if c.dtype == object else c.tolist() for c in data.values()]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*data, "valid", "reason"])
        writer.writerows(zip(*columns, result.valid.tolist(), result.reasons.tolist()))


def _write_parquet(result, path: str) -> None:
    from mlsysim.errors import InvalidInputError

    frame = result.to_dataframe()
    try:
        frame.to_parquet(path, index=False)
    except ImportError:
        raise InvalidInputError("--output: Parquet needs pyarrow: pip install pyarrow (or write .csv)",
                                parameter="output") from None


def units_of(target) -> dict[str, str]:
    from mlsysim.units import DIMENSIONS, si_unit

    specs = {**target.inputs, **target.outputs}
    return {n: si_unit(s.dimension) for n, s in specs.items() if s.dimension in DIMENSIONS}


def summary(target, result, rows, best, minimize, path, plot) -> dict:
    from mlsysim.walls.result import to_json

    return {"target": slug_of(target), "points": len(result), "valid": int(result.valid.sum()), "best": best,
            "minimize": minimize, "rows": [to_json(row) for row in rows], "units": units_of(target),
            "file": path, "plot": plot}


def best_table(target, rows, swept, best):
    """Headers and formatted cells: the swept inputs, the ranking output, the headline, the regime."""
    from mlsysim.units import DIMENSIONS, format_quantity

    names = list(dict.fromkeys([*swept, best, target.headline, *(["regime"] if "regime" in target.outputs else [])]))
    specs = {**target.inputs, **target.outputs}

    def cell(name, value):
        numeric = specs[name].dimension in DIMENSIONS and isinstance(value, (int, float))
        return format_quantity(value, specs[name].dimension) if numeric else str(value)

    return names, [[cell(n, row.get(n)) for n in names] for row in rows]


@click.group("sweep", cls=TargetGroup, build=build_sweep_command, context_settings=SETTINGS)
def sweep_group():
    """Evaluate a wall or scenario over a grid of inputs: lists and ranges, vectorized.

    Each input flag takes one value, a list (H100,H200,B200) or a range: 1..256:log2 (powers
    of two), 1..100:lin10 (10 evenly spaced points), 1GB..1TB:log20 (20 log-spaced points),
    1..8 (whole numbers). Every combination is evaluated; the best rows are printed; -o writes
    every row to CSV or Parquet (SI units).

    \b
    Example:
      mlsysim sweep serving --model llama-3-8b --hardware H100,H200,B200 --batch 1..256:log2
      mlsysim sweep memory --weight-bytes 1GB..100GB:log5 --bandwidth 1TB/s,3.35TB/s -o grid.csv
      mlsysim sweep tail-latency --arrival-rate 1..9:lin9 --service-rate 1/s --servers 10 --json
    """
