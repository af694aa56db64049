from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .base import TimestampMixin, UTCDateTime
from .states import Role, one_of


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default=Role.CANDIDATE)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the login session's id (get_id): raising it ends every session and remember-me
    # cookie of the account at their next request (a password reset, a change, "log out everywhere").
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    membership = relationship("Membership", back_populates="user", uselist=False, lazy="joined")

    def get_id(self) -> str:
        """Flask-Login's "alternative id": the session and the remember cookie carry it."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        # scrypt: memory-hard and salted; the cost is stored in each hash, so it can be raised later.
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return self.has_password and check_password_hash(self.password_hash, password)

    # An account made through a sign-in provider has no password: its hash is "!" and random
    # characters, which no password can match (Werkzeug hashes always hold a "$"), and which still
    # gives the reset link's single-use fingerprint something unique to bind.
    def set_unusable_password(self) -> None:
        self.password_hash = "!" + secrets.token_urlsafe(24)

    @property
    def has_password(self) -> bool:
        return not (self.password_hash or "!").startswith("!")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return bool(self.active)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_recruiter(self) -> bool:
        return self.membership is not None

    @property
    def company(self):
        return self.membership.company if self.membership else None

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]
