from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Modules that run real MediaPipe, a server, a database or training: the `slow` marker, so that
# the inner loop `pytest -m "not slow and not e2e"` stays short (CI runs everything).
SLOW_MODULES = {
    "test_api",
    "test_assess_uwiom",
    "test_batch_local",
    "test_batch_ray",
    "test_differentiable_accuracy_cli",
    "test_learned_training",
    "test_multiview_cli",
    "test_multiview_demo",
    "test_people_cli",
    "test_people_tracking",
    "test_pose_invariance",
    "test_pose_quality",
    "test_pose_vanishing",
    "test_report_documents",
    "test_report_html",
    "test_video_assess",
    "test_video_cli",
    "test_postgres",
    "test_restart",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if "e2e" in path.parts:
            item.add_marker(pytest.mark.e2e)
        if path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (../shared/data beside the repo)")
    return SHARED_DATA
