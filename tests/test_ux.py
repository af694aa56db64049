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
    assert serve
    assert "BASE_URL=http://127.0.0.1:8123" in serve[0]
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


# --- Defect 7: every htmx action shows progress and cannot be sent twice ------------------------------


ACTION_TAG = r"<(form|button|a|div|section|textarea)\b[^>]*?\bhx-(post|get|put|delete|patch)=[^>]*>"


def _htmx_actions():
    """(template, tag) for every element that sends a request when the user acts on it: hx-post/-get
    etc. without an automatic trigger (polls every Ns and the live preview are not user actions)."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(ACTION_TAG, text, re.S):
            tag = match.group(0)
            if "every " in tag or "'hx-trigger'" in text[match.start() - 200 : match.end()]:
                continue
            found.append((path.relative_to(TEMPLATES).as_posix(), tag))
    return found


def test_every_htmx_action_has_an_indicator_and_disables_its_button():
    actions = _htmx_actions()
    assert len(actions) >= 9  # the walk finds them (save, notes, moves, withdraw, upload, retry, sync, search)
    missing = [(name, tag) for name, tag in actions if "hx-indicator=" not in tag or "hx-disabled-elt=" not in tag]
    # The live search is the one exception for hx-disabled-elt: typing must never be blocked.
    missing = [
        (name, tag[:150]) for name, tag in missing if not (name == "public/jobs.html" and "hx-indicator=" in tag)
    ]
    assert missing == []


def test_the_script_disables_plain_forms_on_submit():
    script = (ROOT / "app" / "static" / "js" / "app.js").read_text()
    assert 'document.addEventListener("submit"' in script
    assert "setBusy(form, true)" in script
