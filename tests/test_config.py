"""One Config: typed sections, files, one precedence rule (defaults < file < flags)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ergorisk.cli import app
from ergorisk.config import BOUNDS, Config, ConfigError
from ergorisk.contract import MAX_LOAD_KG
from test_assess_cli import uw_file


def test_defaults_file_overrides_precedence(tmp_path):
    toml = tmp_path / "site.toml"
    toml.write_text('smoothing_s = 0.8\n[factors]\nload_kg = 6\ncoupling = "fair"\n')
    from_file = Config.load(toml)
    assert from_file.kinematics.smoothing_s == 0.8
    assert from_file.factors.load_kg == 6.0 and from_file.factors.coupling == 1
    # An override equal to the default still wins over the file.
    both = Config.load(toml, smoothing_s=0.4, load_kg=None)
    assert both.kinematics.smoothing_s == 0.4 and both.factors.load_kg == 6.0
    assert Config().kinematics.smoothing_s == 0.4


def test_yaml_and_json_files_and_the_round_trip(tmp_path):
    yaml_file = tmp_path / "o.yaml"
    yaml_file.write_text("kinematics:\n  trunk_twist_deg: 12\nstride: 2\nworker: Ann\n")
    cfg = Config.load(yaml_file)
    assert cfg.kinematics.trunk_twist_deg == 12.0
    assert cfg.media.stride == 2 and cfg.meta.worker == "Ann"
    json_file = tmp_path / "o.json"
    json_file.write_text(json.dumps(cfg.to_dict()))
    assert Config.load(json_file) == cfg == Config.from_dict(cfg.to_dict())


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"smothing_s": 1}, "unknown option 'smothing_s' (did you mean 'smoothing_s'?)"),
        ({"kinematic": {"smoothing_s": 1}}, "unknown option 'kinematic' (did you mean 'kinem"),
        ({"load_kg": MAX_LOAD_KG + 1}, "load_kg must be within 0-500 kg"),
        ({"load_kg": -1}, "load_kg must be within 0-500 kg"),
        ({"coupling": "sticky"}, "coupling must be one of good, fair, poor, unacceptable"),
        ({"stride": 0}, "stride must be at least 1"),
        ({"stride": 1.5}, "option stride: expected a whole number"),
        ({"shock": "maybe"}, "option shock: expected true or false"),
        (
            {"kinematics": {"stride": 2}},
            "unknown option kinematics.stride ('stride' is under [media])",
        ),
        # a sectioned file's typo had no suggestion (a researcher walkthrough)
        (
            {"media": {"flip_averge": True}},
            "unknown option media.flip_averge (did you mean 'flip_average'?)",
        ),
        ({"learned": ["gpt"]}, "unknown learned model 'gpt'"),
        # "'int' object is not iterable" (a researcher walkthrough)
        ({"learned": 5}, "option learned: expected names, as a list or comma-separated, got 5"),
        ({"smoothing_s": -3}, "smoothing_s must be 0 or more, got -3"),
        ({"kinematics": {"static_hold_s": -1.0}}, "static_hold_s must be 0 or more"),
        ({"fps": 100_000}, "fps must be a number in (0, 2000]"),
        # a list leaked Python's "float() argument must be a string or a real number"
        ({"load_kg": [1, 2]}, "option load_kg: expected a number, got [1, 2]"),
        ({"report": "maybe"}, "option report: expected true or false"),
    ],
)
def test_bad_values_name_the_option(values, message):
    with pytest.raises(ConfigError) as err:
        Config().merged(values)
    assert message in str(err.value)


def test_bounds_are_declared_once():
    assert BOUNDS["load_kg"] == (0.0, MAX_LOAD_KG)
    assert Config.load(None, load_kg=MAX_LOAD_KG).factors.load_kg == MAX_LOAD_KG


@pytest.fixture
def pose_file(tmp_path):
    return uw_file(tmp_path / "poses.npy")


def _summary(out):
    return json.loads((out / "summary.json").read_text())


def test_bug_a_flag_equal_to_its_default_beats_the_options_file(tmp_path, pose_file):
    options = tmp_path / "options.yaml"
    options.write_text("smoothing_s: 0.8\n")
    out = tmp_path / "out"
    args = ["assess", str(pose_file), "--layout", "uw-iom", "--fps", "10", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--options", str(options), "--smoothing-s", "0.4"])
    assert result.exit_code == 0, result.output
    assert _summary(out)["config"]["kinematics"]["smoothing_s"] == 0.4
    result = CliRunner().invoke(app, [*args, "--config", str(options)])
    assert result.exit_code == 0, result.output
    assert _summary(out)["config"]["kinematics"]["smoothing_s"] == 0.8


def test_bug_the_cli_refuses_a_load_the_web_refuses(tmp_path, pose_file):
    out = tmp_path / "out"
    args = ["assess", str(pose_file), "--layout", "uw-iom", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--load-kg", "100000"])
    assert result.exit_code == 2 and "100000" in result.output and "500" in result.output
    assert not out.exists()
    # The same bound from an options file.
    options = tmp_path / "heavy.toml"
    options.write_text("load_kg = 100000\n")
    result = CliRunner().invoke(app, [*args, "--config", str(options)])
    assert result.exit_code == 2 and "load_kg must be within 0-500 kg" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_an_options_file_takes_the_flags_names_and_the_flags_roi(tmp_path):
    """`assess --help` says a file takes any flag by its name with underscores: start, end,
    video and arm_support were refused ("unknown option 'start' (did you mean '--start'?)"),
    and roi = [100, 50, 300, 300] meant the corners (100, 50)-(300, 300), not the flag's x, y,
    w, h (the person was then not found, and nothing said why)."""
    toml = tmp_path / "site.toml"
    toml.write_text(
        "start = 1.0\nend = 2.5\nvideo = false\narm_support = true\nroi = [100, 50, 300, 300]\n"
    )
    cfg = Config.load(toml)
    assert (cfg.media.start_s, cfg.media.end_s, cfg.media.annotate) == (1.0, 2.5, False)
    assert cfg.kinematics.detect_arm_support is True
    assert cfg.media.roi == (100, 50, 400, 350)
    toml.write_text('[media]\nroi = "100,50,300,300"\n')
    assert Config.load(toml).media.roi == (100, 50, 400, 350)
    # The stored form (summary.json, the web app's records) keeps the corners.
    assert Config.from_dict(cfg.to_dict()).media.roi == (100, 50, 400, 350)


def test_an_error_names_the_flags_but_leaves_file_names_alone(tmp_path):
    """Option names were replaced inside paths: 'bad/annotated_clip.mp4' read
    'bad/--videod_clip.mp4', 'start_s.mp4' read '--start.mp4'."""
    from ergorisk.cli.assess import _flag_names

    assert _flag_names("start_s must be at least 0") == "--start must be at least 0"
    assert _flag_names("end_s (1.0) must be after start_s (2.0)") == (
        "--end (1.0) must be after --start (2.0)"
    )
    # Every renamed flag, from the one table of them (arm_support was left out of a copy).
    assert _flag_names("detect_arm_support: expected true or false") == (
        "--arm-support: expected true or false"
    )
    for path in ("bad/annotated_clip.mp4", "bad/start_s.mp4", "annotate.toml", "x/end_s"):
        assert _flag_names(f"{path}: the file is truncated") == f"{path}: the file is truncated"
    options = tmp_path / "annotate.toml"
    options.write_text("stride = 0\n")
    result = CliRunner().invoke(
        app, ["assess", "clip.mp4", "--out", str(tmp_path / "o"), "--config", str(options)]
    )
    assert result.exit_code == 2 and f"{options}: stride must be at least 1" in result.output


def test_a_path_is_taken_where_an_option_is_text(tmp_path):
    """er.assess(videos, calibration=Path(...)) was refused: "expected text, got PosixPath"."""
    from ergorisk.config import Config

    calib = tmp_path / "calib.toml"
    assert Config().with_(calibration=calib).media.calibration == str(calib)


def test_people_ids_may_be_a_python_list():
    """er.assess_people(video, people=[7]) was refused: "expected text, got [7]"."""
    assert Config().with_(people=[1, 3]).media.people == "1,3"
    assert Config().with_(people="all").media.people == "all"
    with pytest.raises(ConfigError, match="person IDs"):
        Config().with_(people=["x"])


def test_an_option_given_to_config_by_its_name_says_which_way_takes_it():
    """Config(smoothing_s=0.6) met Python's "unexpected keyword argument 'smoothing_s'"
    with no word of Config.load or with_ (a researcher's walkthrough)."""
    import pickle
    from dataclasses import replace

    with pytest.raises(ConfigError, match=r"^Config takes its sections \(media, pose, kin"):
        Config(smoothing_s=0.6)
    with pytest.raises(ConfigError, match=r"'smoothing_s' is an option of \[kinematics\]: "):
        Config(smoothing_s=0.6)
    with pytest.raises(ConfigError, match=r"unknown option 'smoothng_s' \(did you mean 'smoo"):
        Config(smoothng_s=0.6)
    cfg = Config.load(None, smoothing_s=0.6)  # the ways that take it, and copies, still work
    assert cfg.kinematics.smoothing_s == 0.6 and Config().with_(smoothing_s=0.6) == cfg
    assert pickle.loads(pickle.dumps(cfg)) == cfg and replace(cfg, given=frozenset()) == cfg
