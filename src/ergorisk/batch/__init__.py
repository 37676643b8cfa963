"""Many inputs at once: `ergorisk batch` on a local process pool or on Ray.

inputs.py     a folder or a manifest CSV -> BatchItem (options validated up front)
item.py       one item in a worker: assess (the seam: assess_into), move into place, row
store.py      staging folder, atomic rename, done markers, the output folder's lock
local.py      the local engine (spawned process pool)
ray_engine.py the Ray engine (actors, bounded in-flight work)
runner.py     skip what is done, run the rest with a progress bar, write the reports
report.py     batch.csv, batch.json, summary_by_task.csv, summary_by_worker.csv, batch.xlsx
command.py    the typer command
"""

from typing import Any

__all__ = ["BatchInputError", "BatchItem", "ItemResult", "load_items", "run_batch", "run_item"]
_HOME = {
    "BatchInputError": "inputs",
    "BatchItem": "inputs",
    "load_items": "inputs",
    "ItemResult": "item",
    "run_item": "item",
    "run_batch": "runner",
}


def __getattr__(name: str) -> Any:
    """Lazy: `ergorisk --help` imports the command without the assessment stack."""
    if name not in _HOME:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"ergorisk.batch.{_HOME[name]}"), name)
