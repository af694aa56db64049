"""The README's first command, for real: `make run` on a copy of the project with no configuration
serves a living job board with demo data and a ready search index, and a second run just serves."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from servers import free_port, kill_process_tree

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.executable).resolve().parent.parent if (Path(sys.prefix) / "pyvenv.cfg").exists() else None


@pytest.fixture
def project_copy(tmp_path):
    if VENV is None or not (Path(sys.prefix) / "bin" / ".runtime-installed").exists():
        pytest.skip("runs only inside the project's own .venv (made by `make test`)")
    copy = tmp_path / "jobifies"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).exists():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)  # keeps mtimes: make sees the venv as up to date
    (copy / ".venv").symlink_to(Path(sys.prefix))
    # The copy shares the project's venv: never let its `make run` install into it.
    if subprocess.run(["make", "-q", ".venv/bin/.runtime-installed"], cwd=copy).returncode != 0:
        pytest.skip("the project's .venv is older than requirements.txt: run `make test` to refresh it")
    return copy


def _serve(copy: Path, port: int):
    # No configuration at all: the embedded defaults (SQLite in instance/, inline jobs, outbox email).
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return process
            except requests.RequestException:
                pass
            if process.poll() is not None:
                break
            time.sleep(0.3)
    except BaseException:  # interrupted while waiting: do not leave a server behind
        kill_process_tree(process.pid)
        raise
    kill_process_tree(process.pid)
    pytest.fail("make run did not serve:\n" + (process.stdout.read() if process.stdout else ""))


def _stop(process) -> str:
    kill_process_tree(process.pid)
    return process.communicate(timeout=10)[0]


def test_make_run_serves_demo_data_with_search_ready_and_is_idempotent(project_copy):
    port = free_port()
    first = _serve(project_copy, port)
    try:
        jobs = requests.get(f"http://127.0.0.1:{port}/jobs", timeout=10).text
        assert "open jobs" in jobs
        assert "Search is being rebuilt" not in jobs
        assert "Acme Analytics" in jobs
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert login.status_code == 200
        assert 'name="password"' in login.text
        count = jobs.split('id="result-count"', 1)[1].split("</p>", 1)[0]
    finally:
        output = _stop(first)
    assert "Rebuilding the search index" in output
    assert (project_copy / "instance" / "jobifies.sqlite3").exists()

    second = _serve(project_copy, port)  # the second run just serves: same data, nothing rebuilt
    try:
        again = requests.get(f"http://127.0.0.1:{port}/jobs", timeout=10).text
        assert again.split('id="result-count"', 1)[1].split("</p>", 1)[0] == count
    finally:
        output = _stop(second)
    assert "Rebuilding the search index" not in output
