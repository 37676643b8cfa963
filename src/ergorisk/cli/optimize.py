"""`ergorisk surrogate ...` and `ergorisk optimize ...`: thin commands over differentiable/
and optimize/.

Heavy imports (torch, the models) happen inside the commands so that `ergorisk --help`
stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ergorisk.cli.common import fail

surrogate_app = typer.Typer(
    help="DULA and DEBA, the differentiable RULA and REBA surrogates.", no_args_is_help=True
)
optimize_app = typer.Typer(
    help="Postural optimisation: gradient on a surrogate against CEM on the exact score.",
    no_args_is_help=True,
)

MODELS = ("dula", "deba")
MAX_POSTURES = 10_000_000  # 100,000 take seconds; billions would run for days
ModelOpt = Annotated[str, typer.Option("--model", help="dula (RULA) or deba (REBA).")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Seed of the random draw.")]


def _check_model(model: str) -> str:
    if model not in MODELS:
        fail(f"--model must be one of {', '.join(MODELS)}, got {model!r}")
    return model


def _positive(name: str, value: int) -> int:
    if value < 1:
        fail(f"{name} must be a positive integer, got {value}")
    return value


def _load(model: str, weights: Path | None):
    import torch

    from ergorisk.differentiable.surrogates import load

    torch.set_num_threads(1)  # small tensors: one thread is fastest on a shared machine
    if weights is not None and not weights.is_file():
        fail(f"no weights file at {weights}")
    try:
        return load(model, weights)
    except Exception as exc:  # torch.load's errors on a file that is not weights vary
        where = f" from {weights}" if weights is not None else ""
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"cannot load {model} weights{where} (not a {model} weights file?): {why}")


def _check_writable(path: Path, option: str) -> None:
    """Before any work: a file name, in a folder that is there or can be made (as --out's
    folders are: the README's `--json out/cmp.json` failed on a fresh clone)."""
    if path.is_dir():
        fail(f"{option} {path} is a folder: give a file name")
    there = next((p for p in path.parents if p.exists()), Path("."))
    if not there.is_dir():
        fail(f"{option} {path}: {there} is a file, not a folder")


def confusion_text(confusion) -> str:
    """The confusion matrix as text: rows exact score, columns rounded prediction."""
    top = len(confusion)
    width = max(len(str(confusion.max())), 3) + 1
    head = "exact\\pred" + "".join(f"{s:>{width}}" for s in range(1, top + 1))
    rows = [
        f"{s:>10}" + "".join(f"{v:>{width}}" for v in confusion[s - 1]) for s in range(1, top + 1)
    ]
    return "\n".join([head, *rows])


@surrogate_app.command("evaluate")
def evaluate(
    model: ModelOpt = "dula",
    n: Annotated[
        int, typer.Option("--n", help=f"Number of fresh random postures (1-{MAX_POSTURES:,}).")
    ] = 100_000,
    seed: SeedOpt = 0,
    weights: Annotated[
        Path | None, typer.Option(help="A weights file instead of the packaged one.")
    ] = None,
) -> None:
    """Draw N fresh random postures and tasks with SEED, label them exactly (body model ->
    kinematics -> exact scoring) and compare the surrogate: MAE, confusion matrix of the
    rounded prediction, and `accuracy: XX.XX%` (rounded prediction equals the exact score)."""
    import time

    from ergorisk.differentiable.surrogates import evaluate as evaluate_surrogate

    _check_model(model)
    _positive("--n", n)
    if n > MAX_POSTURES:
        fail(f"--n is at most {MAX_POSTURES:,}, got {n:,}")
    net = _load(model, weights)
    t0 = time.perf_counter()
    res = evaluate_surrogate(net, n, seed)
    typer.echo(
        f"{model.upper()} ({net.problem.method.upper()}) on {n} fresh postures, "
        f"seed {seed} ({time.perf_counter() - t0:.1f} s)"
    )
    typer.echo(f"MAE: {res['mae']:.4f}")
    typer.echo("confusion matrix (rows: exact score, columns: rounded prediction):")
    typer.echo(confusion_text(res["confusion"]))
    typer.echo(f"accuracy: {100 * res['accuracy']:.2f}%")


@optimize_app.command("compare")
def compare_cmd(
    model: ModelOpt = "dula",
    tasks: Annotated[
        int, typer.Option("--tasks", help="Random problems for the gradient solver.")
    ] = 64,
    cem_tasks: Annotated[
        int, typer.Option("--cem-tasks", help="The first of them also solved by CEM.")
    ] = 8,
    seed: SeedOpt = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the figures as JSON here.")
    ] = None,
) -> None:
    """Gradient solver (surrogate) against CEM (exact score, 10,000 samples an iteration) on
    the same random problems: time per solve, exact scores, hand-pose error."""
    from ergorisk.optimize.compare import compare

    _check_model(model)
    _positive("--tasks", tasks)
    _positive("--cem-tasks", cem_tasks)
    if cem_tasks > tasks:
        fail(f"--cem-tasks ({cem_tasks}) cannot exceed --tasks ({tasks})")
    if json_out is not None:  # checked now, not after minutes of solving
        _check_writable(json_out, "--json")
    net = _load(model, None)
    result = compare(net, tasks, cem_tasks, seed).summary()
    for key, value in result.items():
        typer.echo(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2))


@optimize_app.command("demo")
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created).")],
    seed: SeedOpt = 0,
    cem_iters: Annotated[int, typer.Option(help="CEM iterations per suggestion.")] = 10,
) -> None:
    """Simulated online postural correction (DULA, Section V): a pick and place with no
    correction, with CEM and with the gradient solver. Writes demo.csv, demo.png and a
    self-contained demo.html (opens offline) into OUT."""
    from ergorisk.optimize.demo import run_demo
    from ergorisk.report.optimization import summary, timeline_html, timeline_png

    _positive("--cem-iters", cem_iters)
    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    frames = run_demo(_load("dula", None), seed=seed, cem_iters=cem_iters)
    try:  # created once there is something to write: a failed run leaves no empty folder
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create {out}: {exc}")
    frames.to_csv(out / "demo.csv", index=False)
    timeline_png(frames, out / "demo.png")
    timeline_html(frames, out / "demo.html")
    typer.echo(summary(frames).to_string())
    typer.echo(f"wrote {out / 'demo.csv'}, {out / 'demo.png'}, {out / 'demo.html'}")
