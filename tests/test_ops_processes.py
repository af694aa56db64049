"""Operations under real processes: gunicorn with several workers (metrics add up across them, a
SIGTERM lets in-flight requests finish) and workers started with --with-cron (one scheduler)."""

from __future__ import annotations

import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import REDIS_URL
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def _gunicorn(app, tmp_path, module: str = "wsgi:app", **env) -> tuple[subprocess.Popen, str]:
    port = free_port()
    settings = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "EMBEDDED_SCHEDULER": "false",
        "PORT": str(port),
        "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}",
        **env,
    }
    for name in ("GUNICORN_CMD_ARGS", "REDIS_URL"):
        settings.pop(name, None)
    process = subprocess.Popen(
        [GUNICORN, module],
        cwd=ROOT,  # gunicorn reads ./gunicorn.conf.py, as on Render
        env=settings,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            # Probes /health, not the /health/live the tests count: a probe that timed out while
            # the workers booted is answered later, and would be counted late.
            if requests.get(url + "/health", timeout=2).status_code in (200, 503):
                return process, url
        except requests.RequestException:  # not listening yet, or still loading the app
            time.sleep(0.2)
    _end(process)
    pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def _end(process: subprocess.Popen) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return process.stderr.read().decode() if process.stderr else ""


def _total(text: str, name: str, **labels) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_add_up_across_gunicorn_worker_processes(app, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"")  # left by an earlier run: wiped at start
    process, url = _gunicorn(
        app, tmp_path, WEB_CONCURRENCY="3", GUNICORN_THREADS="2", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)
    )
    try:
        before = _total(requests.get(url + "/metrics", timeout=10).text, "http_requests_total", route="/health/live")
        for _ in range(60):
            # A new connection each time: SO_REUSEPORT spreads them over the three workers.
            assert requests.get(url + "/health/live", headers={"Connection": "close"}, timeout=10).status_code == 200
        served_by = glob.glob(str(metrics_dir / "counter_*.db"))
        assert len(served_by) >= 2, served_by  # several processes counted requests
        scrape = requests.get(url + "/metrics", timeout=10).text
        assert _total(scrape, "http_requests_total", route="/health/live", status_code="200") == before + 60
        assert _total(scrape, "http_request_duration_seconds_count", route="/health/live") == before + 60

        # A worker that dies is replaced; its counts stay, its live gauges go (child_exit).
        pids = sorted(int(re.search(r"_(\d+)\.db$", p).group(1)) for p in served_by)
        os.kill(pids[0], signal.SIGKILL)
        deadline = time.time() + 20
        while glob.glob(str(metrics_dir / f"gauge_livesum_{pids[0]}.db")) and time.time() < deadline:
            time.sleep(0.2)
        assert not glob.glob(str(metrics_dir / f"gauge_livesum_{pids[0]}.db"))
        scrape = requests.get(url + "/metrics", timeout=10).text
        assert _total(scrape, "http_requests_total", route="/health/live", status_code="200") == before + 60
    finally:
        _end(process)


def test_sigterm_lets_an_in_flight_request_finish(app, tmp_path):
    process, url = _gunicorn(app, tmp_path, "slow_wsgi:app", WEB_CONCURRENCY="1")
    answer: dict = {}

    def slow_request():
        try:
            response = requests.get(url + "/test-slow-request", timeout=30)
            answer["status"], answer["text"] = response.status_code, response.text
        except requests.RequestException as error:
            answer["error"] = repr(error)

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(1.5)  # the request is in flight
    os.killpg(process.pid, signal.SIGTERM)  # what Render sends on a deploy
    thread.join(30)
    process.wait(30)
    assert answer == {"status": 200, "text": "finished"}
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/health/live", timeout=2)  # it stopped accepting


@pytest.mark.redis
def test_two_workers_with_cron_never_both_schedule(app, rq):
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LOG_FORMAT": "text",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "worker.py", "--with-cron", "--no-parse-worker", "--queues", "parse"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.time() + 40
        while rq.connection.get("jobifies:scheduler-lock") is None and time.time() < deadline:
            time.sleep(0.2)
        holder = rq.connection.get("jobifies:scheduler-lock").decode()
        time.sleep(6)  # more than a tick: the other worker has tried to take the lock by now
        assert rq.connection.get("jobifies:scheduler-lock").decode() == holder
        from app.tasks.schedule import SCHEDULE

        # Each periodic job was enqueued once, by one scheduler (the queues are not worked here).
        assert len(rq.queue("low")) == len(SCHEDULE)
        # The holder stops (SIGTERM, as on a deploy): the other takes over within a tick.
        holder_pid = int(holder.rsplit(":", 1)[1])
        holder_process = next(w for w in workers if w.pid == holder_pid)
        holder_process.send_signal(signal.SIGTERM)
        holder_process.wait(30)
        deadline = time.time() + 20
        while (rq.connection.get("jobifies:scheduler-lock") or b"").decode() in ("", holder) and time.time() < deadline:
            time.sleep(0.2)
        other = next(w for w in workers if w.pid != holder_pid)
        assert rq.connection.get("jobifies:scheduler-lock").decode().endswith(f":{other.pid}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
    logs = "".join(w.stderr.read().decode() for w in workers)
    assert logs.count("scheduler lock taken by") == 2  # the first holder, then the other after it left


def test_a_task_pickles_by_its_registered_name():
    # rq.cron hands RQ the Task object itself; the worker must get the registered Task back.
    import pickle

    from app.tasks.emails import sweep_outbox

    assert pickle.loads(pickle.dumps(sweep_outbox)) is sweep_outbox  # noqa: S301  (our own bytes)
