"""Issue 14 A: moderation with reasons, reports, confirmed admin actions, account data controls, retention."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from conftest import app_config
from factories import PASSWORD, emailed_link, login, make_application, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import (
    AuditLog,
    CandidateProfile,
    DataExport,
    Document,
    EmailMessage,
    Invitation,
    Job,
    JobReport,
    Membership,
    Moderation,
    User,
    utcnow,
)
from app.services import companies, emails, privacy, retention


@pytest.fixture
def admin(app_ctx):
    return make_user("admin@example.com", role="admin")


def _pdf(owner):
    return Document(
        owner_id=owner.id, filename="cv.pdf", content_type="application/pdf", size=3, sha256="x", data=b"PDF"
    )


def _emails(template):
    db.session.expire_all()
    return db.session.scalars(db.select(EmailMessage).where(EmailMessage.template == template)).all()


def test_taken_down_job_shows_its_reason_and_cannot_be_reopened_until_approved(client, admin):
    owner = make_recruiter("Shady Co")
    job = make_job(owner, title="Too Good To Be True")
    login(client, admin)
    assert "Please confirm" in client.get(f"/admin/jobs/{job.id}/unpublish").text
    # "Other" needs words; nothing happens without them.
    assert client.post(f"/admin/jobs/{job.id}/unpublish", data={"reason": "other"}).status_code == 422
    db.session.refresh(job)
    assert job.status == "published"
    response = client.post(
        f"/admin/jobs/{job.id}/unpublish", data={"reason": "misleading", "note": "The salary is not real."}
    )
    assert response.status_code == 302
    db.session.refresh(job)
    assert job.status == "closed"
    entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "job.unpublished"))
    assert entry.details["reason"] == "misleading"
    assert entry.details["note"] == "The salary is not real."
    [mail] = _emails("job_moderated")
    assert mail.to_address == owner.email
    assert "The salary is not real." in mail.text_body

    client.post("/logout")
    login(client, owner)
    dashboard = client.get("/recruiter/").text
    assert "Taken down by a moderator: Misleading." in dashboard
    assert "The salary is not real." in dashboard
    assert "Reopen “Too Good To Be True”" not in dashboard
    # Issue 13 defect 14: the recruiter's reopen of a job an admin closed is refused.
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    db.session.refresh(job)
    assert job.status == "closed"
    assert "cannot be reopened" in client.get("/recruiter/").text
    client.post(f"/recruiter/jobs/{job.id}/ask-for-review")
    case = db.session.scalar(db.select(Moderation))
    db.session.refresh(case)
    assert case.state == "in_review"

    client.post("/logout")
    login(client, admin)
    assert "Too Good To Be True" in client.get("/admin/moderation").text
    assert client.post(f"/admin/moderation/{case.id}/approve", data={"note": "Fixed"}).status_code == 302
    db.session.refresh(job)
    assert job.is_open
    assert db.session.scalar(db.select(AuditLog.action).where(AuditLog.action == "job.approved"))


def test_a_rejected_review_keeps_the_job_down_and_tells_the_recruiter(client, admin):
    owner = make_recruiter()
    job = make_job(owner, title="Dup Role")
    login(client, admin)
    client.post(f"/admin/jobs/{job.id}/unpublish", data={"reason": "duplicate"})
    case = db.session.scalar(db.select(Moderation))
    assert client.post(f"/admin/moderation/{case.id}/reject", data={"note": "x"}).status_code == 422  # not in review
    client.post("/logout")
    login(client, owner)
    client.post(f"/recruiter/jobs/{job.id}/ask-for-review")
    client.post("/logout")
    login(client, admin)
    assert client.post(f"/admin/moderation/{case.id}/reject", data={"note": "Still a copy of #1"}).status_code == 302
    db.session.refresh(case)
    db.session.refresh(job)
    assert case.state == "moderated"
    assert job.status == "closed"
    assert "Still a copy of #1" in _emails("moderation_rejected")[0].text_body


def test_a_taken_down_company_cannot_publish(client, admin):
    owner = make_recruiter("Spam Inc")
    job = make_job(owner, title="Spam Job")
    login(client, admin)
    client.post(f"/admin/companies/{owner.company.id}/moderate", data={"reason": "spam"})
    db.session.refresh(job)
    assert job.status == "closed"
    client.post("/logout")
    login(client, owner)
    assert "Your company was taken down by a moderator: Spam." in client.get("/recruiter/").text
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    db.session.refresh(job)
    assert job.status == "closed"


def test_a_new_companys_first_job_waits_for_approval(app, client, admin):
    owner = make_recruiter()
    with app_config(app, MODERATE_NEW_COMPANIES=True):
        job = make_job(owner, status="draft", title="First Ever")
        login(client, owner)
        client.post(f"/recruiter/jobs/{job.id}/publish")
        db.session.refresh(job)
        assert job.status == "draft"
        assert "Waiting for approval" in client.get("/recruiter/").text
        client.post("/logout")
        login(client, admin)
        case = db.session.scalar(db.select(Moderation))
        assert "First Ever" in client.get("/admin/moderation").text
        client.post(f"/admin/moderation/{case.id}/approve", data={"note": "Looks fine"})
        db.session.refresh(job)
        assert job.is_open
        # The company is known now: its next job goes live at once.
        second = make_job(owner, title="Second")
        assert second.is_open


def test_without_the_setting_a_first_job_goes_live(app_ctx):
    assert make_job(make_recruiter()).is_open


def test_anyone_reports_a_job_once_and_it_shows_in_the_admin_queue(client, admin):
    job = make_job(make_recruiter(), title="Reported Role")
    page = client.get(f"/jobs/{job.id}/report")
    assert page.status_code == 200
    assert "What is wrong with this job?" in page.text
    assert client.post(f"/jobs/{job.id}/report", data={"reason": "other"}).status_code == 422  # needs details
    assert client.post(f"/jobs/{job.id}/report", data={"reason": "spam"}).status_code == 302
    again = client.post(f"/jobs/{job.id}/report", data={"reason": "spam"}, follow_redirects=True)
    assert "You reported this job already" in again.text
    assert db.session.scalar(db.select(db.func.count(JobReport.id))) == 1
    login(client, admin)
    queue = client.get("/admin/moderation").text
    assert "Reported Role" in queue
    assert "Spam or a scam" in queue
    report = db.session.scalar(db.select(JobReport))
    assert client.post(f"/admin/reports/{report.id}/dismiss", data={"note": "Legit company"}).status_code == 302
    assert "No open reports." in client.get("/admin/moderation").text
    assert db.session.scalar(db.select(AuditLog.details).where(AuditLog.action == "report.dismissed"))["reason"]


def test_reports_are_rate_limited(app, client, app_ctx):
    job = make_job(make_recruiter())
    with app_config(app, RATE_LIMIT_REPORTS="2 per hour"):
        codes = [client.post(f"/jobs/{job.id}/report", data={"reason": "spam"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_reporting_a_draft_is_404(client, app_ctx):
    job = make_job(make_recruiter(), status="draft")
    assert client.post(f"/jobs/{job.id}/report", data={"reason": "spam"}).status_code == 404


def test_name_and_email_choices(client, app_ctx):
    candidate = make_user()
    login(client, candidate)
    assert client.post("/account/name", data={"name": "  Ada   Lovelace "}).status_code == 302
    assert client.post("/account/name", data={"name": ""}).status_code == 422
    db.session.refresh(candidate)
    assert candidate.name == "Ada Lovelace"
    # Turn application updates off: the outbox no longer queues them.
    client.post("/account/email-preferences", data={"job_alerts": "y"})
    assert 'name="application_updates" value="y" checked' not in client.get("/account").text
    application = make_application(make_job(make_recruiter()), candidate)
    emails.stage_changed(application)
    db.session.commit()
    assert _emails("stage_changed") == []
    client.post("/account/email-preferences", data={"application_updates": "y"})
    emails.stage_changed(application)
    db.session.commit()
    assert len(_emails("stage_changed")) == 1


def test_data_export_is_a_zip_only_its_owner_downloads(client, app_ctx):
    candidate = make_user(name="Exporting Person")
    db.session.add(
        Document(
            owner_id=candidate.id, filename="cv.pdf", content_type="application/pdf", size=3, sha256="x", data=b"PDF"
        )
    )
    db.session.add(CandidateProfile(user_id=candidate.id, headline="Data engineer"))
    db.session.commit()
    login(client, candidate)
    response = client.post("/account/export")
    assert response.status_code == 303
    status = client.get(response.headers["Location"])
    assert "Download your data (zip)" in status.text  # built inline (no Redis in this test)
    export = db.session.scalar(db.select(DataExport))
    download = client.get(f"/account/export/{export.id}/download")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["name"] == "Exporting Person"
    assert data["profile"]["headline"] == "Data engineer"
    assert [n for n in archive.namelist() if n.startswith("files/")]
    assert archive.read(archive.namelist()[1]) == b"PDF"
    client.post("/logout")
    login(client, make_user())
    assert client.get(f"/account/export/{export.id}/download").status_code == 404
    assert client.get(f"/account/export/{export.id}").status_code == 404
    client.post("/logout")
    login(client, candidate)
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/account/export/{export.id}/download").status_code == 404


def test_account_deletion_has_a_grace_period_and_an_undo_link(app, client, app_ctx):
    candidate = make_user("leaving@example.com", name="Leaving Person")
    login(client, candidate)
    assert client.post("/account/delete", data={"password": "wrong"}).status_code == 422
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    db.session.refresh(candidate)
    assert candidate.active is False
    assert client.get("/account").status_code == 302  # logged out
    link = emailed_link("leaving@example.com", "account_deletion_scheduled")
    assert "Restore my account" in client.get(link).text
    assert client.post(link).status_code == 302
    db.session.refresh(candidate)
    assert candidate.active is True
    assert client.post(link).status_code == 400  # used
    login(client, candidate)


def test_a_due_deletion_anonymises_applications_and_deletes_files(client, app_ctx):
    candidate = make_user("gone@example.com", name="Gone Person")
    owner = make_recruiter()
    document = Document(
        owner_id=candidate.id, filename="cv.pdf", content_type="application/pdf", size=3, sha256="x", data=b"PDF"
    )
    db.session.add(document)
    db.session.add(CandidateProfile(user_id=candidate.id, headline="Secret"))
    db.session.commit()
    application = make_application(make_job(owner), candidate)
    application.resume_id = document.id
    db.session.commit()
    privacy.request_deletion(candidate, PASSWORD)
    db.session.commit()
    assert privacy.complete_deletion(candidate.id) is False  # not due yet
    later = utcnow() + timedelta(days=15)
    assert privacy.complete_deletion(candidate.id, now=later) is True
    db.session.commit()
    db.session.expire_all()
    user = db.session.get(User, candidate.id)
    assert user.email.endswith("@deleted.invalid")
    assert user.name == "Deleted user"
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    assert db.session.scalar(db.select(db.func.count(CandidateProfile.id))) == 0
    db.session.refresh(application)
    assert application.resume_id is None
    assert application.cover_letter == ""
    login(client, owner)
    page = client.get(f"/recruiter/applications/{application.id}").text
    assert "Deleted user" in page
    assert "gone@example.com" not in page


def _colleague(owner, email: str) -> User:
    user = make_user(email, name=email.split("@")[0].title(), role="recruiter")
    db.session.add(Membership(company_id=owner.company.id, user_id=user.id, role="recruiter"))
    db.session.commit()
    return user


def _roles(company_id: int) -> dict[str, str]:
    db.session.expire_all()
    members = db.session.scalars(db.select(Membership).where(Membership.company_id == company_id))
    return {m.user.email: m.role for m in members}


def test_an_owner_with_colleagues_hands_the_company_over_before_deleting_their_account(client, app_ctx):
    owner = make_recruiter("Acme", email="boss@example.com")
    company_id = owner.company.id
    colleague = _colleague(owner, "pat@example.com")
    login(client, owner)
    page = client.get("/account/delete").text
    assert "You own Acme. Make a colleague its owner on the Team page first" in page
    assert 'name="password"' not in page  # nothing to confirm: it would be refused
    refused = client.post("/account/delete", data={"password": PASSWORD})
    assert refused.status_code == 422
    assert "Make a colleague its owner" in refused.text
    db.session.refresh(owner)
    assert owner.active is True
    assert privacy.pending_deletion(owner) is None

    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == colleague.id))
    assert "Make Pat the owner" in client.get("/recruiter/team").text
    moved = client.post(f"/recruiter/team/members/{membership.id}/make-owner")
    assert moved.status_code == 302
    assert _roles(company_id) == {"boss@example.com": "recruiter", "pat@example.com": "owner"}
    [mail] = _emails("ownership_transferred")
    assert (mail.to_address, mail.subject) == ("pat@example.com", "You now own Acme on Jobifies")
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302  # now it may go


def test_only_the_owner_hands_the_company_over(client, app_ctx):
    owner = make_recruiter("Acme")
    colleague = _colleague(owner, "pat@example.com")
    other = _colleague(owner, "sam@example.com")
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == other.id))
    login(client, colleague)
    assert client.post(f"/recruiter/team/members/{membership.id}/make-owner").status_code == 403
    assert _roles(owner.company.id)["sam@example.com"] == "recruiter"


def test_a_sole_owners_deletion_closes_the_companys_jobs_and_a_late_joiner_inherits_it(client, app_ctx):
    owner = make_recruiter("Solo Ltd", email="solo@example.com")
    company_id = owner.company.id
    job = make_job(owner, title="Open Role")
    privacy.request_deletion(owner, PASSWORD)  # no colleague: allowed
    db.session.commit()
    assert privacy.complete_deletion(owner.id, now=utcnow() + timedelta(days=15)) is True
    db.session.commit()
    assert db.session.get(Job, job.id).status == "closed"  # nobody is left to read its applications

    # An owner whose invitation was accepted during the grace period: the colleague inherits the company.
    owner = make_recruiter("Busy Co", email="busy@example.com")
    company_id = owner.company.id
    companies.invite_member(owner, "late@example.com")
    privacy.request_deletion(owner, PASSWORD)
    db.session.commit()
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.company_id == company_id))
    _colleague(owner, "early@example.com")
    _colleague(owner, "later@example.com")
    assert privacy.complete_deletion(owner.id, now=utcnow() + timedelta(days=15)) is True
    db.session.commit()
    assert _roles(company_id) == {"early@example.com": "owner", "later@example.com": "recruiter"}
    assert [m.to_address for m in _emails("ownership_transferred")] == ["early@example.com"]
    db.session.refresh(invitation)
    assert invitation.revoked_at is not None  # the leaver's invitations are withdrawn


def test_retention_warns_then_purges_inactive_candidates(app, app_ctx):
    old = utcnow() - timedelta(days=400)
    sleeper = make_user("sleeper@example.com", last_login_at=old)
    active = make_user("active@example.com", last_login_at=utcnow())
    for user in (sleeper, active):
        db.session.add(CandidateProfile(user_id=user.id, headline="Me"))
    db.session.commit()
    assert retention.sweep() == (0, 0)  # off by default
    with app_config(app, RETENTION_DAYS=365, RETENTION_WARNING_DAYS=14):
        assert retention.sweep() == (1, 0)
        db.session.commit()
        assert [m.to_address for m in _emails("retention_warning")] == ["sleeper@example.com"]
        assert retention.sweep() == (0, 0)  # warned once; not purged before the warning period is over
        assert retention.sweep(now=utcnow() + timedelta(days=15)) == (0, 1)
        db.session.commit()
    owners = db.session.scalars(db.select(CandidateProfile.user_id)).all()
    assert owners == [active.id]


def test_a_login_after_the_warning_keeps_the_data(app, app_ctx):
    sleeper = make_user("back@example.com", last_login_at=utcnow() - timedelta(days=400))
    db.session.add(CandidateProfile(user_id=sleeper.id, headline="Me"))
    db.session.commit()
    with app_config(app, RETENTION_DAYS=365, RETENTION_WARNING_DAYS=14):
        retention.sweep()
        sleeper.last_login_at = utcnow()
        db.session.commit()
        assert retention.sweep(now=utcnow() + timedelta(days=15)) == (0, 0)
    assert db.session.scalar(db.select(db.func.count(CandidateProfile.id))) == 1
