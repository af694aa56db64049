"""Command-line tools: `flask create-admin`, `flask seed-demo`, `flask jobs expire`."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate.cli import db as db_cli

from .errors import ValidationError
from .extensions import db
from .search import get_backend
from .seed import seed_demo_data
from .services import ats, backups
from .services.accounts import create_admin as make_admin
from .services.credentials import CredentialsUnreadable
from .services.jobs import expire_due_jobs
from .tasks.embedded import run_due


def register_cli(app: Flask) -> None:
    _register_backup_commands()

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--password", help="Password for a new account (default: a random one, printed once).")
    def create_admin(email: str, password: str | None):
        """Make EMAIL an admin (creating the account if it does not exist)."""
        try:
            user, generated = make_admin(email, password)
        except ValidationError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"{user.email} is now an admin.")
        if generated:
            click.echo(f"Generated password (shown once): {generated}")

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Seed even if the database already has users, or in production.")
    def seed_demo(force: bool):
        """Fill an empty database with demo companies, jobs and users."""
        production = app.config["APP_ENV"] == "production"
        if production and not force:
            raise click.ClickException(
                "APP_ENV is production: seed-demo would add demo users and jobs to a live "
                "board. Pass --force if you really want that."
            )
        created, password = seed_demo_data(force=force, random_password=production)
        if not created:
            click.echo("Database not empty: demo data skipped.")
        elif production:
            click.echo(f"Demo data created. The demo accounts' password (shown once): {password}")
        else:
            click.echo("Demo data created.")

    jobs_cli = AppGroup("jobs", help="Job maintenance.")

    @jobs_cli.command("expire")
    def expire():
        """Mark published jobs past their expiry date as expired."""
        count = expire_due_jobs()
        db.session.commit()
        click.echo(f"{count} job(s) expired.")

    app.cli.add_command(jobs_cli)
    register_task_cli(app)
    register_ats_cli(app)

    search_cli = AppGroup("search", help="Job search (the backend SEARCH_BACKEND names).")

    @search_cli.command("reindex")
    def search_reindex():
        """Rebuild the search data from the database (searches keep working meanwhile)."""
        # Imported when the command runs, as in the other commands: registering the CLI stays cheap.

        from flask import current_app

        backend = get_backend(current_app._get_current_object())
        started = time.monotonic()
        click.echo("Rebuilding the search index from the database...")

        def progress(done: int, total: int) -> None:
            if done % 1000 == 0 or done == total:
                rate = done / max(time.monotonic() - started, 1e-6)
                click.echo(f"  {done:,}/{total:,} jobs indexed ({rate:,.0f}/s)")

        report = backend.rebuild(progress=progress)
        follow = report.details.get("catch_up")
        # The follow-up catch-up re-reads everything changed within its overlap window, not only
        # what changed during the rebuild; say what it did without claiming more.
        extra = (
            f"; {follow.updated + follow.deleted} recently changed job(s) re-checked" if follow and follow.wrote else ""
        )
        click.echo(f"Done: {report.updated:,} jobs in {report.seconds:.1f} s{extra}.")

    @search_cli.command("status")
    def search_status():
        """Which backend searches, whether it is ready, how many jobs it finds; exit 1 unless ready."""
        from flask import current_app

        status = get_backend(current_app._get_current_object()).status()
        click.echo(f"Backend:    {status.backend}")
        for name, value in status.facts.items():
            click.echo(f"{name + ':':<11} {value}")
        click.echo(f"State:      {status.state}{' (rebuilding)' if status.rebuilding else ''}")
        if status.detail:
            click.echo(f"Detail:     {status.detail}")
        if status.documents is not None:
            click.echo(f"Jobs:       {status.documents:,}")
        if status.state != "ready":
            raise SystemExit(1)

    app.cli.add_command(search_cli)


def register_task_cli(app: Flask) -> None:
    tasks_cli = AppGroup("tasks", help="Background work.")

    @tasks_cli.command("run-periodic")
    def run_periodic():
        """Run every periodic job once, now (sweepers, expiry, alert digests)."""
        for name in run_due(app, {}, float("inf")):
            click.echo(f"ran {name}")

    app.cli.add_command(tasks_cli)


def register_ats_cli(app: Flask) -> None:
    ats_cli = AppGroup("ats", help="ATS integrations.")

    @ats_cli.command("rotate-key")
    def rotate_key():
        """Re-encrypt every stored ATS credential with the newest ENCRYPTION_KEY (the first one).

        Rotation: put the new key first in ENCRYPTION_KEY (new,old), deploy, run this, then drop the
        old key. All or nothing: if any row cannot be read, nothing is changed.
        """
        if not app.config.get("ENCRYPTION_KEYS"):
            raise click.ClickException("ENCRYPTION_KEY is not set.")
        try:
            count = ats.rotate_credentials()
        except CredentialsUnreadable as error:
            db.session.rollback()
            raise click.ClickException(f"{error} Nothing was changed.") from None
        db.session.commit()
        click.echo(f"Re-encrypted the credentials of {count} ATS connection(s) with the newest key.")

    app.cli.add_command(ats_cli)


def _register_backup_commands() -> None:
    """`flask db backup FILE` and `flask db restore FILE`, next to Flask-Migrate's `db upgrade`."""

    if "backup" in db_cli.commands:
        return

    @db_cli.command("backup")
    @click.argument("path")
    def backup_command(path):
        """Write the whole database to PATH (PostgreSQL: pg_dump custom format; SQLite: a copy)."""
        try:
            backups.backup(path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backed up to {path}")

    @db_cli.command("restore")
    @click.argument("path")
    @click.option("--yes", is_flag=True, help="do not ask: every table is replaced by the backup's")
    def restore_command(path, yes):
        """Replace every table with the backup in PATH (in one transaction)."""
        if not yes:
            click.confirm("This replaces every table with the backup's. Continue?", abort=True)
        try:
            backups.restore(path)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored from {path}")
