"""Every log line of the test run, written the production way, then searched for the suite's secrets.

A pytest plugin (registered from conftest.py). At the start of the session it adds a handler to the
root logger that writes every record of every logger, at the production level (INFO), through the
production filter and JSON formatter (app/telemetry/logs.py) to one file. At the end it searches that
file for the secrets the suite uses, and if any appears the run fails (exit status 1) with the
secret's name and the first line that holds it; the file is kept for a look.

The secrets searched for:
  - every string constant of the test modules named like a secret (PASSWORD, SECRET, TOKEN, KEY,
    DSN...): the test passwords, the fake providers' API keys and webhook secrets, the session key;
  - the keys the fakes are configured with inline (INLINE_SECRETS);
  - the resume samples (constants named like RESUME): each line of 40 characters or more, as a marker
    of resume text;
  - the shapes of the secrets the app makes at run time: API tokens (jbf_...), JSON web tokens, and
    the one-time links mailed to users (/verify/<token>, /password/reset/<token>, /invitations/<token>,
    /account/restore/<token>), which is what an email body holds that no log line may.

The migrations' logging.config.fileConfig (migrations/env.py) replaces the root logger's handlers and
level, so the handler is put back before each test phase.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

import pytest

from app.telemetry.logs import ContextFilter, JsonLineFormatter

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_?KEY|KEY_SECRET|DSN|CREDENTIAL", re.I)
RESUME_NAME = re.compile(r"RESUME", re.I)
MIN_SECRET = 8
MIN_MARKER_LINE = 40  # whole resume lines, not a job title that a factory may reuse

# Keys the fakes are configured with inline (fakes_payments.py, fakes_openai.py), not as constants.
INLINE_SECRETS = {
    "sk_test_fake": "the fake Stripe secret key",
    "rzp_test_fake": "the fake Razorpay key id",
    "sk-test-key": "the fake OpenAI API key",
}

# What the app generates at run time; a match is a leak whatever its value.
SHAPES = {
    "an API token": re.compile(r"\bjbf_[A-Za-z0-9_-]{20,}"),
    "a JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "a one-time link from an email": re.compile(
        r"/(?:verify|password/reset|invitations|account/restore)/(?!<)[A-Za-z0-9._~%-]{16,}"
    ),
}


def known_secrets(directories: set[Path]) -> dict[str, str]:
    """{secret: where it comes from} from the constants of the test modules loaded from `directories`."""
    found: dict[str, str] = dict(INLINE_SECRETS)
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or Path(path).resolve().parent not in directories:
            continue
        for name, value in list(vars(module).items()):
            if not name.isupper() or not isinstance(value, str):
                continue
            if SECRET_NAME.search(name) and len(value) >= MIN_SECRET:
                found[value] = f"{module.__name__}.{name}"
            elif RESUME_NAME.search(name):
                for line in value.splitlines():
                    if len(line.strip()) >= MIN_MARKER_LINE:
                        found[line.strip()] = f"{module.__name__}.{name} (resume text)"
    return found


class LogCapture:
    def __init__(self, directory: Path) -> None:
        self.directories = {directory.resolve()}
        # LOG_CAPTURE_DIR: where the file goes (the system's temporary directory by default).
        directory = os.environ.get("LOG_CAPTURE_DIR") or None
        handle, self.path = tempfile.mkstemp(prefix="jobifies-test-logs-", suffix=".jsonl", dir=directory)
        os.close(handle)
        self.handler = logging.FileHandler(self.path, encoding="utf-8")
        self.handler.setLevel(logging.INFO)
        self.handler.addFilter(ContextFilter())
        self.handler.setFormatter(JsonLineFormatter())
        self.failure: str | None = None

    def _install(self) -> None:
        root = logging.getLogger()
        if self.handler not in root.handlers:
            root.addHandler(self.handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)

    def pytest_sessionstart(self, session) -> None:
        self._install()

    def pytest_collection_modifyitems(self, items) -> None:
        self.directories |= {Path(item.path).resolve().parent for item in items}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        self._install()
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        self._install()
        yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        self._install()
        yield

    def scan(self) -> list[str]:
        """One message per leaked secret: what it is and the first line that holds it."""
        secrets = known_secrets(self.directories)
        # As written to the file: JSON escapes quotes, backslashes and anything beyond ASCII.
        written = {json.dumps(secret)[1:-1]: origin for secret, origin in secrets.items()}
        literal = (
            re.compile("|".join(re.escape(s) for s in sorted(written, key=len, reverse=True))) if written else None
        )
        leaks: dict[str, str] = {}
        with open(self.path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if literal is not None:
                    for match in literal.finditer(line):
                        leaks.setdefault(written[match.group(0)], f"line {number}: {line.strip()[:300]}")
                for what, shape in SHAPES.items():
                    if shape.search(line):
                        leaks.setdefault(what, f"line {number}: {line.strip()[:300]}")
        return [f"{what} -- {where}" for what, where in leaks.items()]

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus) -> None:
        logging.getLogger().removeHandler(self.handler)
        self.handler.close()
        leaks = self.scan()
        if not leaks:
            os.unlink(self.path)
            return
        self.failure = (
            f"SECRETS IN THE LOGS: {len(leaks)} known secret(s) reached a log line of this run "
            f"(all log lines, as production writes them: {self.path}):\n  " + "\n  ".join(leaks)
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.failure:
            terminalreporter.section("log secrets", sep="=", red=True, bold=True)
            terminalreporter.write_line(self.failure, red=True)


def register(config) -> None:
    """From conftest.py's pytest_configure; `-p no:jobifies-log-capture` turns it off."""
    if not config.pluginmanager.has_plugin("jobifies-log-capture"):
        config.pluginmanager.register(LogCapture(Path(__file__).parent), "jobifies-log-capture")


def pytest_configure(config) -> None:
    """When loaded with `-p log_capture` rather than from conftest.py (tests/test_ops_log_secrets.py)."""
    register(config)
