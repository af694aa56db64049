import pytest

from app import create_app
from app.config import ConfigError, load_config, normalize_database_url


def test_development_defaults_need_no_configuration(tmp_path):
    config = load_config({}, instance_path=str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'jobifies.sqlite3'}"
    assert config["REDIS_URL"] is None
    assert config["JOB_EXPIRY_DAYS"] == 30
    assert config["SESSION_COOKIE_SECURE"] is False


def test_production_lists_every_problem_at_once():
    with pytest.raises(ConfigError) as caught:
        load_config({"APP_ENV": "production", "JOB_EXPIRY_DAYS": "soon", "REDIS_URL": "http://nope"})
    message = str(caught.value)
    assert "SECRET_KEY is required" in message
    assert "DATABASE_URL is required" in message
    assert "JOB_EXPIRY_DAYS must be a whole number" in message
    assert "REDIS_URL must be a redis://" in message
    assert "BASE_URL is required in production" in message
    assert len(caught.value.problems) == 5


@pytest.mark.parametrize("secret", ["changeme", "short-but-not-default", "dev"])
def test_production_rejects_a_weak_secret_key(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        load_config({"APP_ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": "postgres://u@h/db"})


def test_render_postgres_urls_are_accepted_and_rewritten_for_psycopg():
    config = load_config(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "BASE_URL": "https://jobs.example.com",
            "DATABASE_URL": "postgres://user:pw@dpg-abc.render.com/jobs",
        }
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user:pw@dpg-abc.render.com/jobs"
    assert normalize_database_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_cookies_are_secure_httponly_and_samesite():
    config = load_config(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "DATABASE_URL": "postgres://u@h/db",
            "BASE_URL": "https://jobs.example.com",
        }
    )
    assert config["SESSION_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_app_env_and_bad_numbers_are_reported():
    with pytest.raises(ConfigError) as caught:
        load_config({"APP_ENV": "staging", "MAX_RESUME_MB": "0"})
    assert any("APP_ENV must be one of" in p for p in caught.value.problems)
    assert any("MAX_RESUME_MB must be at least 1" in p for p in caught.value.problems)


def test_create_app_refuses_to_start_with_bad_production_config():
    with pytest.raises(ConfigError):
        create_app(env={"APP_ENV": "production"})


PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "k" * 48, "DATABASE_URL": "postgres://u@h/db"}


def test_production_trusts_only_the_configured_hosts():
    config = load_config({**PRODUCTION, "BASE_URL": "https://Jobs.Example.com/", "ALLOWED_HOSTS": "www.example.com, ,"})
    assert config["BASE_URL"] == "https://Jobs.Example.com"
    assert config["TRUSTED_HOSTS"] == ["jobs.example.com", "www.example.com"]
    assert config["TRUST_FORWARDED_HOST"] is False


def test_render_external_url_and_hostname_are_used_when_base_url_is_unset():
    config = load_config(
        {
            **PRODUCTION,
            "RENDER_EXTERNAL_URL": "https://jobifies.onrender.com",
            "RENDER_EXTERNAL_HOSTNAME": "jobifies.onrender.com",
        }
    )
    assert config["BASE_URL"] == "https://jobifies.onrender.com"
    assert config["TRUSTED_HOSTS"] == ["jobifies.onrender.com"]


def test_development_accepts_any_host_but_still_builds_links_from_base_url(tmp_path):
    config = load_config({"BASE_URL": "http://127.0.0.1:8123"}, instance_path=str(tmp_path))
    assert config["TRUSTED_HOSTS"] is None
    assert config["BASE_URL"] == "http://127.0.0.1:8123"


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"BASE_URL": "jobs.example.com"}, "BASE_URL must be an http(s):// address"),
        ({"RATE_LIMIT_EMAIL_PER_ADDRESS": "lots"}, "RATE_LIMIT_EMAIL_PER_ADDRESS must be a rate"),
        ({"PARSE_MEMORY_MB": "8"}, "PARSE_MEMORY_MB must be at least 64"),
    ],
)
def test_new_settings_are_validated(env, problem, tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(env, instance_path=str(tmp_path))
    assert any(problem in p for p in caught.value.problems)
