"""The report child process: it writes what write_reports writes, hands back its errors, and
is replaced when it dies."""

from __future__ import annotations

import pytest

from ergorisk.report.worker import ReportWorker, report_worker
from ergorisk.report.write import write_reports
from report_fixtures import synthetic_assessment


def test_the_child_writes_the_same_reports_as_write_reports_in_process(tmp_path):
    frames, summary = synthetic_assessment()
    paths = report_worker().submit(frames, summary, None, {}, tmp_path / "child").result(120)
    assert sorted(paths) == ["html", "pdf", "xlsx"]
    assert all(p.parent == tmp_path / "child" and p.stat().st_size > 1000 for p in paths.values())
    here = write_reports(frames, summary, None, {}, tmp_path / "here")
    # The same page, byte for byte, from either process.
    assert paths["html"].read_text("utf-8") == here["html"].read_text("utf-8")
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"


def test_an_error_in_the_child_is_raised_in_the_parent_and_the_child_goes_on(tmp_path):
    frames, summary = synthetic_assessment()
    worker = report_worker()
    job = worker.submit(frames, summary, None, {}, tmp_path, formats=("docx",))
    with pytest.raises(ValueError, match="unknown report formats"):
        job.result(120)
    assert worker.alive()
    paths = worker.submit(frames, summary, None, {}, tmp_path, formats=("html",)).result(120)
    assert list(paths) == ["html"] and paths["html"].exists()


def test_a_dead_child_fails_its_job_and_is_replaced():
    worker = ReportWorker()
    worker._process.kill()
    worker._process.wait()
    frames, summary = synthetic_assessment()
    with pytest.raises(RuntimeError, match="report process ended"):
        worker.submit(frames, summary, None, {}, "unused").result(60)
    worker.close()
    first = report_worker()
    first._process.kill()
    first._process.wait()
    assert report_worker() is not first and report_worker().alive()


def test_a_forked_process_does_not_use_its_parents_child(monkeypatch):
    parents = report_worker()
    monkeypatch.setattr(parents, "_owner", -1)  # seen from a process forked after it started
    assert not parents.alive()
    own = report_worker()
    assert own is not parents and own.alive()


def test_the_child_ignores_ctrl_c_where_its_parent_does(tmp_path):
    """A batch run as a script's background job ignores SIGINT and goes on when the group
    gets one; its report child died of it and failed the item under way. The child keeps
    the parent's ignore; with SIGINT handled, it still ends on one."""
    import os
    import signal
    import time

    frames, summary = synthetic_assessment()

    def child_after_sigint(ends: bool) -> bool:
        """Whether the child lives on 0.5 s after a SIGINT (where it should end, a loaded
        machine may take longer: up to 10 s are waited for it)."""
        worker = ReportWorker()
        try:
            # A job done: the child has set its handlers. (A second's sleep was not always
            # enough in the full suite: a SIGINT during its imports is a KeyboardInterrupt,
            # which a library's import may swallow.)
            worker.submit(frames, summary, None, {}, tmp_path, formats=("html",)).result(120)
            os.kill(worker._process.pid, signal.SIGINT)
            time.sleep(0.5)
            deadline = time.monotonic() + 10.0
            while ends and worker.alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            return worker.alive()
        finally:
            worker.close()

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert child_after_sigint(ends=False), "the child died of a SIGINT its parent ignores"
    finally:
        signal.signal(signal.SIGINT, before)
    assert not child_after_sigint(ends=True)
