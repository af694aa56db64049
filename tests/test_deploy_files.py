"""The deployment files describe processes that exist."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_procfile_names_web_worker_scheduler_and_release():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["web"].strip() == "gunicorn wsgi:app"
    assert lines["worker"].strip() == "python worker.py"
    assert lines["scheduler"].strip() == "python worker.py --cron"
    assert "db upgrade" in lines["release"]


def test_render_blueprint_wires_every_service(client):
    blueprint = yaml.safe_load((ROOT / "render.yaml").read_text())
    services = {s["name"]: s for s in blueprint["services"]}
    web = services["jobifies-web"]
    assert web["preDeployCommand"] == "flask --app wsgi db upgrade"
    assert client.get(web["healthCheckPath"]).status_code in (200, 503)  # /health (tests/test_ops.py)
    # The worker also runs the scheduler, under a lock (tests/test_ops_processes.py).
    assert services["jobifies-worker"]["startCommand"] == "python worker.py --with-cron"
    for name in ("jobifies-web", "jobifies-worker"):
        keys = {v.get("key") for v in services[name]["envVars"]}
        assert {"DATABASE_URL", "REDIS_URL"} <= keys
        assert {"fromGroup": "jobifies-shared"} in services[name]["envVars"]
    shared = {v["key"]: v for v in blueprint["envVarGroups"][0]["envVars"]}
    assert shared["APP_ENV"]["value"] == "production"
    assert shared["SECRET_KEY"]["generateValue"] is True
    assert services["jobifies-kv"]["maxmemoryPolicy"] == "noeviction"
    assert blueprint["databases"][0]["name"] == "jobifies-db"


def test_periodic_jobs_cli_runs_each_scheduled_task(runner, app_ctx):
    from app.tasks.schedule import SCHEDULE

    result = runner.invoke(args=["tasks", "run-periodic"])
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.output.splitlines()] == [t.name for t, _, _ in SCHEDULE]


def test_worker_refuses_to_start_without_redis(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert result.returncode == 2
    assert b"REDIS_URL is not set" in result.stderr


def test_a_bare_gunicorn_command_uses_the_project_settings():
    # Procfile and render.yaml run `gunicorn wsgi:app`; gunicorn.conf.py supplies the rest.
    env = {**os.environ, "PORT": "5999", "WEB_CONCURRENCY": "3"}
    for name in ("GUNICORN_CMD_ARGS", "GUNICORN_THREADS"):
        env.pop(name, None)
    printed = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--print-config", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    settings = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
    settings = {key.strip(): value.strip() for key, value in settings.items()}
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == "8"
    assert settings["workers"] == "3"
    assert settings["bind"] == "['0.0.0.0:5999']"
