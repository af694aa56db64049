from datetime import timedelta

import pytest
from factories import PASSWORD, emailed_link, login, make_recruiter, make_user

from app.extensions import db
from app.models import AuditLog, Invitation, Membership, User, utcnow


def _invite(client, email: str) -> str:
    """Invite `email`; returns the path of the link the invitation email carries."""
    response = client.post("/recruiter/team/invite", data={"email": email})
    assert response.status_code == 302, response.text
    assert f"We emailed an invitation to {email.lower()}" in client.get(response.headers["Location"]).text
    return emailed_link(email, "team_invitation")


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme", name="Olive Owner")


def test_owner_invites_a_new_user_who_joins_as_recruiter(client, owner):
    login(client, owner)
    path = _invite(client, "newbie@example.com")
    assert "newbie@example.com" in client.get("/recruiter/team").text  # listed as pending
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Acme" in page.text
    assert 'value="newbie@example.com"' in page.text
    response = client.post(
        path, data={"name": "Nina Newbie", "email": "newbie@example.com", "password": "long enough pw"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/recruiter/"
    user = db.session.scalar(db.select(User).where(User.email == "newbie@example.com"))
    assert user.membership.company_id == owner.company.id
    assert user.membership.role == "recruiter"
    assert "Acme" in client.get("/recruiter/").text


def test_existing_user_logs_in_and_accepts(client, owner):
    existing = make_user("old@example.com")
    login(client, owner)
    path = _invite(client, "old@example.com")
    client.post("/logout")
    assert "Log in to accept" in client.get(path).text
    login(client, existing)
    assert client.post(path).status_code == 302
    db.session.refresh(existing)
    assert existing.company.id == owner.company.id
    assert existing.role == "recruiter"


def test_invitation_link_is_single_use(client, owner):
    login(client, owner)
    path = _invite(client, "once@example.com")
    client.post("/logout")
    client.post(path, data={"name": "Once", "email": "once@example.com", "password": "long enough pw"})
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 404
    assert "This invitation has already been used." in again.text


def test_expired_and_forged_invitations_are_refused(client, owner):
    login(client, owner)
    path = _invite(client, "late@example.com")
    invitation = db.session.scalar(db.select(Invitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    client.post("/logout")
    expired = client.get(path)
    assert expired.status_code == 404
    assert "This invitation has expired." in expired.text
    assert client.get("/invitations/forged-token").status_code == 404


def test_only_the_token_hash_is_stored(client, owner):
    login(client, owner)
    path = _invite(client, "hash@example.com")
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalar(db.select(Invitation))
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_member_of_another_company_cannot_accept(client, owner):
    other = make_recruiter("Other Co")
    login(client, owner)
    path = _invite(client, other.email)
    client.post("/logout")
    login(client, other)
    response = client.post(path)
    assert response.status_code == 409
    assert "You already belong to Other Co" in response.text


def test_owner_removes_a_member_and_they_lose_access(client, owner):
    colleague = make_user("colleague@example.com")
    db.session.add(Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter"))
    db.session.commit()
    membership_id = colleague.membership.id
    login(client, owner)
    assert client.post(f"/recruiter/team/members/{membership_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Membership.id)).where(Membership.id == membership_id)) == 0
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "team.removed")) is not None
    client.post("/logout")
    client.post("/login", data={"email": "colleague@example.com", "password": PASSWORD})
    assert client.get("/recruiter/").status_code == 403


def test_owner_cannot_remove_themself(client, owner):
    login(client, owner)
    membership_id = owner.membership.id
    response = client.post(f"/recruiter/team/members/{membership_id}/remove")
    assert response.status_code == 422
    assert "You cannot remove yourself" in response.text
    # Read the database, not the session's identity map (which would still hold the object).
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Membership.id)).where(Membership.id == membership_id)) == 1


def test_non_owner_recruiters_cannot_manage_the_team(client, owner):
    colleague = make_user("plain@example.com")
    db.session.add(Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter"))
    db.session.commit()
    login(client, colleague)
    assert "Invite a colleague" not in client.get("/recruiter/team").text
    assert client.post("/recruiter/team/invite", data={"email": "x@example.com"}).status_code == 403
    assert client.post(f"/recruiter/team/members/{owner.membership.id}/remove").status_code == 403


def test_inviting_an_existing_member_is_a_form_error(client, owner):
    login(client, owner)
    response = client.post("/recruiter/team/invite", data={"email": owner.email.upper()})
    assert response.status_code == 422
    assert "This person is already on your team." in response.text


def test_owner_can_withdraw_a_pending_invitation(client, owner):
    login(client, owner)
    path = _invite(client, "maybe@example.com")
    invitation = db.session.scalar(db.select(Invitation))
    client.post(f"/recruiter/team/invitations/{invitation.id}/revoke")
    client.post("/logout")
    response = client.get(path)
    assert response.status_code == 404
    assert "withdrawn" in response.text


def test_unverified_owner_cannot_send_invitations(client, app_ctx):
    owner = make_recruiter("Fresh Co", verified=False)
    login(client, owner)
    response = client.post("/recruiter/team/invite", data={"email": "target@example.com"})
    assert response.status_code == 422
    assert "Confirm your email address before inviting colleagues" in response.text
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0
    from app.models import EmailMessage

    assert db.session.scalar(db.select(EmailMessage).where(EmailMessage.to_address == "target@example.com")) is None


def test_the_invitation_link_is_only_emailed_never_shown(client, owner):
    login(client, owner)
    path = _invite(client, "shown@example.com")
    token = path.rsplit("/", 1)[1]
    page = client.get("/recruiter/team").text
    assert token not in page
    assert f"/invitations/{token[:8]}" not in page
    assert 'id="invite-link"' not in page


def test_signing_up_from_the_invitation_confirms_only_the_invited_address(client, owner):
    login(client, owner)
    path = _invite(client, "invited@example.com")
    client.post("/logout")
    client.post(path, data={"name": "Other", "email": "someone-else@example.com", "password": "long enough pw"})
    other = db.session.scalar(db.select(User).where(User.email == "someone-else@example.com"))
    assert other is not None
    assert other.verified_at is None
    assert other.membership.company_id == owner.company.id
