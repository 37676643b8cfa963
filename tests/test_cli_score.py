"""`ergorisk score reba|rula`: good input gives exact results in order, bad input exits 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.scoring import reba, rula

runner = CliRunner()


def run(args: list[str], stdin: str | None = None):
    return runner.invoke(app, args, input=stdin)


def test_reba_json_array_from_stdin_in_input_order():
    records = [
        {"trunk_flexion_deg": 70, "load_kg": 12, "static": True},
        {},
        {"upper_arm_flexion_deg": 100, "coupling": "poor"},
    ]
    result = run(["score", "reba"], json.dumps(records))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["total"] for o in out] == [reba.score_record(r)["total"] for r in records]
    assert out[0] == reba.score_record(records[0])
    assert list(out[0]) == list(reba.OUTPUTS)
    assert out[1]["risk_level"] == "negligible"


def test_rula_json_lines_from_file(tmp_path):
    path = tmp_path / "sheets.jsonl"
    path.write_text('{"upper_arm_flexion_deg": 100}\n\n{"neck_flexion_deg": -10}\n')
    result = run(["score", "rula", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["upper_arm"] for o in out] == [4, 1]
    assert [o["neck"] for o in out] == [1, 4]
    assert list(out[0]) == list(rula.OUTPUTS)


def test_single_pretty_printed_object_is_one_record():
    result = run(["score", "reba"], '{\n  "trunk_flexion_deg": 30\n}\n')
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["trunk"] == 3


def test_empty_array_gives_empty_array():
    result = run(["score", "rula"], "[]")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_csv_output():
    result = run(["score", "reba", "--format", "csv"], '[{"trunk_flexion_deg": 70}, {}]')
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(reba.OUTPUTS)
    assert [r["trunk"] for r in rows] == ["4", "1"]


def test_upright_tolerance_option():
    result = run(["score", "reba", "--upright-tol-deg", "10"], '[{"trunk_flexion_deg": 8}]')
    assert json.loads(result.stdout)[0]["trunk"] == 1


@pytest.mark.parametrize(
    ("method", "text", "expected"),
    [
        ("reba", '[{"trunk_flexion_deg": "30"}]', "record 0, key 'trunk_flexion_deg'"),
        ("reba", '[{}, {"trunk_flexion_deg": true}]', "record 1, key 'trunk_flexion_deg'"),
        ("reba", '[{}, {}, {"static": 1}]', "record 2, key 'static'"),
        ("reba", '[{"trunk_flexion": 30}]', "record 0, key 'trunk_flexion'"),
        ("reba", '[{}, {"load_kg": -1}]', "record 1, key 'load_kg'"),
        ("reba", '[{"load_kg": 1e9}]', "key 'load_kg': a load must be between 0 and 500 kg"),
        ("reba", '[{"trunk_flexion_deg": 500}]', "an angle is within ±360 degrees, got 500"),
        ("rula", '[{"arm_load_kg": 501}]', "record 0, key 'arm_load_kg'"),
        ("reba", '[{"neck_flexion_deg": NaN}]', "record 0, key 'neck_flexion_deg'"),
        ("reba", '[{"neck_flexion_deg": Infinity}]', "record 0, key 'neck_flexion_deg'"),
        ("reba", '[{"coupling": 4}]', "record 0, key 'coupling'"),
        ("reba", '[{"coupling": -1}]', "record 0, key 'coupling'"),
        ("reba", '[{"coupling": 1.5}]', "record 0, key 'coupling'"),
        ("reba", '[{"coupling": "excellent"}]', "record 0, key 'coupling'"),
        ("reba", '[{"load_kg": null}]', "record 0, key 'load_kg'"),
        ("reba", "[1, 2]", "record 0"),
        ("reba", '[{"trunk_flexion_deg": 30}', "malformed JSON"),
        ("rula", '{"neck_flexion_deg": 1}\n{"neck_flexion_deg": }\n', "malformed JSON on line 2"),
        ("rula", '[{"sitting": true}]', "record 0, key 'sitting'"),  # a REBA key
        ("rula", '[{"arm_load_kg": -0.5}]', "record 0, key 'arm_load_kg'"),
        ("rula", '[{"legs_supported": "no"}]', "record 0, key 'legs_supported'"),
        ("rula", "", "empty"),
        ("rula", '"text"', "expected a JSON array"),
    ],
)
def test_bad_input_exits_2_names_record_and_key_and_prints_no_results(method, text, expected):
    result = run(["score", method], text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr


def test_a_file_that_is_not_json_is_named_in_its_error(tmp_path):
    """`ergorisk score reba corrupt.mp4` said "malformed JSON on line 1, column 1" of no
    file (a new-user walkthrough)."""
    path = tmp_path / "corrupt.mp4"
    path.write_text("this is not what the name says\n")
    result = run(["score", "reba", str(path)], "")
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"error: {path}: malformed JSON on line 1, column 1: "
        "Expecting value"
    )
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = run(["score", "reba", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_the_installed_command_runs_as_a_process():
    # The console entry point, as a user runs it, with stdin and exit codes.
    ok = subprocess.run(
        [sys.executable, "-m", "ergorisk", "score", "reba"],
        input='[{"trunk_flexion_deg": 70, "load_kg": 12}]',
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)[0]["score_a"] == 5  # Table A[4][1][1] = 3, +2 load
    bad = subprocess.run(
        [sys.executable, "-m", "ergorisk", "score", "rula"],
        input='[{"wrist_flexion_deg": 1e999}]',
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "record 0, key 'wrist_flexion_deg'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_help_teaches():
    result = run(["score", "reba", "--help"])
    assert result.exit_code == 0
    assert "record (0-based)" in result.stdout
    assert "ergorisk score reba" in result.stdout
    assert run(["score", "reba", "-h"]).stdout == result.stdout  # -h was refused


def _random_worksheets(fields, n: int, seed: int) -> list[dict]:
    """Random worksheets with every key, loads on whole and fractional kg, couplings by name."""
    import numpy as np

    from ergorisk.contract import COUPLING_NAMES, Kind

    rng = np.random.default_rng(seed)
    records = []
    for _ in range(n):
        rec: dict = {}
        for name, field in fields.items():
            if field.kind is Kind.ANGLE:
                rec[name] = round(float(rng.uniform(-90, 190)), 1)
            elif field.kind is Kind.LOAD:
                rec[name] = float(rng.integers(0, 16)) if rng.random() < 0.5 else rng.uniform(0, 15)
            elif field.kind is Kind.COUPLING:
                rec[name] = (
                    COUPLING_NAMES[rng.integers(4)] if rng.random() < 0.5 else int(rng.integers(4))
                )
            else:
                rec[name] = bool(rng.random() < 0.4)
        records.append(rec)
    return records


@pytest.mark.parametrize("method", ["reba", "rula"])
def test_cli_agrees_with_the_plain_reference_on_3000_random_worksheets(method):
    import reference
    from ergorisk.contract import REBA_FIELDS, RULA_FIELDS

    fields, record_fn = (
        (REBA_FIELDS, reference.reba_record)
        if method == "reba"
        else (RULA_FIELDS, reference.rula_record)
    )
    records = _random_worksheets(fields, 3000, seed=7 if method == "reba" else 8)
    result = run(["score", method], "\n".join(json.dumps(r) for r in records))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out == [record_fn(r) for r in records]


def test_a_worksheet_saved_as_csv_scores_as_its_json_records(tmp_path):
    """A sheet filled in a spreadsheet and saved as CSV read "malformed JSON on line 1" (score)
    or was refused with a pandas one-liner to turn it into JSON (score and assess), whose
    python had no pandas outside the venv, and whose blank cells came out null, refused."""
    sheet = tmp_path / "sheet.csv"
    # a blank cell: the default; a flag ticked as yes / x; coupling by name
    sheet.write_text(
        "trunk_flexion_deg,neck_flexion_deg,trunk_twist,load_kg,coupling\n"
        "30,10,,8,fair\n"
        "65,,yes,8,fair\n"
        "5,25,x,8,fair\n"
    )
    records = [
        {"trunk_flexion_deg": 30, "neck_flexion_deg": 10, "load_kg": 8, "coupling": "fair"},
        {"trunk_flexion_deg": 65, "trunk_twist": True, "load_kg": 8, "coupling": "fair"},
        {"trunk_flexion_deg": 5, "neck_flexion_deg": 25, "trunk_twist": True, "load_kg": 8,
         "coupling": "fair"},
    ]  # fmt: skip
    result = run(["score", "reba", str(sheet)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [reba.score_record(r) for r in records]
    # a European sheet: ";" between cells, a decimal comma
    euro = tmp_path / "euro.csv"
    euro.write_text("trunk_flexion_deg;load_kg\n20,5;12,5\n")
    out = json.loads(run(["score", "reba", str(euro)]).stdout)
    assert out == [reba.score_record({"trunk_flexion_deg": 20.5, "load_kg": 12.5})]
    # assess takes it as the records of one task, as the same JSON
    (tmp_path / "sheet.json").write_text(json.dumps(records))
    done = [run(["assess", str(tmp_path / f"sheet.{x}"), "--out", str(tmp_path / x)]) for x in
            ("csv", "json")]  # fmt: skip
    assert [r.exit_code for r in done] == [0, 0], [r.output for r in done]
    assert "sheet.csv: 3 records; REBA peak" in done[0].stdout
    tables = [(tmp_path / x / "frames.csv").read_text() for x in ("csv", "json")]
    assert tables[0] == tables[1]
    # a cell the record's check refuses is named with its record and key
    sheet.write_text("trunk_flexion_deg,trunk_twist\n30,maybe\n")
    bad = run(["score", "reba", str(sheet)])
    assert bad.exit_code == 2
    assert "record 0, key 'trunk_twist': expected true or false, got string" in bad.output
