import pytest
from factories import PASSWORD, login, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import AuditLog, User


def test_create_admin_command_makes_a_new_admin(runner, app_ctx):
    result = runner.invoke(args=["create-admin", "Boss@Example.com"])
    assert result.exit_code == 0
    assert "boss@example.com is now an admin." in result.output
    assert "Generated password (shown once):" in result.output
    user = db.session.scalar(db.select(User).where(User.email == "boss@example.com"))
    assert user.role == "admin"


def test_create_admin_promotes_an_existing_user(runner, app_ctx):
    make_user("promote@example.com")
    result = runner.invoke(args=["create-admin", "promote@example.com"])
    assert result.exit_code == 0
    assert "Generated password" not in result.output
    assert db.session.scalar(db.select(User.role).where(User.email == "promote@example.com")) == "admin"


@pytest.fixture
def admin(app_ctx):
    return make_user("admin@example.com", role="admin")


def test_admin_lists_users_companies_and_jobs(client, admin):
    owner = make_recruiter("Moderated Co")
    make_job(owner, title="Listed Role")
    login(client, admin)
    assert owner.email in client.get("/admin/users").text
    assert "Moderated Co" in client.get("/admin/companies").text
    assert "Listed Role" in client.get("/admin/jobs").text
    assert "open jobs" in client.get("/admin/").text


def test_admin_deactivates_a_user_who_can_no_longer_log_in(client, admin):
    victim = make_user("spammer@example.com")
    login(client, admin)
    # The button leads to a confirmation step; without a reason nothing happens.
    page = client.get(f"/admin/users/{victim.id}/deactivate")
    assert page.status_code == 200
    assert "Please confirm" in page.text
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 422
    db.session.refresh(victim)
    assert victim.active is True
    assert client.post(f"/admin/users/{victim.id}/deactivate", data={"note": "Posts spam"}).status_code == 302
    db.session.refresh(victim)
    assert victim.active is False
    entry = db.session.scalar(db.select(AuditLog))
    assert (entry.action, entry.details["reason"]) == ("user.deactivated", "Posts spam")
    client.post("/logout")
    response = client.post("/login", data={"email": "spammer@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "deactivated" in response.text


def test_admin_cannot_deactivate_themself(client, admin):
    login(client, admin)
    client.post(f"/admin/users/{admin.id}/deactivate", data={"note": "testing"})
    db.session.refresh(admin)
    assert admin.active


def test_admin_unpublishes_a_job(client, admin):
    job = make_job(make_recruiter(), title="Scam Role")
    login(client, admin)
    assert client.post(f"/admin/jobs/{job.id}/unpublish", data={"reason": "spam"}).status_code == 302
    db.session.refresh(job)
    assert job.status == "closed"
    assert "“Scam Role” was taken off the board." in client.get("/admin/jobs").text  # the flash message
    assert "Scam Role" not in client.get("/jobs").text
    entry = db.session.scalar(db.select(AuditLog))
    assert entry.action == "job.unpublished"
    assert entry.details["reason"] == "spam"


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/jobs", "/admin/companies"])
def test_non_admins_do_not_see_the_admin_area(client, app_ctx, path):
    login(client, make_user())
    assert client.get(path).status_code == 404


def test_unknown_ids_in_admin_actions_are_404(client, admin):
    login(client, admin)
    assert client.post("/admin/users/999999/deactivate").status_code == 404
    assert client.post("/admin/jobs/999999/unpublish").status_code == 404
