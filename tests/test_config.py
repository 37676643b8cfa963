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
        ({"load_kg": MAX_LOAD_KG + 1}, "load_kg must be within 0-500 kg"),
        ({"load_kg": -1}, "load_kg must be within 0-500 kg"),
        ({"coupling": "sticky"}, "coupling must be one of good, fair, poor, unacceptable"),
        ({"stride": 0}, "stride must be at least 1"),
        ({"stride": 1.5}, "option stride: expected a whole number"),
        ({"shock": "maybe"}, "option shock: expected true or false"),
        ({"kinematics": {"stride": 2}}, "unknown option kinematics.stride"),
        ({"learned": ["gpt"]}, "unknown learned model 'gpt'"),
        ({"smoothing_s": -3}, "smoothing_s must be 0 or more, got -3"),
        ({"kinematics": {"static_hold_s": -1.0}}, "static_hold_s must be 0 or more"),
        ({"fps": 100_000}, "fps must be a number in (0, 2000]"),
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
