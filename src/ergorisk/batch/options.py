"""The assess options a manifest column (or `batch --set key=value`) may give, and their parsing.

The names are the `ergorisk assess` option names with underscores (`--load-kg` -> `load_kg`,
`--options` -> `options`), read from the assess command's own signature so that the two never
drift apart, and every other Config field by its name (`hysteresis_deg`, `worst_moments`: a
manifest column names a field as a flag and a file key do, docs/architecture.md). Cells are
text; each is converted to the option's type here, so that a bad value stops the batch before
anything runs (exit 2, naming the line and column).
"""

from __future__ import annotations

import inspect
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# Columns that describe an item rather than how it is assessed.
META_COLUMNS = ("path", "name", "take", "worker", "task", "site", "notes")
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}


@dataclass(frozen=True)
class OptionSpec:
    key: str  # the CLI name with underscores: load_kg, options, camera_pitch_deg
    param: str  # the assess function's parameter: load_kg, options_file, ...
    kind: type  # float, int, bool, str, Path
    many: bool  # a list (learned): cells split on ';'
    min: float | None
    max: float | None
    section: str | None = None  # a Config field without a flag: its section checks the text


@lru_cache(maxsize=1)
def assess_options() -> dict[str, OptionSpec]:
    """Every option of `ergorisk assess` except the inputs and --out."""
    from ergorisk.cli.assess import assess  # here: the CLI imports the batch command
    from ergorisk.config import BOUNDS, FIELD_SECTION, FLAG_FIELDS

    # Bounds declared once (config.BOUNDS), by flag name.
    flags = {field: flag for flag, field in FLAG_FIELDS.items()}
    bounds = {flags.get(k, k): v for k, v in BOUNDS.items()}
    specs = {}
    for name, param in inspect.signature(assess, eval_str=True).parameters.items():
        if name in ("inputs", "out") or name in META_COLUMNS:
            continue
        base, info = param.annotation, None
        if typing.get_origin(base) is typing.Annotated:
            base, *extra = typing.get_args(base)
            info = extra[0] if extra else None
        # With Annotated, typer keeps the first declaration in `default`: Option("--options").
        given = (getattr(info, "default", None), *(getattr(info, "param_decls", None) or ()))
        decls = [d for d in given if isinstance(d, str) and d.startswith("--")]
        key = decls[0].split("/")[0].removeprefix("--").replace("-", "_") if decls else name
        many = False
        args = [a for a in typing.get_args(base) if a is not type(None)]
        if typing.get_origin(base) in (typing.Union, types.UnionType) and args:
            base = args[0]
        if typing.get_origin(base) is list:
            base, many = typing.get_args(base)[0], True
        specs[key] = OptionSpec(
            key=key,
            param=name,
            kind=base,
            many=many,
            min=bounds.get(key, (getattr(info, "min", None), None))[0],
            max=bounds.get(key, (None, getattr(info, "max", None)))[1],
        )
    # The fields no flag sets (and those a flag names otherwise: start_s, annotate).
    for name, section in FIELD_SECTION.items():
        if name not in specs and name not in META_COLUMNS:
            specs[name] = OptionSpec(name, name, str, False, None, None, section)
    return specs


def option_name(key: str) -> str:
    """One name for an option spelt two ways: a field that a flag names (start_s, annotate)
    as the flag (start, video). A manifest with both 'start' and 'start_s' columns, or a
    --set of one under a column of the other, let the last written win unseen."""
    from ergorisk.config import FLAG_FIELDS

    return {field: flag for flag, field in FLAG_FIELDS.items()}.get(key, key)


def parse_value(spec: OptionSpec, text: str, base_dir: Path) -> Any:
    """One cell -> the option's value; ValueError with a short reason when it is not one."""
    if spec.many:
        return [_scalar(spec, part.strip(), base_dir) for part in text.split(";") if part.strip()]
    return _scalar(spec, text, base_dir)


def _scalar(spec: OptionSpec, text: str, base_dir: Path) -> Any:
    if spec.section:
        from ergorisk.config import coerce

        return coerce(spec.section, spec.key, text)  # ConfigError, a ValueError
    kind = spec.kind
    if kind is bool:
        low = text.lower()
        if low in _TRUE | _FALSE:
            return low in _TRUE
        raise ValueError(f"{text!r} is not true or false")
    if kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(
                f"{text!r} is not {'an integer' if kind is int else 'a number'}"
            ) from None
        if spec.min is not None and value < spec.min:
            raise ValueError(f"{text!r} is below the minimum {spec.min}")
        if spec.max is not None and value > spec.max:
            raise ValueError(f"{text!r} is above the maximum {spec.max}")
        return value
    if kind is Path:
        from ergorisk.batch.inputs import windows_path

        path = Path(windows_path(text, base_dir)).expanduser()
        return path if path.is_absolute() else base_dir / path
    return text


def unknown_key_message(
    keys: str | list[str], what: str = "column", meta: tuple[str, ...] = META_COLUMNS
) -> str:
    """ "unknown columns 'lod_kg' (did you mean 'load_kg'?), 'colour'; a column is ..." (every
    unknown one at once: a second run found the next). ``what``: "option" for --set, whose
    ``meta`` keys are fewer (no path, name or take). The 95 names known were listed once."""
    import difflib

    keys = [keys] if isinstance(keys, str) else keys
    known = [*meta, *assess_options()]
    named = []
    for key in keys:
        close = difflib.get_close_matches(key, known, n=1)
        named.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (
        f"unknown {what}{'s' * (len(keys) > 1)} {', '.join(named)}; "
        f"{'an' if what[0] in 'aeiou' else 'a'} {what} is one of "
        f"{', '.join(meta)}, an `ergorisk assess` option (load_kg, coupling, start, ...) or "
        "any other option by its name (docs/architecture.md)"
    )
