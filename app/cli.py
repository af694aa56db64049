"""Command-line tools: `flask create-admin`, `flask seed-demo`, `flask jobs expire`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db


def register_cli(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", help="Password for a new account (default: a random one, printed once).")
    def create_admin(email: str, password: str | None):
        """Make EMAIL an admin (creating the account if it does not exist)."""
        from .services.accounts import create_admin as make_admin
        from .errors import ValidationError
        try:
            user, generated = make_admin(email, password)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"{user.email} is now an admin.")
        if generated:
            click.echo(f"Generated password (shown once): {generated}")

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Seed even if the database already has users.")
    def seed_demo(force: bool):
        """Fill an empty database with demo companies, jobs and users."""
        from .seed import seed_demo_data
        created = seed_demo_data(force=force)
        click.echo("Demo data created." if created else "Database not empty: demo data skipped.")

    jobs_cli = AppGroup("jobs", help="Job maintenance.")

    @jobs_cli.command("expire")
    def expire():
        """Mark published jobs past their expiry date as expired."""
        from .services.jobs import expire_due_jobs
        count = expire_due_jobs()
        db.session.commit()
        click.echo(f"{count} job(s) expired.")

    app.cli.add_command(jobs_cli)
