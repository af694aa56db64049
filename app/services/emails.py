"""The emails Jobifies sends, each queued in the outbox inside the caller's transaction.

Account emails that anyone can trigger from a form (verification, reset, invitation, "someone tried
to sign up with your address") are capped per address per hour in the outbox (`capped=True`).
"""

from __future__ import annotations

from flask import current_app

from ..models import STAGE_LABELS, Application, Invitation, User
from . import tokens
from .notifications import external_url, queue_email

STAGE_MESSAGES = {
    "screening": "Good news: the team at {company} is reviewing your application for {job}.",
    "interview": "Great news: {company} would like to interview you for {job}. Expect them to be in touch about times.",
    "offer": "Congratulations! {company} is preparing an offer for {job}.",
    "hired": "Congratulations, and welcome aboard: {company} marked you as hired for {job}.",
    "rejected": "Thank you for applying for {job}. {company} has decided not to move forward this time. "
    "We hope to see you apply again.",
    "applied": "Your application for {job} at {company} is back in the applied stage.",
}


def send_verification(user: User, next_path: str = ""):
    return queue_email(
        user.email,
        "verify_email",
        user=user,
        capped=True,
        name=user.display_name,
        email=user.email,
        link=external_url("auth.verify_email", token=tokens.make_verify_token(user, next_path)),
        days=current_app.config["EMAIL_VERIFY_DAYS"],
    )


def send_password_reset(user: User):
    return queue_email(
        user.email,
        "password_reset",
        user=user,
        capped=True,
        name=user.display_name,
        link=external_url("auth.reset_password", token=tokens.make_reset_token(user)),
        minutes=current_app.config["PASSWORD_RESET_MINUTES"],
    )


def account_exists(user: User):
    """Someone signed up with an address that has an account: tell its owner, tell the form nothing."""
    return queue_email(
        user.email,
        "account_exists",
        user=user,
        capped=True,
        name=user.display_name,
        email=user.email,
        login_link=external_url("auth.login"),
        reset_link=external_url("auth.forgot_password"),
    )


def password_changed(user: User):
    return queue_email(
        user.email,
        "password_changed",
        user=user,
        capped=True,
        name=user.display_name,
        reset_link=external_url("auth.forgot_password"),
    )


def email_changed(user: User, old_email: str):
    return queue_email(
        old_email, "email_changed", capped=True, name=user.display_name, old_email=old_email, new_email=user.email
    )


def application_received(application: Application, recruiters=None, headers_for=None) -> None:
    """The candidate's receipt, and a note to each of `recruiters` (default: the whole company;
    services/channels.py passes those who keep that choice, and their unsubscribe headers)."""
    job, candidate = application.job, application.candidate
    queue_email(
        candidate.email,
        "application_received",
        user=candidate,
        name=candidate.display_name,
        job_title=job.title,
        company=job.company.name,
        link=external_url("candidate.my_applications"),
    )
    if recruiters is None:
        recruiters = [membership.user for membership in job.company.memberships]
    for recruiter in recruiters:
        queue_email(
            recruiter.email,
            "new_applicant",
            user=recruiter,
            headers=headers_for(recruiter) if headers_for else None,
            name=recruiter.display_name,
            candidate=candidate.display_name,
            job_title=job.title,
            link=external_url("recruiter.application_detail", application_id=application.id),
        )


# Which email a stage move sends (the recruiter chooses when rejecting): the stage's standard
# message, a warmer "we keep your details" rejection, or nothing at all.
DEFAULT_STAGE_EMAIL = "standard"
STAGE_EMAILS = {
    "standard": "Standard message for the stage",
    "keep_in_touch": "Rejection: we keep your details for future roles",
    "none": "Do not email the candidate",
}
KEEP_IN_TOUCH = (
    "Thank you for applying for {job}. {company} has decided not to move forward this time, but would "
    "like to keep your details on file and may contact you about future roles."
)


def stage_message(application: Application, email: str = DEFAULT_STAGE_EMAIL) -> str | None:
    """What the candidate is told of a move (by email or text), or None for nothing at all."""
    if application.status not in STAGE_MESSAGES or email == "none":
        return None
    job = application.job
    template = KEEP_IN_TOUCH if email == "keep_in_touch" and application.status == "rejected" else None
    return (template or STAGE_MESSAGES[application.status]).format(company=job.company.name, job=job.title)


def stage_changed(application: Application, email: str = DEFAULT_STAGE_EMAIL, headers: dict | None = None) -> None:
    message = stage_message(application, email)
    if message is None:
        return
    job, candidate = application.job, application.candidate
    queue_email(
        candidate.email,
        "stage_changed",
        user=candidate,
        headers=headers,
        name=candidate.display_name,
        job_title=job.title,
        stage=STAGE_LABELS[application.status],
        message=message,
        link=external_url("candidate.my_applications"),
    )


def team_invitation(invitation: Invitation, token: str, inviter: User) -> None:
    queue_email(
        invitation.email,
        "team_invitation",
        capped=True,
        inviter=inviter.display_name,
        company=invitation.company.name,
        link=external_url("auth.invitation", token=token),
        expires=invitation.expires_at.strftime("%b %-d, %Y"),
    )
