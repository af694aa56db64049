"""The demo board `make run` seeds shows the product off: logos, varied jobs, a full pipeline."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, ApplicationNote, CandidateProfile, Company, Job, User
from app.models.states import ApplicationStatus
from app.seed import DEMO_LOGINS, seed_demo_data
from app.services.documents import sniff_image_type


def test_the_demo_board_has_ten_companies_with_logos_and_about_sixty_varied_jobs(app_ctx):
    created, _ = seed_demo_data()
    assert created
    companies = db.session.scalars(select(Company)).all()
    assert len(companies) == 10
    for company in companies:  # a real PNG each, as an upload would be checked
        assert company.logo is not None
        assert sniff_image_type(company.logo.data) == "image/png"
    assert len({c.logo.sha256 for c in companies}) == 10

    jobs = db.session.scalars(select(Job)).all()
    assert 55 <= len(jobs) <= 65
    published = [j for j in jobs if j.status == "published"]
    assert len({j.salary_currency for j in published}) >= 5
    assert len({j.location for j in published if j.workplace == "remote"}) >= 5  # remote regions
    remote = [j for j in published if j.workplace == "remote"]
    assert len({j.remote_region for j in remote}) >= 5
    # Spelled several ways, filed as one place: "Remote (EU)", "Remote (Europe)", "Remote – European Union".
    europe = {j.location for j in remote if j.remote_region == "Europe"}
    assert len(europe) >= 2
    assert {j.location_key for j in remote if j.location in europe} == {"remote (europe)"}
    assert len({j.country for j in published if j.country}) >= 8
    assert {j.workplace for j in published} == {"onsite", "hybrid", "remote"}
    assert {j.status for j in jobs} == {"published", "closed", "expired"}
    assert any(j.featured_until is not None for j in published)
    newest = sorted(published, key=lambda j: j.published_at, reverse=True)[:10]
    assert len({j.company_id for j in newest}) == 10  # the first page mixes every company


def test_the_demo_recruiter_sees_candidates_with_profiles_at_every_stage_and_notes(app_ctx):
    seed_demo_data()
    recruiter = db.session.scalar(select(User).where(User.email == DEMO_LOGINS["recruiter"]))
    applications = db.session.scalars(select(Application)).all()
    assert {a.job.company_id for a in applications} == {recruiter.company.id}
    assert {a.status for a in applications} == set(ApplicationStatus)
    for application in applications:
        assert application.events[-1].to_status == application.status  # the timeline ends where it is
        assert application.match_score is not None
        owner = CandidateProfile.user_id == application.candidate_id
        profile = db.session.scalar(select(CandidateProfile).where(owner))
        assert profile is not None
        assert profile.reviewed_at is not None
        assert profile.experience
    assert db.session.scalar(select(func.count(ApplicationNote.id))) >= 4
    names = {a.candidate.name for a in applications}
    assert {"Łukasz Nowak", "Nguyễn Thị Minh Anh"} <= names


def test_seeding_twice_changes_nothing(app_ctx):
    assert seed_demo_data()[0]
    assert seed_demo_data() == (False, "")
    assert db.session.scalar(select(func.count(Company.id))) == 10
