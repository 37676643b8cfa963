"""`ergorisk batch INPUTS --out OUT`: many videos, images or pose files, on a local pool or Ray."""

from __future__ import annotations

import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ergorisk.cli.common import Engine, fail

if TYPE_CHECKING:
    from ergorisk.batch.item import ItemResult

SETTABLE_META = ("worker", "task", "site", "notes")


def batch(
    inputs: Annotated[
        Path,
        typer.Argument(
            help="A folder (searched recursively) or a manifest .csv.",
            show_default=False,
            metavar="INPUTS",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
    engine: Annotated[Engine, typer.Option(help="local: a process pool; ray: Ray.")] = Engine.local,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes (local) or Ray actors; default: the CPUs (of the cluster, with Ray).",
        ),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(
            help="Ray: join this cluster (HOST:6379, or 'auto' on a node of it; a cluster "
            "started with `ray start --head` also needs RAY_AUTH_MODE=token and its token "
            "here); default: start a local Ray."
        ),
    ] = None,
    force: Annotated[bool, typer.Option(help="Redo items already done.")] = False,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="KEY=VALUE: an assess option (or worker, task, site, notes) for every item; "
            "a manifest cell wins. Repeatable.",
        ),
    ] = None,
) -> None:
    """Assess many videos, images or pose files, each into OUT/<item>/, and summarise them.

    INPUTS: a folder (every video, image and pose file under it) or a manifest CSV.

    Manifest: a [bold]path[/bold] column; name, take, worker, task, site, notes; any assess option
    (its name with underscores: load_kg, coupling, layout, end...). An empty cell takes the
    default (or --set). Relative paths: from the manifest's folder. The rows of one take
    (several cameras) with a calibration column (and cameras, if the file names do not
    name them) are triangulated as one item. Example manifest:

      [dim]path,worker,task,site,load_kg,coupling,start,end
      videos/ann-pallet.mp4,Ann,palletising,Lyon,12,fair,,
      videos/bob-pallet.mp4,Bob,palletising,Lyon,12,fair,5,65[/dim]

    Writes batch.csv and batch.json (per input: status, reason, scores, warnings, pid, host,
    seconds; an input with no frame scored, such as a video with nobody in it, fails)
    and summary_by_task.csv, summary_by_worker.csv (time-weighted exposure, worst episodes);
    batch.xlsx holds the same tables for Excel (the CSVs are comma-separated UTF-8).
    A second run skips what is done (--force redoes it); a killed run loses no finished item.
    Exit code 0: all done; 1: some failed; 2: bad invocation.

    Examples:

      ergorisk batch videos/ --out results/ --workers 2
      ergorisk batch poses/ -o results/ --set layout=uw-iom --set fps=12
      ergorisk batch manifest.csv -o results/ --engine ray
      RAY_AUTH_MODE=token ergorisk batch m.csv -o /nfs/out/ --engine ray --address HEAD:6379

    Several machines (and the head's token): docs/scale.md.
    """
    from ergorisk.batch.inputs import BatchInputError, from_folder, load_items
    from ergorisk.batch.item import DONE, FAILED, SKIPPED
    from ergorisk.batch.runner import run_batch
    from ergorisk.batch.store import other_items

    if address and engine is not Engine.ray:
        fail("--address needs --engine ray")
    handlers: dict[int, Any] = {}
    try:
        options, meta = _parse_settings(settings or [])
        if inputs.is_dir():
            notes: list[str] = []
            items = from_folder(inputs, options, exclude=out, notes=notes)
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
        else:
            items = load_items(inputs, options)
        items = [replace(i, **{k: v for k, v in meta.items() if not getattr(i, k)}) for i in items]
        # Put back when the batch ends, but for an interrupted one: called in a process
        # that goes on (a test, a notebook), a batch left its handler there. An interrupted
        # batch keeps ignoring them until it exits (GNU timeout's second signal, to the
        # group, killed the driver as it printed its message: exit -15, not 130).
        handlers.update({sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)})
        signal.signal(signal.SIGTERM, _interrupt)  # as Ctrl-C: stop, and write batch.csv
        if handlers[signal.SIGINT] is not signal.SIG_IGN:  # not a background job's
            signal.signal(signal.SIGINT, _interrupt)
        rows = run_batch(
            items, out, engine=engine.value, workers=workers, address=address, force=force
        )
    except BatchInputError as err:
        _put_back(handlers)
        fail(str(err))
    except KeyboardInterrupt:
        again = (
            "run it again without --force to finish (what this run redid is kept), or with "
            "--force to redo everything"
            if force
            else "run the same command again to finish"
        )
        print(
            f"interrupted: what finished is kept, and {out}/batch.csv says what did not run; "
            + again,
            file=sys.stderr,
        )
        if line := _interrupted_counts(out):
            typer.echo(line)
        raise typer.Exit(130) from None
    _put_back(handlers)
    failed = [r for r in rows if r.status == FAILED]
    for r in failed:
        print(failure_line(r), file=sys.stderr)
    for r in rows:  # as assess prints them; batch.csv keeps them too (warnings)
        # A skipped item's too: after an interrupted run, the run that finished the batch
        # never showed the warnings of what the first one had done.
        if r.status in (DONE, SKIPPED) and r.warnings:
            earlier = " (done earlier)" if r.status == SKIPPED else ""
            for text in r.warnings.split(" | "):
                print(f"warning: {r.name}{earlier}: {text}", file=sys.stderr)
    if others := other_items(out.resolve(), {r.name for r in rows}):
        # A run of one row into a batch's folder (to redo it) rewrote batch.csv and the
        # summaries with that row alone, and said nothing of the items it left out.
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        print(
            f"warning: {out} also holds {len(others)} item{'s' * (len(others) > 1)} of earlier "
            f"runs that these inputs do not list ({shown}): batch.csv and the summaries cover "
            "these inputs only; run "
            + ("the whole folder" if inputs.is_dir() else "the whole manifest")
            + " again (done items are skipped) for tables of all of them",
            file=sys.stderr,
        )
    typer.echo(counts_line({s: sum(r.status == s for r in rows) for s in STATUSES}, out))
    raise typer.Exit(1 if failed else 0)


STATUSES = ("done", "skipped", "failed")


def counts_line(counts: dict[str, int], out: Path) -> str:
    """'4 items: 1 done, 0 skipped (done earlier), 0 failed -> OUT/batch.csv', and how many
    did not finish where a run was interrupted (failed rows whose reason says so)."""
    n = sum(counts[s] for s in STATUSES)
    unfinished = counts.get("not_finished", 0)
    return (
        f"{n} item{'s' * (n != 1)}: {counts['done']} done, {counts['skipped']} skipped (done "
        f"earlier), {counts['failed'] - unfinished} failed"
        + (f", {unfinished} not finished" if unfinished else "")
        + f" -> {out}/batch.csv"
    )


def _interrupted_counts(out: Path) -> str | None:
    """An interrupted batch's counts line (it printed none), from the counts its batch.json
    keeps; None where there is none to read."""
    import json

    try:
        counts = json.loads((out / "batch.json").read_text())["run"]["counts"]
        return counts_line(counts, out)
    except (OSError, ValueError, KeyError):
        return None


def failure_line(row: ItemResult) -> str:
    """'failed: clip-2: clip.mp4: why': the item by its name (three rows of one file read as
    three identical lines), and by its file where the reason does not name it (a worker
    that died: with hundreds of items, which one was it?)."""
    named = Path(row.path).name in row.reason or (
        bool(row.take) and row.reason.startswith(f"take {row.take}:")  # batch.csv lists its views
    )
    return f"failed: {row.name}: {row.reason if named else f'{row.path}: {row.reason}'}"


def _put_back(handlers: dict[int, Any]) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def _interrupt(*_: object) -> None:
    """The first SIGTERM or Ctrl-C stops the batch; later ones are ignored while it stops
    and writes batch.csv (GNU timeout signals the driver, then its whole group: the second
    signal lost batch.csv, or hung the driver in the pool's exit hook)."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def _parse_settings(settings: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    from ergorisk.batch.inputs import BatchInputError
    from ergorisk.batch.options import (
        assess_options,
        option_name,
        parse_value,
        unknown_key_message,
    )

    specs = assess_options()
    options: dict[str, Any] = {}
    meta: dict[str, str] = {}
    for text in settings:
        key, sep, value = text.partition("=")
        key, value = key.strip().replace("-", "_"), value.strip()
        if not sep or not key:
            raise BatchInputError(f"--set {text!r}: expected KEY=VALUE")
        if key in SETTABLE_META:
            meta[key] = value
        elif key in specs:
            try:
                options[option_name(key)] = parse_value(specs[key], value, Path.cwd())
            except ValueError as err:
                raise BatchInputError(f"--set {key}: {err}") from None
        else:
            raise BatchInputError(f"--set: {unknown_key_message(key, 'option', SETTABLE_META)}")
    return options, meta
