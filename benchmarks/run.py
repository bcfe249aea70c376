"""Speed budgets of DESIGN.md, measured and printed as a table (never part of the unit tests).

    python benchmarks/run.py            # everything
    python benchmarks/run.py startup    # only start-up times (also: walls, scenarios)

Start-up times are the best of several runs of a fresh interpreter, reported beside
`import numpy` measured in the same run, because these machines are noisy: the budget is a
ratio (import mlsysim within 1.6× import numpy, --help 2.5×, a wall command within 400 ms).
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np


def best_of(command: list[str], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def best_mean(call, repeats: int = 400, rounds: int = 5) -> float:
    """Mean seconds of one call over `repeats` calls, the best of `rounds` such runs: a busy
    machine only ever adds time, so the fastest round is the closest to the code's own cost
    (the reasoning behind `timeit`'s advice to take the minimum)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            call()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best


def startup_rows() -> list[tuple[str, float, str]]:
    py = sys.executable
    base = best_of([py, "-c", "pass"])
    numpy_time = best_of([py, "-c", "import numpy"])
    rows = [("python -c pass", base, ""), ("import numpy", numpy_time, "reference")]
    checks = [
        ("import mlsysim", [py, "-c", "import mlsysim"], 0.150, 1.6),
        ("mlsysim --help", [py, "-m", "mlsysim", "--help"], 0.300, 2.5),
        ("mlsysim wall memory …", [py, "-m", "mlsysim", "wall", "memory", "--weight-bytes", "16GB",
                                   "--bandwidth", "3.35TB/s"], 0.400, 4.0),
        ("mlsysim wall serving …", [py, "-m", "mlsysim", "wall", "serving", "--model", "llama-3-8b",
                                    "--hardware", "h100"], 0.400, 4.0),
    ]
    for label, command, budget, ratio in checks:
        t = best_of(command)
        verdict = "ok" if t <= budget or t <= ratio * numpy_time else "OVER"
        rows.append((label, t, f"{t / numpy_time:.2f}× numpy (budget {budget * 1e3:.0f} ms or {ratio}×): {verdict}"))
    return rows


def _scalar_inputs(wall):
    """The first worked example with strings parsed once, so only evaluation is timed."""
    from mlsysim.walls.validate import Problems, parse_input

    return {name: parse_input(wall.inputs[name], raw, wall.slug, Problems("raise"))
            for name, raw in wall.examples[0].inputs.items()}


def wall_rows(points: int = 1_000_000) -> list[tuple[str, float, str]]:
    import mlsysim as ms

    rows = []
    for wall in ms.walls:
        inputs = _scalar_inputs(wall)
        wall(**inputs)
        scalar = best_mean(lambda: wall(**inputs))
        rows.append((f"{wall.slug}: scalar call", scalar, "ok" if scalar < 20e-6 else "OVER 20 µs"))
        numeric = [n for n, v in inputs.items() if wall.inputs[n].is_numeric and not wall.inputs[n].integer]
        if not numeric:
            continue
        name = numeric[0]
        array = inputs[name] * np.linspace(0.5, 1.0, points)
        start = time.perf_counter()
        wall(invalid="nan", **{**inputs, name: array})
        sweep = time.perf_counter() - start
        rows.append((f"{wall.slug}: {points:,} points over {name}", sweep, "ok" if sweep < 1.0 else "OVER 1 s"))
    return rows


def scenario_rows(points: int = 100_000) -> list[tuple[str, float, str]]:
    """One scenario evaluation, and the same scenario vectorized over `points` values of an input."""
    import mlsysim as ms

    cases = [
        ("training", dict(model=ms.model("llama-3-70b"), hardware=ms.hardware("h100"), devices=1024, tp=8, pp=4,
                          seq_len=4096, tokens=1e12, recompute="selective"), "tokens", 1e12),
        ("serving", dict(model=ms.model("llama-3-70b"), hardware=ms.hardware("h200"), devices=2, batch=32,
                         prompt_tokens=2048, output_tokens=256), "prompt_tokens", 2048.0),
    ]
    rows = []
    for name, inputs, axis, value in cases:
        scenario = ms.scenarios.get(name)
        scenario(**inputs)
        one = best_mean(lambda: scenario(**inputs), repeats=40)
        rows.append((f"{scenario.slug}: one evaluation", one, "ok" if one < 5e-3 else "slow"))
        array = value * np.linspace(0.5, 1.0, points)
        start = time.perf_counter()
        scenario(invalid="nan", **{**inputs, axis: array})
        many = time.perf_counter() - start
        rows.append((f"{scenario.slug}: {points:,} points over {axis}", many, "ok" if many < 1.0 else "OVER 1 s"))
    return rows


def show(rows) -> None:
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        shown = f"{seconds * 1e6:9.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:9.1f} ms"
        print(f"{label.ljust(width)}  {shown}  {note}")


def main(argv: list[str]) -> None:
    parts = argv or ["startup", "walls", "scenarios"]
    if "startup" in parts:
        print("Start-up (best of 7 fresh processes)")
        show(startup_rows())
        print()
    if "walls" in parts:
        print("Wall evaluation (one core)")
        show(wall_rows())
        print()
    if "scenarios" in parts:
        print("Scenario evaluation (one core)")
        show(scenario_rows())


if __name__ == "__main__":
    main(sys.argv[1:])
