"""The secrets check over the logs of a whole test run (tests/log_capture.py), shown to fail a run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

LEAKY = textwrap.dedent(
    """
    import logging

    API_TOKEN = "leaky-token-0123456789"
    log = logging.getLogger("app.anything")


    def test_logs_nothing_secret():
        log.info("all good", extra={"api_token": API_TOKEN})  # masked by the production filter


    def test_logs_the_token():
        log.info("calling the provider with %s", API_TOKEN)


    def test_logs_a_reset_link():
        log.warning("mail failed: https://jobs.example.com/password/reset/Zm9vYmFyYmF6cXV4MTIzNDU2")
    """
)


def _run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "log_capture", "-p", "no:cacheprovider", *args],
        cwd=directory,
        # The leaking run keeps its log file: in this test's directory, not the system's /tmp.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)]), "LOG_CAPTURE_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_secret_in_any_log_line_fails_the_whole_run(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY)

    leaked = _run_pytest(tmp_path, "test_leaky.py")
    # Every test passed, yet the run fails, and says which secret and where.
    assert "3 passed" in leaked.stdout, leaked.stdout + leaked.stderr
    assert leaked.returncode == 1
    assert "SECRETS IN THE LOGS: 2 known secret(s)" in leaked.stdout
    assert "test_leaky.API_TOKEN" in leaked.stdout
    assert "calling the provider with leaky-token-0123456789" in leaked.stdout
    assert "a one-time link from an email" in leaked.stdout
    assert len(list(tmp_path.glob("jobifies-test-logs-*.jsonl"))) == 1  # kept for a look

    clean = _run_pytest(tmp_path, "test_leaky.py", "-k", "nothing_secret")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "SECRETS IN THE LOGS" not in clean.stdout
