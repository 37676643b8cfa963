"""Worksheet validation and columnar conversion (the fields are in ergorisk.contract).

Validation happens once, here, at the public boundary (the columnar API and the CLI);
the scoring functions behind it trust their arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ergorisk.contract import COUPLING_NAMES, MAX_LOAD_KG, Field, Kind
from ergorisk.errors import InputError

OnMissing = Literal["raise", "nan"]
MAX_ANGLE_DEG = 360.0  # more than a full turn is a slip, whatever the joint


class WorksheetError(InputError):
    """Invalid worksheet input; names the record (0-based) and the key."""

    def __init__(self, message: str, *, key: str | None = None, record: int | None = None):
        self.key, self.record, self.reason = key, record, message
        where = []
        if record is not None:
            where.append(f"record {record}")
        if key is not None:
            where.append(f"key {key!r}")
        text = f"{', '.join(where)}: {message}" if where else message
        if record is not None:
            # The contract counts records from 0, `assess` says "in record 1" of the first:
            # a user fixing "record 1" edited the wrong one (a CLI walkthrough).
            text += f" (records counted from 0: the {_ordinal(record + 1)})"
        super().__init__(text)


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# ---------------------------------------------------------------- one record (JSON)


def validate_record(record: Any, fields: Mapping[str, Field], index: int) -> dict[str, Any]:
    """Checks one JSON worksheet record; returns it with defaults filled and coupling as int."""
    if not isinstance(record, dict):
        raise WorksheetError(f"expected an object, got {_json_type(record)}", record=index)
    for key in record:
        if key not in fields:
            raise WorksheetError(_unknown(key, fields), key=key, record=index)
    out: dict[str, Any] = {}
    for name, field in fields.items():
        value = record.get(name, field.default)
        try:
            out[name] = _check_value(value, field.kind)
        except WorksheetError as err:
            raise WorksheetError(err.reason, key=name, record=index) from None
    return out


def _unknown(key: str, fields: Mapping[str, Field], what: str = "key") -> str:
    """'unknown key' (or column), with the method's keys it may have meant (RULA's load_kg
    is arm_load_kg and body_load_kg: the bare message left that to the docs)."""
    import difflib

    from ergorisk.contract import REBA_FIELDS, RULA_FIELDS

    # A key of the other method: a REBA worksheet given to `score rula` was met with "did
    # you mean neck_flexion_deg" for knee_flexion_deg.
    near = difflib.get_close_matches(str(key), list(fields), n=3)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    for name, other, this in (("REBA", REBA_FIELDS, "RULA"), ("RULA", RULA_FIELDS, "REBA")):
        if other is not fields and key in other:
            # RULA splits REBA's load and shock by arm and body: a rename, not another sheet
            if not any(n.endswith(f"_{key}") for n in near):
                hint = f": is this a {name} worksheet?"
            return f"a {name} {what}, not a {this} one{hint}"
    return f"unknown {what}{hint}"


def _check_value(value: Any, kind: Kind) -> Any:
    if kind is Kind.FLAG:
        if not isinstance(value, bool):
            raise WorksheetError(f"expected true or false, got {_json_type(value)}")
        return value
    if kind is Kind.COUPLING:
        if isinstance(value, str):
            name = value.strip().lower()
            if name not in COUPLING_NAMES:
                raise WorksheetError(
                    f"unknown coupling {value!r}; use 0-3 or one of {', '.join(COUPLING_NAMES)}"
                )
            return COUPLING_NAMES.index(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WorksheetError(f"expected an integer 0-3 or a name, got {_json_type(value)}")
        if not (math.isfinite(value) and value == int(value) and 0 <= value <= 3):
            raise WorksheetError(f"coupling must be an integer 0-3, got {value!r}")
        return int(value)
    # angles and loads
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorksheetError(f"expected a number, got {_json_type(value)}")
    if not math.isfinite(value):
        raise WorksheetError(f"expected a finite number, got {value!r}")
    if kind is Kind.LOAD and value < 0:
        raise WorksheetError(f"a load cannot be negative, got {value!r}")
    # A hand-filled sheet's slips: the same load bound as assess, a joint angle in degrees.
    if kind is Kind.LOAD and value > MAX_LOAD_KG:
        raise WorksheetError(f"a load must be between 0 and {MAX_LOAD_KG:g} kg, got {value!r}")
    if kind is Kind.ANGLE and abs(value) > MAX_ANGLE_DEG:
        raise WorksheetError(f"an angle is within ±{MAX_ANGLE_DEG:g} degrees, got {value!r}")
    return float(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def records_to_columns(
    records: Sequence[Mapping[str, Any]], fields: Mapping[str, Field]
) -> dict[str, np.ndarray]:
    """Validated records (see validate_record) -> one array per worksheet key."""
    return {
        name: np.array([r[name] for r in records], dtype=_dtype(field.kind))
        for name, field in fields.items()
    }


# ---------------------------------------------------------------- columns (Python API)


def _dtype(kind: Kind) -> type:
    return {Kind.FLAG: np.bool_, Kind.COUPLING: np.int8}.get(kind, np.float64)


@dataclass
class Prepared:
    columns: dict[str, np.ndarray]
    invalid: np.ndarray  # rows to blank (on_missing="nan")
    blank: bool  # on_missing="nan": outputs are float (NaN) / object (None) whatever the data
    index: pd.Index | None  # set when the input was a DataFrame


def prepare_columns(
    columns: Mapping[str, Any] | pd.DataFrame, fields: Mapping[str, Field], on_missing: OnMissing
) -> Prepared:
    """Checks a mapping or DataFrame of columns and returns typed arrays with defaults filled.

    Scalars broadcast. With ``on_missing="nan"``, rows with a NaN angle or load are marked
    invalid (scored with defaults, then blanked by the caller) instead of raising.
    """
    if on_missing not in ("raise", "nan"):
        raise ValueError(f"on_missing must be 'raise' or 'nan', got {on_missing!r}")
    index = columns.index if isinstance(columns, pd.DataFrame) else None
    unknown = [k for k in columns if k not in fields]
    if unknown:
        raise WorksheetError(_unknown(str(unknown[0]), fields, "column"), key=str(unknown[0]))
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    lengths = {a.shape[0] for a in arrays.values() if a.ndim == 1}
    if any(a.ndim > 1 for a in arrays.values()) or len(lengths) > 1:
        shapes = {k: a.shape for k, a in arrays.items() if a.ndim != 0}
        raise WorksheetError(f"columns must be 1-D and of equal length, got shapes {shapes}")
    n = lengths.pop() if lengths else 1
    out: dict[str, np.ndarray] = {}
    invalid = np.zeros(n, dtype=bool)
    for name, field in fields.items():
        raw = arrays.get(name, np.asarray(field.default))
        col, bad = _coerce_column(name, np.broadcast_to(raw, (n,)), field.kind, on_missing)
        out[name] = col
        if bad is not None:
            invalid |= bad
    return Prepared(out, invalid, on_missing == "nan", index)


def _coerce_column(
    name: str, raw: np.ndarray, kind: Kind, on_missing: OnMissing
) -> tuple[np.ndarray, np.ndarray | None]:
    if kind is Kind.FLAG:
        if raw.dtype == np.bool_:
            return raw, None
        if raw.dtype.kind in "iuf" or raw.dtype == object:
            try:
                num = raw.astype(np.float64)
            except (TypeError, ValueError):
                num = None
            if num is not None and np.isin(num, (0.0, 1.0)).all():
                return num.astype(bool), None
        _raise_first(name, raw, lambda v: v not in (0, 1, True, False), "expected a boolean")
    if kind is Kind.COUPLING:
        return _coerce_coupling(name, raw), None
    if raw.dtype.kind not in "iuf":
        if raw.dtype == object:
            bad = [isinstance(v, bool) or not isinstance(v, int | float | np.number) for v in raw]
            if not any(bad):
                raw = raw.astype(np.float64)
        if raw.dtype.kind not in "iuf":
            _raise_first(name, raw, lambda v: True, "expected a number")
    values = raw.astype(np.float64, copy=False)
    if kind is Kind.LOAD and values.min(initial=0.0) < 0:  # NaN never compares below 0
        row = int(np.flatnonzero(values < 0)[0])
        raise WorksheetError(
            f"a load cannot be negative, got {values[row]!r}", key=name, record=row
        )
    # The JSON records' bounds (_check_value), for columns and score_record alike: a trunk
    # at 400 degrees or 900 kg scored REBA 2 through score_record, refused through assess.
    with np.errstate(invalid="ignore"):
        over = (
            values > MAX_LOAD_KG
            if kind is Kind.LOAD
            else np.abs(values) > MAX_ANGLE_DEG
            if kind is Kind.ANGLE
            else None
        )
    if over is not None and over.any():
        row = int(np.flatnonzero(over)[0])
        message = (
            f"a load must be between 0 and {MAX_LOAD_KG:g} kg"
            if kind is Kind.LOAD
            else f"an angle is within ±{MAX_ANGLE_DEG:g} degrees"
        )
        raise WorksheetError(f"{message}, got {values[row]!r}", key=name, record=row)
    if np.isfinite(values).all():  # the common case: one pass, no mask
        return values, None
    if np.isinf(values).any() or on_missing == "raise":
        row = int(np.flatnonzero(~np.isfinite(values))[0])
        raise WorksheetError(f"expected a finite number, got {values[row]!r}", key=name, record=row)
    nan = np.isnan(values)
    return np.where(nan, 0.0, values), nan


def _coerce_coupling(name: str, raw: np.ndarray) -> np.ndarray:
    if raw.dtype.kind in "iu":
        if raw.size == 0 or (raw.min() >= 0 and raw.max() <= 3):
            return raw.astype(np.int8)
    elif raw.dtype.kind == "f":
        ok = np.isfinite(raw) & (raw == np.round(raw)) & (raw >= 0) & (raw <= 3)
        if ok.all():
            return raw.astype(np.int8)
    out = np.empty(raw.shape[0], dtype=np.int8)
    for i, v in enumerate(raw):  # names come from hand-made tables: small, so a loop is fine
        try:
            out[i] = _check_value(v.item() if isinstance(v, np.generic) else v, Kind.COUPLING)
        except WorksheetError as err:
            raise WorksheetError(err.reason, key=name, record=i) from None
    return out


def _raise_first(name: str, raw: np.ndarray, is_bad: Any, message: str) -> None:
    for i, v in enumerate(raw):
        if is_bad(v):
            raise WorksheetError(f"{message}, got {v!r}", key=name, record=i)
    raise WorksheetError(f"{message}, got dtype {raw.dtype}", key=name)


def finish(
    out: dict[str, Any], prepared: Prepared, as_frame: bool
) -> dict[str, Any] | pd.DataFrame:
    """Blanks invalid rows (NaN) and returns a dict or a DataFrame like the input."""
    if prepared.blank:
        bad = prepared.invalid
        for key, col in out.items():
            if isinstance(col, pd.Categorical):
                codes = col.codes.copy()
                codes[bad] = -1  # -1 is NaN in a Categorical
                col = pd.Categorical.from_codes(codes, dtype=col.dtype)
            else:
                col = col.astype(np.float64)
                col[bad] = np.nan
            out[key] = col
    if as_frame:
        return pd.DataFrame(out, index=prepared.index)
    return out


def score_columns(
    columns: Mapping[str, Any] | pd.DataFrame,
    fields: Mapping[str, Field],
    compute: Any,
    upright_tol_deg: float,
    on_missing: OnMissing,
) -> dict[str, Any] | pd.DataFrame:
    """Validate columns, ``compute(arrays, tol)``, blank missing rows: the body of ``score``."""
    if not isinstance(columns, Mapping | pd.DataFrame):  # a list read its items as keys
        raise WorksheetError(
            f"expected worksheet columns (a mapping or DataFrame of worksheet keys), got "
            f"{type(columns).__name__}; one record: score_record, several: a DataFrame"
        )
    prep = prepare_columns(columns, fields, on_missing)
    out = compute(prep.columns, upright_tol_deg)
    return finish(out, prep, as_frame=isinstance(columns, pd.DataFrame))


def score_one(score: Any, record: Mapping[str, Any], upright_tol_deg: float) -> dict[str, Any]:
    """One worksheet through a columnar ``score`` function, as plain Python values."""
    if not isinstance(record, Mapping):  # None raised an AttributeError
        kind = type(record).__name__
        raise WorksheetError(f"expected a worksheet record (a mapping), got {kind}")
    out = score({k: [v] for k, v in record.items()}, upright_tol_deg)
    return {k: v[0].item() if isinstance(v[0], np.generic) else v[0] for k, v in out.items()}
