"""The profile completeness meter on the candidate's profile, and the nudge on the apply page."""

import re

import pytest
from factories import login, make_job, make_recruiter, make_user
from resume_samples import text_pdf

from app.extensions import db
from app.services import documents, profiles

FULL = {
    "headline": "Backend engineer",
    "summary": "I build APIs.",
    "location": "Berlin, Germany",
    "skills": "Python, PostgreSQL, Docker",
    "links": "https://github.com/example",
    "experience": [{"title": "Engineer", "company": "Acme", "start": "2019", "end": "2024"}],
    "education": [{"institution": "TU Berlin", "degree": "BSc"}],
}


class Upload:
    def __init__(self, data: bytes, filename: str = "cv.pdf"):
        self.filename, self._data = filename, data

    def read(self) -> bytes:
        return self._data


@pytest.fixture
def candidate(app_ctx):
    return make_user()


def _meter(page: str) -> str:
    return re.search(r'<meter id="completeness-meter"[^>]* value="(\d+)"', page).group(1)


def test_a_new_profile_shows_what_is_missing_with_links_to_each_field(client, candidate):
    login(client, candidate)
    page = client.get("/me/profile").text
    assert _meter(page) == "0"
    assert "Your profile is 0% complete" in page
    missing = re.findall(r'<li><a href="/me/profile#([\w-]+)">', page)
    assert missing == [anchor for _, _, anchor, _ in profiles.COMPLETENESS_ITEMS]
    for anchor in missing:  # every link lands on the field that fills it
        assert f'id="{anchor}"' in page, anchor


def test_a_partly_filled_profile_counts_what_is_there(client, candidate):
    profiles.save_reviewed_profile(candidate, {"headline": "Analyst", "skills": "SQL, Excel"})
    db.session.commit()
    login(client, candidate)
    page = client.get("/me/profile").text
    # headline and "saved" of nine: two skills are not yet "at least 3"
    assert _meter(page) == "22"
    assert '<li><a href="/me/profile#skills">At least 3 skills</a></li>' in page
    assert "<li>A headline</li>" in page
    assert 'href="/me/profile#headline"' not in page


def test_a_complete_profile_is_100_percent_and_gets_no_nudge(client, candidate):
    profile = profiles.save_reviewed_profile(candidate, FULL)
    profile.resume = documents.store_resume(candidate, Upload(text_pdf()))
    db.session.commit()
    job = make_job(make_recruiter("Nudge Co"))
    login(client, candidate)
    page = client.get("/me/profile").text
    assert _meter(page) == "100"
    assert "Everything recruiters look for is there." in page
    assert "profile-nudge" not in client.get(f"/jobs/{job.id}/apply").text


def test_the_apply_page_nudges_an_incomplete_profile(client, candidate):
    profiles.save_reviewed_profile(candidate, {"headline": "Analyst"})
    db.session.commit()
    job = make_job(make_recruiter("Nudge Co"))
    login(client, candidate)
    page = client.get(f"/jobs/{job.id}/apply").text
    assert "Your profile is 22% complete." in page
    assert '<a href="/me/profile#summary">A summary</a>' in page
    assert "Send application" in page  # a nudge, not a gate
