"""Deployment files: render.yaml against the Blueprint schema and the app's production settings,
the Prometheus alert rules under promtool, the CI workflow."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from app.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((Path(__file__).parent / "render_blueprint.schema.json").read_text())
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _blueprint() -> dict:
    return yaml.safe_load((ROOT / "render.yaml").read_text())


def test_render_yaml_follows_the_blueprint_specification():
    blueprint = _blueprint()
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    jsonschema.validate(blueprint, SCHEMA)
    # The schema bites: a plan, an env var form and a key Render does not know are refused.
    for breakage in (
        lambda b: b["services"][0].update(plan="tiny"),
        lambda b: b["services"][0]["envVars"].append({"key": "X", "value": "1", "sync": False}),
        lambda b: b["services"][1].update(healthCheckPath="/health"),
        lambda b: b["services"][0].update(healthcheckPath="/health"),
        lambda b: b["databases"][0].update(plan="basic-512mb"),
        # Each kind of service takes its own fields only (Render's per-type definitions).
        lambda b: b["services"][0].update(schedule="0 * * * *"),
        lambda b: b["services"][2].update(startCommand="redis-server"),
        lambda b: b["services"][2].update(persistenceMode="always"),
        lambda b: b["services"][1].pop("runtime"),
        lambda b: b["services"][2]["ipAllowList"].append({"description": "the office"}),
        lambda b: b["databases"][0].update(postgresMajorVersion="9"),
        lambda b: b.update(version="2"),
        lambda b: b.update(previews={"generation": "sometimes"}),
    ):
        broken = copy.deepcopy(blueprint)
        breakage(broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)
    # ...and what Render accepts, the schema accepts: autoscaling and domains on the web service, a
    # static site next to it.
    grown = copy.deepcopy(blueprint)
    grown["services"][0].update(domains=["jobs.example.com"], scaling={"minInstances": 1, "maxInstances": 3})
    grown["services"].append({"type": "web", "name": "docs", "runtime": "static", "staticPublishPath": "site"})
    jsonschema.validate(grown, SCHEMA)


def _service_env(blueprint: dict, service: dict) -> dict:
    """The environment Render gives a service: its group's values, a generated value for
    generateValue, what the deployer types in for sync: false (BASE_URL here), and the database and
    Key Value connection strings."""
    groups = {group["name"]: group["envVars"] for group in blueprint.get("envVarGroups", [])}
    entries = []
    for item in service.get("envVars", []):
        entries += groups[item["fromGroup"]] if "fromGroup" in item else [item]
    typed_in = {"BASE_URL": "https://jobs.example.com"}
    env = {}
    for item in entries:
        key = item["key"]
        if "value" in item:
            env[key] = item["value"]
        elif item.get("generateValue"):
            env[key] = "g" * 64
        elif "fromDatabase" in item:
            env[key] = "postgres://user:pw@db.internal:5432/jobifies"
        elif "fromService" in item:
            env[key] = "redis://kv.internal:6379"
        elif key in typed_in:
            env[key] = typed_in[key]
    return env


def test_render_yaml_sets_everything_the_app_requires_in_production(tmp_path):
    blueprint = _blueprint()
    services = {s["name"]: s for s in blueprint["services"]}
    assert services["jobifies-web"]["healthCheckPath"] == "/health"
    assert services["jobifies-worker"]["startCommand"] == "python worker.py --with-cron"
    for name in ("jobifies-web", "jobifies-worker"):
        env = _service_env(blueprint, services[name])
        config = load_config(env, instance_path=str(tmp_path))  # raises ConfigError on any problem
        assert config["APP_ENV"] == "production"
        assert config["LOG_FORMAT"] == "json"
        assert config["METRICS_TOKEN"]  # /metrics is closed in production without one
        assert config["REDIS_URL"]
        # Each setting production requires is there: without it, start-up stops.
        for required in ("SECRET_KEY", "DATABASE_URL", "BASE_URL"):
            with pytest.raises(ConfigError):
                load_config({k: v for k, v in env.items() if k != required}, instance_path=str(tmp_path))


def test_render_yaml_names_the_cheap_layout():
    blueprint = _blueprint()
    types = sorted(s["type"] for s in blueprint["services"])
    assert types == ["keyvalue", "web", "worker"]  # the scheduler runs inside the worker
    kv = next(s for s in blueprint["services"] if s["type"] == "keyvalue")
    assert kv["plan"] == "free"
    assert kv["maxmemoryPolicy"] == "noeviction"


def _promtool() -> str | None:
    found = shutil.which("promtool")
    if found is None and REQUIRE_SERVICES:
        pytest.fail("REQUIRE_SERVICES=1 but promtool is missing (Debian package: prometheus)")
    if found is None:
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return found


def test_alert_rules_pass_promtool_check_and_their_unit_tests():
    promtool = _promtool()
    rules = ROOT / "deploy" / "prometheus"
    checked = subprocess.run(
        [promtool, "check", "rules", "alerts.yml"], cwd=rules, capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [promtool, "test", "rules", "alerts_test.yml"], cwd=rules, capture_output=True, text=True, timeout=60
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    names = {
        rule["alert"]
        for group in yaml.safe_load((rules / "alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    }
    assert names == {
        "HighErrorRate",
        "SlowResponses",
        "DatabasePoolNearlyExhausted",
        "LowCacheHitRate",
        "QueueBacklog",
        "WorkerHeartbeatMissing",
        "SchedulerHeartbeatMissing",
        "WebhookFailures",
    }


def test_ci_workflow_runs_ci_run_with_postgres_and_redis():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    job = workflow["jobs"]["test"]
    assert {"postgres", "redis"} <= set(job["services"])
    assert any(step.get("run", "").strip() == ".ci/run" for step in job["steps"])
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "test: lint" in makefile  # lint (ruff check, ruff format --check) runs before the suite
    assert "check: test" in makefile
