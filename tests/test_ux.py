"""Issue 13, UX defects: each test here failed on main before its fix (break-and-watch)."""

import re
import subprocess
from pathlib import Path

import pytest
from conftest import hx
from factories import login, make_application, make_job, make_recruiter, make_user

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "app" / "templates"


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme")


# --- Defect 4: make run PORT=… points email links at that port ---------------------------------------


def test_make_run_with_a_port_sets_base_url_to_match():
    out = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = [line for line in out.splitlines() if " run --host" in line]
    assert serve and "BASE_URL=http://127.0.0.1:8123" in serve[0]
    assert "--port 8123" in serve[0]


def test_readme_separates_make_port_from_gunicorn_port():
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=" in readme
    assert "gunicorn reads its own `PORT`" in readme


# --- Defect 5: a stage move swaps the timeline and its note too ---------------------------------------


def test_a_stage_move_on_the_application_page_also_swaps_the_timeline(client, owner):
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    response = client.post(
        f"/recruiter/applications/{application.id}/move",
        data={"status": "interview", "note": "Strong portfolio"},
        headers=hx("application-stage"),
    )
    assert response.status_code == 200
    timeline = response.text.split('<section id="timeline"', 1)[1].split("</section>", 1)[0]
    assert 'hx-swap-oob="true"' in timeline
    assert "Applied → Interview" in timeline
    assert "Strong portfolio" in timeline
    # The full page has the same element, so the out-of-band swap finds its target.
    assert '<section id="timeline"' in client.get(f"/recruiter/applications/{application.id}").text
