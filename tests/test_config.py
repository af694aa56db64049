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
    assert len(caught.value.problems) == 4


@pytest.mark.parametrize("secret", ["changeme", "short-but-not-default", "dev"])
def test_production_rejects_a_weak_secret_key(secret):
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        load_config({"APP_ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": "postgres://u@h/db"})


def test_render_postgres_urls_are_accepted_and_rewritten_for_psycopg():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "k" * 48,
                          "DATABASE_URL": "postgres://user:pw@dpg-abc.render.com/jobs"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user:pw@dpg-abc.render.com/jobs"
    assert normalize_database_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_cookies_are_secure_httponly_and_samesite():
    config = load_config({"APP_ENV": "production", "SECRET_KEY": "k" * 48, "DATABASE_URL": "postgres://u@h/db"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_app_env_and_bad_numbers_are_reported():
    with pytest.raises(ConfigError) as caught:
        load_config({"APP_ENV": "staging", "MAX_RESUME_MB": "0"})
    assert any("APP_ENV must be one of" in p for p in caught.value.problems)
    assert any("MAX_RESUME_MB must be at least 1" in p for p in caught.value.problems)


def test_create_app_refuses_to_start_with_bad_production_config():
    with pytest.raises(ConfigError):
        create_app(env={"APP_ENV": "production"})
