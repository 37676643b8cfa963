"""`ergorisk batch` inputs: manifest parsing, its errors (exit 2 with line and column),
relative paths, item names, folders. Nothing is assessed here."""

from __future__ import annotations

import inspect

import pytest
from typer.testing import CliRunner

from batch_fixtures import corrupt_file, manifest, pose_file
from ergorisk.batch.inputs import (
    BatchInputError,
    from_folder,
    load_items,
    safe_name,
    unique_names,
)
from ergorisk.batch.options import META_COLUMNS, assess_options
from ergorisk.cli import app, assess

runner = CliRunner()


def batch(*args: str):
    return runner.invoke(app, ["batch", *map(str, args)])


def test_missing_path_column_exits_2_naming_line_and_column(tmp_path):
    m = manifest(tmp_path / "m.csv", ["file", "worker"], [["a.npy", "Ann"]])
    result = batch(m, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "m.csv: line 1: no 'path' column" in result.output
    assert "file, worker" in result.output
    assert not (tmp_path / "out" / "batch.csv").exists()


def test_unknown_option_column_exits_2_with_line_column_and_a_hint(tmp_path):
    header = ["path", "worker", "lod_kg", "colour"]
    m = manifest(tmp_path / "m.csv", header, [["a.npy", "Ann", "5", "red"]])
    result = batch(m, "-o", tmp_path / "out")
    assert result.exit_code == 2
    # Every unknown column at once (a second run found the next one).
    assert (
        "line 1, columns 3, 4: unknown columns 'lod_kg' (did you mean 'load_kg'?), 'colour';"
        in " ".join(result.output.split())
    )


def test_any_config_field_is_a_column_checked_before_anything_runs(tmp_path):
    """The README and docs/architecture.md: a manifest column names any Config field, as a
    file key does; only the assess flags' 34 names were taken ("unknown column
    'hysteresis_deg' (did you mean 'stride'?)")."""
    from ergorisk.batch.inputs import load_items
    from ergorisk.batch.item import item_config

    pose_file(tmp_path / "a.npy")
    header = ["path", "layout", "hysteresis_deg", "rapid_parts", "worst_moments"]
    m = manifest(tmp_path / "m.csv", header, [["a.npy", "uw-iom", "4", "trunk;neck", "2"]])
    m.write_text(m.read_text().replace("trunk;neck", '"trunk,neck"'))
    (item,) = load_items(m)
    cfg = item_config(item)
    assert cfg.scoring.hysteresis_deg == 4.0 and cfg.media.worst_moments == 2
    assert cfg.kinematics.rapid_parts == ("trunk", "neck")
    m = manifest(tmp_path / "m2.csv", ["path", "hysteresis_deg"], [["a.npy", "lots"]])
    result = batch(m, "-o", tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert "line 2, column 2 (hysteresis_deg): option hysteresis_deg: expected a number" in (
        " ".join(result.output.split())
    )


def test_bad_value_exits_2_with_its_line_and_column(tmp_path):
    rows = [["a.mp4", "5", "good"], [], ["b.mp4", "heavy", "fair"]]  # a blank line counts
    m = manifest(tmp_path / "m.csv", ["path", "load_kg", "coupling"], rows)
    result = batch(m, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "m.csv: line 4, column 2 (load_kg): 'heavy' is not a number" in result.output


def test_a_bad_choice_a_bad_combination_and_a_long_row_exit_2_before_anything_runs(tmp_path):
    cases = {
        "line 3, column 2 (coupling): coupling must be one of": (["path", "coupling"],
                                              [["a.mp4", "good"], ["b.mp4", "superb"]]),
        "line 2: end (2.0) must be after start (5.0)": (["path", "start", "end"],
                                                            [["a.mp4", "5", "2"]]),
        "line 2: 4 cells, but the header has 2 columns": (["path", "load_kg"],
                                                          [["a.mp4", "3", "4", "5"]]),
    }  # fmt: skip
    for message, (header, rows) in cases.items():
        m = manifest(tmp_path / "m.csv", header, rows)
        result = batch(m, "-o", tmp_path / "out")
        assert result.exit_code == 2 and message in result.output, result.output
        assert not (tmp_path / "out").exists()


def test_a_bad_set_value_is_blamed_on_set_not_on_a_manifest_row(tmp_path):
    """--set coupling=superb read 'm.csv: line 3: --coupling must be ...': the first row
    whose coupling cell was empty."""
    m = manifest(tmp_path / "m.csv", ["path", "coupling"], [["a.npy", "good"], ["b.npy", ""]])
    result = batch(m, "-o", tmp_path / "out", "--set", "coupling=superb")
    assert result.exit_code == 2 and "--set: coupling must be one of" in result.output
    assert "m.csv" not in result.output


def test_below_an_options_minimum_and_an_empty_path_exit_2(tmp_path):
    m = manifest(tmp_path / "m.csv", ["path", "load_kg"], [["a.npy", "-3"]])
    assert (
        "line 2, column 2 (load_kg): '-3' is below the minimum 0.0"
        in batch(m, "-o", tmp_path / "o").output
    )
    m = manifest(tmp_path / "m2.csv", ["worker", "path"], [["Ann", ""]])
    result = batch(m, "-o", tmp_path / "o")
    assert result.exit_code == 2 and "line 2, column 2 (path): empty" in result.output


def test_every_bad_cell_is_named_at_once(tmp_path):
    """A manifest's second bad value showed only once its first was mended (a walkthrough:
    'heavy' on line 2, then 'grippy' on line 3 on the next run). Up to five are named, the
    rest counted; no output folder is made."""
    rows = [["a.mp4", "heavy", "good"], ["b.mp4", "2", "grippy"], ["", "1", ""]]
    m = manifest(tmp_path / "m.csv", ["path", "load_kg", "coupling"], rows)
    result = batch(m, "-o", tmp_path / "o")
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    said = " ".join(result.output.split())
    assert "m.csv: line 2, column 2 (load_kg): " in said
    assert "; line 3, column 3 (coupling): coupling must be one of" in said
    assert "; line 4, column 1 (path): empty" in said
    # Two bad cells of one row: both (the choice was checked only once the number read).
    both = manifest(tmp_path / "b.csv", ["path", "coupling", "load_kg"], [["a.mp4", "great", "x"]])
    said = " ".join(batch(both, "-o", tmp_path / "o").output.split())
    assert "line 2, column 2 (coupling): coupling must be one of" in said, said
    assert "; line 2, column 3 (load_kg): 'x' is not a number" in said, said
    many = manifest(tmp_path / "n.csv", ["path", "load_kg"], [["a.mp4", "-1"]] * 7)
    said = " ".join(batch(many, "-o", tmp_path / "o").output.split())
    assert "line 6, column 2 (load_kg)" in said and "line 7," not in said
    assert said.endswith("; and 2 more")


def test_repeated_column_and_bad_invocations_exit_2(tmp_path):
    m = manifest(tmp_path / "m.csv", ["path", "task", "task"], [["a.npy", "x", "y"]])
    assert "line 1, column 3: 'task' repeated" in batch(m, "-o", tmp_path / "o").output
    assert batch(tmp_path / "nothing", "-o", tmp_path / "o").exit_code == 2
    (tmp_path / "empty").mkdir()
    result = batch(tmp_path / "empty", "-o", tmp_path / "o")
    assert result.exit_code == 2 and "no video, image or pose file found" in result.output
    pose_file(tmp_path / "in" / "a.npy")
    result = batch(tmp_path / "in", "-o", tmp_path / "o", "--set", "lod_kg=3")
    assert result.exit_code == 2
    assert (
        "--set: unknown option 'lod_kg' (did you mean 'load_kg'?); an option is one of worker,"
        in (" ".join(result.output.split()))
    )
    assert "path," not in result.output  # a manifest's columns, not --set's keys
    result = batch(tmp_path / "in", "-o", tmp_path / "o", "--address", "x:1")
    assert result.exit_code == 2 and "--address needs --engine ray" in result.output
    (tmp_path / "file").write_text("x")
    result = batch(tmp_path / "in", "-o", tmp_path / "file", "--set", "layout=uw-iom")
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_a_batch_run_in_a_process_that_goes_on_puts_its_signal_handlers_back(tmp_path):
    """The batch turns SIGTERM and Ctrl-C into a clean stop; in a process that goes on
    after it (a test, a notebook) they were left so."""
    import signal

    before = [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)]
    pose_file(tmp_path / "in" / "a.npy")
    result = batch(tmp_path / "in", "-o", tmp_path / "o", "--set", "layout=uw-iom")
    assert result.exit_code == 0, result.output
    assert [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)] == before


def test_relative_paths_are_relative_to_the_manifests_folder(tmp_path, monkeypatch):
    rows = [
        ["videos/a.mp4", "Ann", "lift", "12", "fair", "t1", "", ""],
        [str(tmp_path / "abs.bvh"), "Bob", "", "", "", "t1", "mapping.yaml", "vae;msdn"],
    ]
    header = ["path", "worker", "task", "load_kg", "coupling", "take", "mapping", "learned"]
    m = manifest(tmp_path / "plant" / "m.csv", header, rows)
    monkeypatch.chdir(tmp_path)  # not the manifest's folder
    a, b = load_items(m)
    assert a.path == tmp_path / "plant" / "videos" / "a.mp4"
    assert a.options == {"load_kg": 12.0, "coupling": "fair"}  # empty cells: defaults
    assert (a.worker, a.task, a.take) == ("Ann", "lift", "t1")
    assert b.path == tmp_path / "abs.bvh"
    assert b.options["mapping"] == tmp_path / "plant" / "mapping.yaml"
    assert b.options["learned"] == ["vae", "msdn"] and b.take == "t1"


def test_set_values_are_defaults_that_a_cell_overrides(tmp_path):
    m = manifest(tmp_path / "m.csv", ["path", "load_kg"], [["a.npy", "7"], ["b.npy", ""]])
    a, b = load_items(m, {"load_kg": 2.0, "layout": "uw-iom"})
    assert a.options == {"load_kg": 7.0, "layout": "uw-iom"}
    assert b.options == {"load_kg": 2.0, "layout": "uw-iom"}


def test_item_names_are_unique_and_safe(tmp_path):
    rows = [["clip.mp4", "0", "1"], ["clip.mp4", "1", "2"], ["other/clip.mp4", "", ""]]
    m = manifest(tmp_path / "m.csv", ["path", "start", "end"], rows)
    assert [i.name for i in load_items(m)] == ["clip", "clip-2", "other__clip"]
    # Files of one name in different folders are named by their folders, whatever the rows'
    # order (a walkthrough: dA/p.jpg and dB/p.jpg swapped rows, and each was redone into
    # the other's folder, p/ and p-2/)
    rows = [["dA/p.jpg"], ["dB/p.jpg"]]
    names = [i.name for i in load_items(manifest(tmp_path / "m.csv", ["path"], rows))]
    swapped = [i.name for i in load_items(manifest(tmp_path / "m.csv", ["path"], rows[::-1]))]
    assert names == ["dA__p", "dB__p"] == swapped[::-1]
    assert unique_names(["A", "a", "a-2"]) == ["A", "a-2", "a-2-2"]
    assert safe_name("../x/é t?.mp4") == "x__é_t_.mp4"
    # Letters of any script stay (a German plant's 'Prüfung Halle 3' became 'Pr_fung_Halle_3'),
    # also written decomposed, as macOS names files.
    assert safe_name("Woche 49/Prüfung Halle 3") == "Woche_49__Prüfung_Halle_3"
    assert safe_name("Pru\u0308fung") == "Prüfung"
    assert safe_name('a<b>:c|d?e*f"g') == "a_b_c_d_e_f_g"  # what Windows refuses
    assert safe_name("batch.csv") == "item-batch.csv" and safe_name("...") == "item"
    # Names Windows refuses for a folder, whatever the case or extension.
    assert [safe_name(n) for n in ("CON", "aux.x", "Lpt1", "console")] == [
        "item-CON",
        "item-aux.x",
        "item-Lpt1",
        "console",
    ]


def test_a_semicolon_manifest_from_excel_is_read_with_its_decimal_commas(tmp_path):
    """Excel saves ';' CSVs where the decimal mark is a comma: it read as 'no path column
    (the columns are: path;worker;load_kg)'. A file in Windows' own code page is named."""
    m = tmp_path / "m.csv"
    m.write_text("path;worker;load_kg\nclip.mp4;Ann;3,5\n", encoding="utf-8")
    (item,) = load_items(m)
    assert (item.worker, item.options) == ("Ann", {"load_kg": 3.5})
    m.write_bytes("path,worker\nclip.mp4,Zoë\n".encode("cp1252"))
    with pytest.raises(BatchInputError, match=r"not UTF-8 text.*save as 'CSV UTF-8'"):
        load_items(m)


def test_a_folder_is_searched_recursively_by_extension(tmp_path):
    for rel in ("a.npy", "site/cam1/a.npy", ".hidden/x.npy"):
        pose_file(tmp_path / "in" / rel)
    for rel in ("site/clip.MP4", "notes.txt"):
        corrupt_file(tmp_path / "in" / rel)
    pose_file(tmp_path / "in" / "out" / "old.npy")  # the output folder inside the inputs
    items = from_folder(tmp_path / "in", {"layout": "uw-iom"}, exclude=tmp_path / "in" / "out")
    assert [i.name for i in items] == ["a", "site__cam1__a", "site__clip"]
    assert all(i.options == {"layout": "uw-iom"} for i in items)
    with pytest.raises(BatchInputError):
        load_items(tmp_path / "in" / "notes.txt")


def test_every_assess_option_can_be_a_column():
    specs = assess_options()
    # Worker, task, site and notes are item columns of their own (the report's metadata).
    params = set(inspect.signature(assess).parameters) - {"inputs", "out"}
    flags = {s.param for s in specs.values() if s.section is None}
    assert flags == params - set(META_COLUMNS)
    assert specs["config"].param == "config_file"  # the CLI name, not the Python one
    assert specs["load_kg"].kind is float and specs["load_kg"].min == 0.0
    assert specs["static"].kind is bool and specs["learned"].many


def test_a_takes_rows_with_a_calibration_are_one_item_and_bad_takes_exit_2(tmp_path):
    """A 4-camera take with its calibration failed on every view, one by one ("a calibration
    goes with two or more videos of the same take"): its rows are now one item, the views
    triangulated; a take that cannot be one exits 2 naming the line and the column."""
    import numpy as np

    from ergorisk.batch.inputs import load_items
    from ergorisk.io.calibration import Camera, write_toml

    calib = tmp_path / "calib.toml"
    K = [[1000, 0, 320], [0, 1000, 240], [0, 0, 1]]
    write_toml(
        [Camera(f"cam0{k}", (640, 480), K, np.zeros(5), np.eye(3), [k, 0, 3]) for k in (1, 2)],
        calib,
    )
    header = ["path", "take", "calibration", "worker", "load_kg"]
    rows = [
        ["cam01.mp4", "t1", "calib.toml", "Eve", "3"],
        ["cam02.mp4", "t1", "calib.toml", "Eve", "3"],
        ["clip.mp4", "", "", "Sam", ""],
        ["side.mp4", "t2", "", "Sam", ""],  # a take without a calibration: one item a view
        ["back.mp4", "t2", "", "Sam", ""],
    ]
    items = load_items(manifest(tmp_path / "m.csv", header, rows))
    assert [i.name for i in items] == ["t1", "clip", "side", "back"]
    assert [i.index for i in items] == [0, 1, 2, 3]
    take = items[0]
    assert take.views == (tmp_path / "cam01.mp4", tmp_path / "cam02.mp4")
    assert take.source == list(take.views) and take.options["calibration"] == calib
    assert take.shown == f"{tmp_path / 'cam01.mp4'} + {tmp_path / 'cam02.mp4'}"
    assert items[1].source == tmp_path / "clip.mp4" and items[2].views == ()

    def refused(rows: list[list[str]]) -> str:
        result = batch(manifest(tmp_path / "bad.csv", header, rows), "-o", tmp_path / "out")
        assert result.exit_code == 2, result.output
        assert not (tmp_path / "out").exists()
        return " ".join(result.output.split())

    differ = [rows[0], ["cam02.mp4", "t1", "calib.toml", "Eve", "5"]]
    assert "bad.csv: line 3, column 5 (load_kg): take 't1' is assessed once" in refused(differ)
    other = [rows[0], ["cam02.mp4", "t1", "calib.toml", "Ann", "3"]]
    assert "line 3, column 4 (worker): take 't1' is assessed once" in refused(other)
    alone = [["cam01.mp4", "", "calib.toml", "Eve", "3"]]
    assert "line 2, column 3 (calibration): a calibration goes with the views of one take" in (
        refused(alone)
    )
    one = [rows[0], rows[2]]
    assert "line 2, column 2 (take): take 't1' has one video" in refused(one)
    # The calibration left off one row: said with the path, not a Python repr.
    missing = [rows[0], ["cam02.mp4", "t1", "", "Eve", "3"]]
    said = refused(missing)
    assert "line 3, column 3 (calibration): take 't1' is assessed once, with one value on " in said
    assert f"line 2 has '{calib}'" in said and "PosixPath" not in said
    # A calibration that cannot be read, or that has no camera for a view, exits 2 before
    # anything runs (a garbage file failed its take after the takes before it had run).
    (tmp_path / "garbage.toml").write_text("not = [a calibration")
    garbage = [
        [*rows[0][:2], "garbage.toml", *rows[0][3:]],
        [*rows[1][:2], "garbage.toml", "Eve", "3"],
    ]
    said = refused(garbage)
    assert "line 2, column 3 (calibration): " in said and "garbage.toml" in said, said
    # A view that matches no camera, or two views one camera: their lines and the path
    # column (a walkthrough's said "line 2, column 3 (calibration)" of the third line's video).
    unnamed = [rows[0], ["side.mp4", "t1", "calib.toml", "Eve", "3"]]
    said = refused(unnamed)
    assert "line 3, column 1 (path): " in said and "side.mp4: no camera" in said, said
    assert "name them in a cameras column" in said
    twice = [rows[0], ["cam01-copy.mp4", "t1", "calib.toml", "Eve", "3"]]
    said = refused(twice)
    assert "lines 2, 3, column 1 (path): several videos matched camera cam01 (" in said, said
    # A folder has no takes: a calibration for all of it failed every view at run time.
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "cam01.mp4").write_bytes(b"x")
    folder = batch(tmp_path / "videos", "-o", tmp_path / "out", "--set", f"calibration={calib}")
    assert folder.exit_code == 2
    assert "--set calibration: a calibration goes with the views of one take" in " ".join(
        folder.output.split()
    )


def test_a_pose_row_without_a_layout_exits_2_before_anything_runs(tmp_path):
    """It failed at run time, after the rows before it, as "give a layout (layout)"."""
    rows = [["a.npy", "uw-iom"], ["b.npy", ""]]
    result = batch(manifest(tmp_path / "m.csv", ["path", "layout"], rows), "-o", tmp_path / "o")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "m.csv: line 3, column 1 (path): a .npy pose file needs its layout: add a layout " in (
        said
    )
    assert "uw-iom" in said and not (tmp_path / "o").exists()


def test_an_unknown_engine_is_one_line_without_a_librarys_prefix(tmp_path):
    """As `ergorisk batch` runs it (main(), not CliRunner): "Invalid value for '--engine':
    Value error, 'dask' is not one of 'local', 'ray'." named pydantic's error class."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "ergorisk", "batch", str(tmp_path), "-o", str(tmp_path / "o")]
    done = subprocess.run(
        [*cmd, "--engine", "dask"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: Invalid value for '--engine': 'dask' is not one of")
    assert "Value error" not in done.stderr and "Traceback" not in done.stderr


def test_a_repeated_row_or_name_exits_2_and_a_written_name_is_kept(tmp_path):
    """A walkthrough: three identical rows were assessed three times, their time counted
    three times in the summaries by task and worker; a row named cutA became cutA-4."""
    rows = [["clip.mp4", "", "w1"], ["b.mp4", "", "w1"], ["clip.mp4", "", "w1"]]
    m = manifest(tmp_path / "m.csv", ["path", "name", "worker"], rows)
    with pytest.raises(BatchInputError, match=r"m.csv: line 4 repeats line 2 "):
        load_items(m)
    rows[2][2] = "w2"  # the same clip for another worker: two items
    rows += [["c.mp4", "clip", "w1"]]
    m = manifest(tmp_path / "m.csv", ["path", "name", "worker"], rows)
    assert [i.name for i in load_items(m)] == ["clip-2", "b", "clip-3", "clip"]
    rows += [["d.mp4", "CLIP", "w1"]]
    m = manifest(tmp_path / "m.csv", ["path", "name", "worker"], rows)
    with pytest.raises(BatchInputError, match=r"line 6, column 2 \(name\): 'CLIP' is line 5"):
        load_items(m)
    # Two names that become one folder say so (it said 'Pröfung' is line 2's name).
    rows[-1][1] = "/clip"
    m = manifest(tmp_path / "m.csv", ["path", "name", "worker"], rows)
    with pytest.raises(BatchInputError, match=r"'/clip' is line 5's folder too \(as 'clip'\)"):
        load_items(m)
    rows[-1][1] = "Prüfung"
    rows[-2][1] = "Pröfung"
    m = manifest(tmp_path / "m.csv", ["path", "name", "worker"], rows)
    assert [i.name for i in load_items(m)][-2:] == ["Pröfung", "Prüfung"]


def test_one_option_spelt_two_ways_exits_2_and_a_set_default_gives_way_to_the_cell(tmp_path):
    """A walkthrough: columns start and start_s were both accepted and the last one won
    unseen (the clip assessed from 2 s or from 1 s by the columns' order)."""
    m = manifest(tmp_path / "m.csv", ["path", "start", "start_s"], [["clip.mp4", "1", "2"]])
    with pytest.raises(BatchInputError, match=r"columns 2 and 3: 'start' and 'start_s' are the "):
        load_items(m)
    m = manifest(tmp_path / "m.csv", ["path", "start_s"], [["clip.mp4", "2"], ["b.mp4", ""]])
    a, b = load_items(m, {"start": 1.0})  # --set start=1 under a start_s column
    assert a.options == {"start": 2.0} and b.options == {"start": 1.0}


def test_people_all_in_a_batch_exits_2_before_anything_runs(tmp_path):
    """Every item failed with the Python API's "use assess_people" (a text file's own
    fault hidden under it), and the failures were kept for the next run."""
    m = manifest(tmp_path / "m.csv", ["path", "people"], [["clip.mp4", "all"]])
    with pytest.raises(BatchInputError, match=r"line 2, column 2 \(people\): people all: a batch "):
        load_items(m)
    m = manifest(tmp_path / "m.csv", ["path", "people"], [["clip.mp4", "1"]])
    assert load_items(m)[0].options == {"people": "1"}  # one person: one row
    with pytest.raises(BatchInputError, match=r"--set: people 0,2: a batch item is one person"):
        load_items(m, {"people": "0,2"})


def test_an_empty_manifest_says_it_is_empty(tmp_path):
    # It said "line 1: no 'path' column (the columns are: none)".
    m = tmp_path / "m.csv"
    m.write_text("")
    with pytest.raises(BatchInputError, match=r"m.csv: empty: its first line names the columns"):
        load_items(m)


def test_a_spreadsheets_manifest_capitals_windows_paths_and_an_open_quote(tmp_path):
    """A walkthrough: 'Path,Worker' refused as "no 'path' column"; data\\photo.jpg (written
    on Windows) failed "no such file" at run time; a quote left open read the rest of the
    file as one path (a runtime failure, not exit 2)."""
    pose_file(tmp_path / "data" / "a.npy")
    m = manifest(
        tmp_path / "m.csv", ["Path", "Worker", "Layout"], [["data\\a.npy", "Ann", "uw-iom"]]
    )
    (item,) = load_items(m)
    assert item.path == tmp_path / "data" / "a.npy" and item.worker == "Ann"
    assert item.options["layout"] == "uw-iom"
    m.write_text('path,worker\n"data/a.npy,Ann\nb.npy,Bob\n', encoding="utf-8")
    result = batch(m, "-o", tmp_path / "o")
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert "m.csv: line 2: not valid CSV" in " ".join(result.output.split())
