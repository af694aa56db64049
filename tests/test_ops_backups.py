"""The README's restore procedure: back up, wipe, restore, and the data is back."""

from __future__ import annotations

from factories import make_user
from sqlalchemy import select, text

from app.extensions import db
from app.models import User


def test_backup_wipe_restore_brings_the_data_back(app, runner, tmp_path):
    with app.app_context():
        make_user(email="kept@example.com")
        db.session.commit()
    path = str(tmp_path / "jobifies.backup")
    result = runner.invoke(args=["db", "backup", path])
    assert result.exit_code == 0, result.output

    with app.app_context():
        db.session.execute(text("DELETE FROM users WHERE email = 'kept@example.com'"))
        db.session.commit()
        assert db.session.scalar(select(User).where(User.email == "kept@example.com")) is None

    result = runner.invoke(args=["db", "restore", path, "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.email == "kept@example.com")) == "kept@example.com"


def test_restore_asks_first(app, runner, tmp_path):
    result = runner.invoke(args=["db", "restore", str(tmp_path / "none.backup")], input="n\n")
    assert result.exit_code != 0
    assert "replaces every table" in result.output
