"""Companies and their teams: creation, profile, invitations, members."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..models import Company, Invitation, Job, Membership, User, utcnow
from . import accounts, audit, documents, emails
from .notifications import external_url, normalize_email, queue_email
from .slugs import slugify


def _unique_slug(name: str, company_id: int | None = None) -> str:
    base = slugify(name, 120)
    slug, n = base, 2
    while True:
        existing = db.session.scalar(select(Company).where(Company.slug == slug))
        if existing is None or existing.id == company_id:
            return slug
        slug, n = f"{base}-{n}", n + 1


def _has_file(upload) -> bool:
    return upload is not None and bool(getattr(upload, "filename", ""))


def create_company(
    owner: User,
    name: str,
    website: str = "",
    about: str = "",
    logo_upload=None,
    logo: documents.CheckedFile | None = None,
) -> Company:
    """Create a company with `owner` as its owner member. Raises Conflict if owner already has a seat."""
    if owner.membership is not None:
        raise Conflict("You already belong to a company.")
    company = Company(
        name=name.strip(), slug=_unique_slug(name), website=(website or "").strip(), about=(about or "").strip()
    )
    if logo is None and _has_file(logo_upload):
        logo = documents.check_logo(logo_upload)
    if logo is not None:
        company.logo = documents.store(owner, logo)
    db.session.add(company)
    db.session.flush()
    owner.role = "recruiter" if owner.role != "admin" else owner.role
    db.session.add(Membership(company=company, user=owner, role="owner"))
    db.session.flush()
    return company


def sign_up_owner(
    email: str, password: str, name: str, company_name: str, website: str = "", about: str = "", logo_upload=None
) -> Company | None:
    """A new account and its company in one step (recruiter sign-up). Flushes.

    Like accounts.sign_up, the answer does not tell whether the address has an account: when it
    does, its owner is emailed and None is returned, and nothing else is created. The logo is
    checked first, so a bad logo gets the same error either way.
    """
    logo = documents.check_logo(logo_upload) if _has_file(logo_upload) else None
    user = accounts.sign_up(email, password, name, role="recruiter")
    if user is None:
        return None
    return create_company(user, company_name, website, about, logo=logo)


def update_company(company: Company, actor: User, name: str, website: str, about: str, logo_upload=None) -> Company:
    """Edit the company profile. Only its owner may: the name, address and logo are the company's
    public identity. Raises Forbidden for other team members. Flushes."""
    membership = actor.membership
    if membership is None or membership.company_id != company.id or not membership.is_owner:
        raise Forbidden("Only the company's owner can edit the company profile.")
    company.name = name.strip()
    company.slug = _unique_slug(name, company.id)
    company.website = (website or "").strip()
    company.about = (about or "").strip()
    if logo_upload is not None and getattr(logo_upload, "filename", ""):
        company.logo = documents.store_logo(actor, logo_upload)
    db.session.flush()
    return company


def require_owner(user: User) -> Membership:
    membership = user.membership
    if membership is None or not membership.is_owner:
        raise Forbidden("Only the company's owner can manage the team.")
    return membership


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(owner: User, email: str) -> tuple[Invitation, str]:
    """Create a single-use invitation and email it. Flushes. Returns it with the raw token (only its
    hash is stored); the link travels only by email, so opening it proves the invited address.

    Only a verified owner may invite (an unconfirmed account must not send mail to strangers).
    """
    membership = require_owner(owner)
    if owner.verified_at is None:
        raise ValidationError(
            f"Confirm your email address before inviting colleagues: we sent a link to {owner.email}.", field="email"
        )
    email = normalize_email(email)
    company = membership.company
    if any(normalize_email(m.user.email) == email for m in company.memberships):
        raise ValidationError("This person is already on your team.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        company=company,
        email=email,
        token_hash=_hash(token),
        invited_by_id=owner.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    audit.record(owner, "team.invited", company, email=email)
    db.session.flush()
    emails.team_invitation(invitation, token, owner)
    return invitation, token


def find_invitation(token: str) -> Invitation:
    """The pending invitation for `token`; NotFound if unknown, used, revoked or expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token or "")))
    if invitation is None:
        raise NotFound("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise NotFound("This invitation has already been used.")
    if invitation.revoked_at is not None:
        raise NotFound("This invitation was withdrawn by the company.")
    if invitation.expires_at <= utcnow():
        raise NotFound("This invitation has expired. Ask the company for a new one.")
    return invitation


def accept_invitation(token: str, user: User) -> Membership:
    """Join the invitation's company as a recruiter. Single use: the invitation is consumed. Flushes."""
    invitation = find_invitation(token)
    if user.membership is not None:
        if user.membership.company_id == invitation.company_id:
            raise Conflict("You are already a member of this company.")
        raise Conflict(
            f"You already belong to {user.membership.company.name}; an account can be on one company's team."
        )
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    if user.role == "candidate":
        user.role = "recruiter"
    membership = Membership(company_id=invitation.company_id, user=user, role="recruiter")
    db.session.add(membership)
    audit.record(user, "team.joined", invitation.company, email=user.email)
    db.session.flush()
    return membership


def revoke_invitation(owner: User, invitation_id: int) -> None:
    membership = require_owner(owner)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.company_id != membership.company_id:
        raise NotFound("No such invitation.")
    invitation.revoked_at = utcnow()
    db.session.flush()


def remove_member(owner: User, membership_id: int) -> None:
    """The owner removes a colleague; the owner cannot remove themself."""
    own = require_owner(owner)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.company_id != own.company_id:
        raise NotFound("No such team member.")
    if membership.id == own.id:
        raise ValidationError("You cannot remove yourself: you own this company.")
    user = membership.user
    audit.record(owner, "team.removed", own.company, email=user.email)
    db.session.delete(membership)
    if user.role == "recruiter":
        user.role = "candidate"
    db.session.flush()


def transfer_ownership(owner: User, membership_id: int) -> Membership:
    """The owner hands the company to a colleague, who becomes its owner; the old owner stays on the
    team as a recruiter. The new owner is emailed. Flushes."""
    own = require_owner(owner)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.company_id != own.company_id:
        raise NotFound("No such team member.")
    if membership.id == own.id:
        raise ValidationError("You already own this company.")
    _make_owner(membership, previous=own)
    audit.record(owner, "team.ownership_transferred", own.company, email=membership.user.email)
    db.session.flush()
    return membership


def _make_owner(membership: Membership, previous: Membership | None) -> None:
    """One owner per company: the previous one (if still on the team) becomes a recruiter."""
    if previous is not None:
        previous.role = "recruiter"
        db.session.flush()  # the old owner steps down before the new one steps up
    membership.role = "owner"
    user = membership.user
    queue_email(
        user.email,
        "ownership_transferred",
        user=user,
        name=user.display_name,
        company=membership.company.name,
        link=external_url("recruiter.team"),
    )


def ownership_blocker(user: User) -> str | None:
    """Why this person may not delete their account yet, or None: an owner with colleagues must
    hand the company over first, so it never ends up with nobody to manage it (team, billing, ATS)."""
    membership = user.membership
    if membership is None or not membership.is_owner:
        return None
    others = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.company_id == membership.company_id, Membership.id != membership.id
        )
    )
    if not others:
        return None
    return (
        f"You own {membership.company.name}. Make a colleague its owner on the Team page first; "
        "then you can delete your account."
    )


def owner_leaves(user: User) -> None:
    """The owner's account is being erased (after its grace period): the company is never left
    ownerless. A colleague who joined meanwhile (from an invitation sent before) becomes owner, the
    longest-standing first, and is emailed; a company left with nobody has its open jobs closed,
    since no one would read the applications. Pending invitations are withdrawn. Flushes."""
    membership = user.membership
    if membership is None or not membership.is_owner:
        return
    company = membership.company
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.company_id == company.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    successor = db.session.scalar(
        select(Membership)
        .where(Membership.company_id == company.id, Membership.id != membership.id)
        .order_by(Membership.created_at, Membership.id)
        .limit(1)
    )
    if successor is not None:
        _make_owner(successor, previous=membership)
        audit.record(None, "team.ownership_transferred", company, email=successor.user.email, reason="owner deleted")
    else:
        db.session.execute(
            update(Job)
            .where(Job.company_id == company.id, Job.status == "published")
            .values(status="closed", closed_at=now, updated_at=now)
        )
    db.session.flush()


def get_company_by_slug(slug: str) -> Company:
    company = db.session.scalar(select(Company).where(Company.slug == slug))
    if company is None:
        raise NotFound("No such company.")
    return company


def pending_invitations(company: Company) -> list[Invitation]:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.company_id == company.id).order_by(Invitation.created_at.desc())
    ).all()
    return [i for i in invitations if i.is_pending]
