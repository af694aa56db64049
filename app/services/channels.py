"""Notifications beyond email: who hears about what, on which channel, and when.

Routing: email by default (through the email outbox in services/notifications.py); SMS and
WhatsApp only for a verified phone that has not replied STOP, and only for the kinds the user
chose; Slack for a company that connected a channel, for the events it ticked. A Notification row
is written in the caller's transaction (flushed, never committed here) and sent by the
"notify.send" job after the commit; its `dedupe_key` is unique, so whatever creates it twice for
the same cause (a retried job, a periodic check) adds one row.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import insert_ignore
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..integrations import slack
from ..links import absolute_url
from ..models import (
    STAGE_LABELS,
    Application,
    Company,
    Job,
    Notification,
    NotificationPreference,
    NotificationSettings,
    NotificationStatus,
    SlackConnection,
    User,
    utcnow,
)
from ..tasks import enqueue
from . import credentials, emails
from .notifications import queue_email

log = logging.getLogger(__name__)

# What a candidate can be told, and on which channels.
CANDIDATE_KINDS = {
    "interview_invitation": "Interview invitations",
    "offer": "Offers",
    "status_change": "Other changes to my applications",
}
RECRUITER_KINDS = {"new_application": "New applications to my company's jobs"}
KIND_LABELS = {**CANDIDATE_KINDS, **RECRUITER_KINDS}
PHONE_CHANNELS = ("sms", "whatsapp")
CHANNEL_LABELS = {"email": "Email", "sms": "SMS", "whatsapp": "WhatsApp"}
# Which channels each kind can use at all (recruiter kinds are email here; Slack is per company).
KIND_CHANNELS = {**dict.fromkeys(CANDIDATE_KINDS, ("email", "sms", "whatsapp")), "new_application": ("email",)}
VERIFICATION = "phone_verification"  # never subject to preferences or quiet hours

# What a company's Slack channel can receive.
SLACK_EVENTS = {
    "new_application": "New applications (with the match score)",
    "stage_change": "Stage changes made by teammates",
    "job_published": "Jobs published",
    "job_expiring": "Jobs expiring soon",
    "daily_digest": "A daily digest",
}
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "YES", "UNSTOP"}


def kind_for_stage(status: str) -> str:
    return {"interview": "interview_invitation", "offer": "offer"}.get(status, "status_change")


# ---------------------------------------------------------------------------------------------
# Settings and preferences


def settings_of(user: User) -> NotificationSettings | None:
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.user_id == user.id))


def _settings_for_update(user: User) -> NotificationSettings:
    """The user's settings row, created atomically if missing (two tabs may race here)."""
    insert_ignore(NotificationSettings, {"user_id": user.id}, ["user_id"])
    return db.session.scalar(
        select(NotificationSettings)
        .where(NotificationSettings.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def phone_ready(settings: NotificationSettings | None) -> bool:
    return bool(settings and settings.phone and settings.phone_verified_at and not settings.sms_stopped_at)


def kinds_for(user: User) -> dict[str, str]:
    """The kinds this user's preference centre lists."""
    kinds = dict(CANDIDATE_KINDS) if not user.is_recruiter else {}
    if user.is_recruiter:
        kinds.update(RECRUITER_KINDS)
    return kinds


def _explicit(user: User) -> dict[tuple[str, str], bool]:
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.channel, NotificationPreference.enabled).where(
            NotificationPreference.user_id == user.id
        )
    )
    return {(kind, channel): enabled for kind, channel, enabled in rows}


def preference_grid(user: User) -> dict[str, dict[str, bool]]:
    """kind -> channel -> chosen, for every kind and channel the user can choose."""
    explicit = _explicit(user)
    return {
        kind: {channel: explicit.get((kind, channel), channel == "email") for channel in KIND_CHANNELS[kind]}
        for kind in kinds_for(user)
    }


def channels_for(user: User, kind: str, settings: NotificationSettings | None = None) -> list[str]:
    """The channels `kind` goes to for this user now: their choices, limited to what can reach them."""
    if kind == VERIFICATION:
        return ["sms"]
    explicit = _explicit(user)
    settings = settings if settings is not None else settings_of(user)
    chosen = []
    for channel in KIND_CHANNELS.get(kind, ("email",)):
        if not explicit.get((kind, channel), channel == "email"):
            continue
        if channel in PHONE_CHANNELS and not phone_ready(settings):
            continue
        chosen.append(channel)
    return chosen


def _upsert_preference(user_id: int, kind: str, channel: str, enabled: bool) -> None:
    # One atomic statement per choice: two saves racing never hit the unique constraint.
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(NotificationPreference.__table__).values(
        user_id=user_id, kind=kind, channel=channel, enabled=enabled
    )
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["user_id", "kind", "channel"], set_={"enabled": enabled})
    )


def save_preferences(user: User, chosen: set[tuple[str, str]]) -> None:
    """Store every kind x channel choice of the form (ticked = on). SMS/WhatsApp need a verified
    phone. Flushes."""
    settings = settings_of(user)
    wants_phone = [pair for pair in chosen if pair[1] in PHONE_CHANNELS]
    if wants_phone and not phone_ready(settings):
        raise ValidationError("Verify your phone number before choosing SMS or WhatsApp.", field="phone")
    for kind in kinds_for(user):
        for channel in KIND_CHANNELS[kind]:
            _upsert_preference(user.id, kind, channel, (kind, channel) in chosen)
    db.session.flush()


def unsubscribe(user: User, kind: str) -> None:
    """One click: this kind on no channel any more. Idempotent. Flushes."""
    if kind not in KIND_CHANNELS:
        raise ValidationError("This unsubscribe link is not valid.")
    for channel in KIND_CHANNELS[kind]:
        _upsert_preference(user.id, kind, channel, False)
    db.session.flush()


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="jobifies-notify-unsubscribe")


def unsubscribe_token(user: User, kind: str) -> str:
    return _unsubscribe_serializer().dumps({"uid": user.id, "kind": kind})


def unsubscribe_link(user: User, kind: str) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user, kind))


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """(user, kind) from a link; ValidationError for anything we did not sign."""
    invalid = ValidationError("This unsubscribe link is not valid. Change your choices on your account page.")
    if not token or len(token) > 500:
        raise invalid
    try:
        data = _unsubscribe_serializer().loads(token)
    except BadSignature:
        raise invalid from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or data.get("kind") not in KIND_CHANNELS:
        raise invalid
    user = db.session.get(User, data["uid"]) if 0 < data["uid"] < 2**31 else None
    if user is None:
        raise invalid
    return user, data["kind"]


def _unsubscribe_headers(user: User, kind: str) -> dict:
    # RFC 8058: mail clients show an "Unsubscribe" button that POSTs to this link.
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# ---------------------------------------------------------------------------------------------
# Time zone and quiet hours


@cache
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")))


def save_quiet_hours(user: User, timezone: str, enabled: bool, start: str, end: str) -> NotificationSettings:
    """Time zone and quiet hours (whole hours, local time). Flushes."""
    if timezone not in time_zones() and timezone != "UTC":
        raise ValidationError("Choose a time zone from the list.", field="timezone")
    try:
        start_hour, end_hour = int(start), int(end)
    except (TypeError, ValueError):
        raise ValidationError("Choose the hours from the lists.", field="quiet_start") from None
    if not (0 <= start_hour <= 23 and 0 <= end_hour <= 23):
        raise ValidationError("Choose the hours from the lists.", field="quiet_start")
    if enabled and start_hour == end_hour:
        raise ValidationError("Quiet hours need to start and end at different times.", field="quiet_end")
    settings = _settings_for_update(user)
    settings.timezone, settings.quiet_hours = timezone, enabled
    settings.quiet_start, settings.quiet_end = start_hour, end_hour
    db.session.flush()
    return settings


def quiet_until(settings: NotificationSettings | None, now: datetime) -> datetime | None:
    """When a text may go out if `now` falls in the user's quiet hours (their local morning, in
    UTC); None when it may go now."""
    if settings is None or not settings.quiet_hours or settings.quiet_start == settings.quiet_end:
        return None
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end = settings.quiet_start, settings.quiet_end
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return None
    wake = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if wake <= local:
        wake += timedelta(days=1)
    # Rebuild from the wall-clock time, so a DST change overnight still wakes at `end` o'clock.
    wake = datetime(wake.year, wake.month, wake.day, end, tzinfo=zone)
    return wake.astimezone(ZoneInfo("UTC"))


# ---------------------------------------------------------------------------------------------
# Phone numbers and verification


def normalize_phone(raw: str) -> str:
    """The number in E.164 (+14155550123); ValidationError unless it is a possible, valid number."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 40:
        raise ValidationError("Enter your mobile number, with its country code (+44 7700 900123).", field="phone")
    try:
        number = phonenumbers.parse(raw, current_app.config["PHONE_DEFAULT_REGION"])
    except phonenumbers.NumberParseException:
        raise ValidationError("That does not look like a phone number.", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "That number is not valid: check it, and start with + and the country code.", field="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_key(raw: str) -> str:
    """A rate-limit key for a typed number: its E.164 form when it parses (so "+1 415..." and
    "(415)..." count as one), else the raw text."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return (raw or "").strip()[:40]


def _code_hash(user_id: int, phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"phone-code:{user_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def start_phone_verification(user: User, raw: str) -> NotificationSettings:
    """Store the number (unverified) and text it a new 6-digit code. Flushes; the SMS goes after
    the commit. Rate limits (per number, per IP) are on the route."""
    phone = normalize_phone(raw)
    settings = _settings_for_update(user)
    code = f"{secrets.randbelow(10**6):06d}"
    if settings.phone != phone:
        settings.sms_stopped_at = None
    settings.phone, settings.phone_verified_at = phone, None
    settings.code_hash = _code_hash(user.id, phone, code)
    minutes = current_app.config["PHONE_CODE_MINUTES"]
    settings.code_expires_at = utcnow() + timedelta(minutes=minutes)
    settings.code_attempts = 0
    site = current_app.config["SITE_NAME"]
    _add_text(
        user,
        VERIFICATION,
        "sms",
        phone,
        f"{code} is your {site} verification code. It expires in {minutes} minutes.",
        dedupe_key=f"verify:{user.id}:{secrets.token_hex(8)}",
        not_before=None,
    )
    db.session.flush()
    return settings


def confirm_phone(user: User, code: str) -> str:
    """Check a typed code: "verified", "wrong", "expired", "locked" or "none". Flushes the
    attempt even when wrong: the caller commits whatever this returns, so a wrong guess counts."""
    settings = settings_of(user)
    if settings is None or not settings.code_hash or not settings.phone:
        return "none"
    if settings.code_expires_at is None or settings.code_expires_at <= utcnow():
        return "expired"
    # Count the attempt atomically before comparing: parallel guesses cannot exceed the limit.
    counted = db.session.execute(
        update(NotificationSettings)
        .where(
            NotificationSettings.id == settings.id,
            NotificationSettings.code_attempts < current_app.config["PHONE_CODE_MAX_ATTEMPTS"],
        )
        .values(code_attempts=NotificationSettings.code_attempts + 1)
    ).rowcount
    if not counted:
        return "locked"
    code = "".join(ch for ch in (code or "") if ch.isdigit())[:6]
    if not hmac.compare_digest(settings.code_hash, _code_hash(user.id, settings.phone, code)):
        return "wrong"
    db.session.execute(
        update(NotificationSettings)
        .where(NotificationSettings.id == settings.id)
        .values(phone_verified_at=utcnow(), code_hash=None, code_expires_at=None, code_attempts=0)
    )
    db.session.flush()
    return "verified"


def remove_phone(user: User) -> None:
    """Forget the number; SMS/WhatsApp choices stop applying (and pending texts are cancelled)."""
    settings = settings_of(user)
    if settings is None:
        return
    settings.phone = settings.phone_verified_at = settings.code_hash = settings.code_expires_at = None
    _cancel_texts(Notification.user_id == user.id, "You removed your phone number.")
    db.session.flush()


def _cancel_texts(condition, reason: str) -> None:
    db.session.execute(
        update(Notification)
        .where(condition, Notification.channel.in_(PHONE_CHANNELS), Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.CANCELLED, last_error=reason, updated_at=utcnow())
    )


# ---------------------------------------------------------------------------------------------
# Creating notifications


def _add(values: dict) -> int | None:
    """Insert one notification unless its dedupe_key exists; enqueue it after the commit."""
    values.setdefault("status", NotificationStatus.PENDING)
    values.setdefault("attempts", 0)
    now = utcnow()
    values.setdefault("created_at", now)
    values.setdefault("updated_at", now)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = Notification.__table__
    new_id = db.session.execute(
        insert(table).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    ).scalar()
    if new_id is not None:
        enqueue("notify.send", new_id)
    return new_id


def _add_text(user: User, kind: str, channel: str, phone: str, body: str, dedupe_key: str, not_before) -> int | None:
    return _add(
        {
            "user_id": user.id,
            "kind": kind,
            "channel": channel,
            "to_address": phone,
            "body": body[:1600],
            "dedupe_key": dedupe_key[:200],
            "not_before": not_before,
        }
    )


def notify_user(user: User, kind: str, body: str, cause: str) -> list[str]:
    """Text `body` to the user on every phone channel they chose for `kind` (email is sent by the
    caller, which owns its template). Quiet hours defer it to their morning. Returns the channels."""
    settings = settings_of(user)
    channels = [channel for channel in channels_for(user, kind, settings) if channel in PHONE_CHANNELS]
    wait = quiet_until(settings, utcnow()) if channels else None
    for channel in channels:
        _add_text(user, kind, channel, settings.phone, body, f"{cause}:{channel}:{user.id}", wait)
    return channels


def _esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(title: str, lines: list[str], link: str | None = None, button: str = "Open") -> slack.SlackMessage:
    """Block Kit (a section and a link button) plus the plain-text fallback."""
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join([f"*{_esc(title)}*", *map(_esc, lines)])}}
    ]
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [{"type": "button", "text": {"type": "plain_text", "text": button}, "url": link}],
            }
        )
    text = " ".join([f"{title}.", *lines, *([link] if link else [])])
    return slack.SlackMessage(text=text[:3000], blocks=blocks)


def slack_connection_of(company: Company | None) -> SlackConnection | None:
    if company is None:
        return None
    return db.session.scalar(select(SlackConnection).where(SlackConnection.company_id == company.id))


def notify_slack(company: Company, event: str, message: slack.SlackMessage, cause: str) -> int | None:
    """Post to the company's Slack channel if it is connected, active and takes `event`."""
    connection = slack_connection_of(company)
    if connection is None or not connection.active or event not in (connection.events or []):
        return None
    return _add(
        {
            "company_id": company.id,
            "kind": event,
            "channel": "slack",
            "to_address": f"slack:{connection.id}",
            "body": message.text,
            "blocks": message.blocks,
            "dedupe_key": f"{cause}:slack:{company.id}"[:200],
        }
    )


# ---------------------------------------------------------------------------------------------
# The events


def application_submitted(application: Application) -> None:
    """A new application: the candidate's receipt and each recruiter's email (if they keep that
    choice), and the company's Slack with the match score and a link. Flushes."""
    job = application.job
    recruiters = [m.user for m in job.company.memberships if "email" in channels_for(m.user, "new_application")]
    emails.application_received(
        application,
        recruiters=recruiters,
        headers_for=lambda user: _unsubscribe_headers(user, "new_application"),
    )
    score = (
        f"Match score {application.match_score}%." if application.match_score is not None else "Match score pending."
    )
    notify_slack(
        job.company,
        "new_application",
        slack_message(
            f"New application: {application.candidate.display_name}",
            [f"For {job.title}.", score],
            absolute_url("recruiter.application_detail", application_id=application.id),
            "Open the application",
        ),
        f"application:{application.id}",
    )


def application_moved(
    application: Application, actor: User | None, event_id: int | None, email: str = emails.DEFAULT_STAGE_EMAIL
) -> None:
    """A stage change: the candidate by email and by the texts they chose (`email` is the recruiter's
    choice of message, emails.STAGE_EMAILS; "none" tells the candidate nothing); the company's Slack
    when a teammate made it (a move from the ATS has no actor). Flushes."""
    candidate, job = application.candidate, application.job
    kind = kind_for_stage(application.status)
    cause = f"stage:{event_id or application.id}:{application.status}"
    message = emails.stage_message(application, email)
    if message is not None and "email" in channels_for(candidate, kind):
        emails.stage_changed(application, email, headers=_unsubscribe_headers(candidate, kind))
    if message is not None:
        notify_user(candidate, kind, f"{message} {absolute_url('candidate.my_applications')}", cause)
    if actor is not None:
        stage = STAGE_LABELS.get(application.status, application.status)
        notify_slack(
            job.company,
            "stage_change",
            slack_message(
                f"{actor.display_name} moved {candidate.display_name} to {stage}",
                [f"For {job.title}."],
                absolute_url("recruiter.application_detail", application_id=application.id),
                "Open the application",
            ),
            cause,
        )


def job_published(job: Job) -> None:
    notify_slack(
        job.company,
        "job_published",
        slack_message(
            f"Job published: {job.title}",
            [f"Open until {job.expires_at:%B %-d, %Y}."] if job.expires_at else [],
            absolute_url("public.job_detail", job_id=job.id, slug=job.slug),
            "View the posting",
        ),
        f"published:{job.id}:{job.published_at:%Y%m%d%H%M%S}" if job.published_at else f"published:{job.id}",
    )


def jobs_expiring_soon(now: datetime | None = None) -> int:
    """Tell each connected company about its jobs that expire within NOTIFY_EXPIRING_DAYS. Once per
    job and expiry date, however often this runs. Flushes; returns how many were queued."""
    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["NOTIFY_EXPIRING_DAYS"])
    jobs = db.session.scalars(
        select(Job)
        .join(SlackConnection, SlackConnection.company_id == Job.company_id)
        .where(
            SlackConnection.active.is_(True), Job.status == "published", Job.expires_at > now, Job.expires_at <= horizon
        )
    ).all()
    count = 0
    for job in jobs:
        message = slack_message(
            f"Expiring soon: {job.title}",
            [f"The posting closes on {job.expires_at:%B %-d, %Y}."],
            absolute_url("recruiter.dashboard"),
            "Open the dashboard",
        )
        if notify_slack(job.company, "job_expiring", message, f"expiring:{job.id}:{job.expires_at:%Y%m%d}"):
            count += 1
    return count


def daily_digests(now: datetime | None = None) -> int:
    """Each connected company that asked for it gets one digest a day (UTC): applications received
    in the last 24 hours, per job. Flushes; returns how many were queued."""
    now = now or utcnow()
    since = now - timedelta(days=1)
    count = 0
    for connection in db.session.scalars(select(SlackConnection).where(SlackConnection.active.is_(True))).all():
        if "daily_digest" not in (connection.events or []):
            continue
        rows = db.session.execute(
            select(Job.title, func.count(Application.id))
            .join(Application, Application.job_id == Job.id)
            .where(Job.company_id == connection.company_id, Application.created_at >= since)
            .group_by(Job.title)
            .order_by(func.count(Application.id).desc())
            .limit(20)
        ).all()
        total = sum(n for _, n in rows)
        lines = [f"{n} new for {title}" for title, n in rows] or ["No new applications today."]
        message = slack_message(
            f"Daily digest: {total} new application{'s' if total != 1 else ''}",
            lines,
            absolute_url("recruiter.dashboard"),
            "Open the dashboard",
        )
        if notify_slack(connection.company, "daily_digest", message, f"digest:{connection.company_id}:{now:%Y%m%d}"):
            count += 1
    return count


# ---------------------------------------------------------------------------------------------
# Slack connection


def _check_slack_url(url: str) -> str:
    url = (url or "").strip()
    prefixes = current_app.config["SLACK_WEBHOOK_PREFIXES"]
    if not url or len(url) > 500 or not any(url.startswith(prefix) for prefix in prefixes):
        raise ValidationError(
            "Paste the incoming webhook URL Slack gave you (it starts with https://hooks.slack.com/services/).",
            field="webhook_url",
        )
    return url


def _require_owner(user: User) -> Company:
    if user.membership is None or not user.membership.is_owner:
        raise Forbidden("Only the company's owner can connect Slack.")
    return user.company


def connect_slack(user: User, url: str, channel_name: str, events: list[str]) -> SlackConnection:
    """Post a test message to the webhook and save it (encrypted) only if Slack took it. A blank
    URL keeps the saved one (to change the events). Flushes."""
    company = _require_owner(user)
    events = [event for event in events if event in SLACK_EVENTS]
    connection = slack_connection_of(company)
    if connection is None or (url or "").strip():
        url = _check_slack_url(url)
        site = current_app.config["SITE_NAME"]
        test = slack_message(f"{site} is connected", [f"{company.name}'s hiring updates will appear here."])
        try:
            slack.post(url, test, timeout=current_app.config["OUTBOUND_TIMEOUT_SECONDS"])
        except (slack.SlackHookGone, slack.SlackRefused) as error:
            raise ValidationError(
                f"Slack refused the test message ({error}). Check the URL.", field="webhook_url"
            ) from None
        except slack.RetryableError:
            raise ValidationError(
                "Slack could not be reached for the test message. Try again in a minute.", field="webhook_url"
            ) from None
        token = credentials.encrypt({"url": url})
        if connection is None:
            connection = SlackConnection(company_id=company.id, created_by_id=user.id, webhook_token=token)
            db.session.add(connection)
        connection.webhook_token = token
        connection.active, connection.not_found_count, connection.disabled_at, connection.last_error = (
            True,
            0,
            None,
            None,
        )
    connection.channel_name = (channel_name or "").strip()[:80]
    connection.events = events
    db.session.flush()
    return connection


def disconnect_slack(user: User) -> None:
    company = _require_owner(user)
    connection = slack_connection_of(company)
    if connection is None:
        raise NotFound("Slack is not connected.")
    db.session.execute(
        update(Notification)
        .where(
            Notification.company_id == company.id,
            Notification.channel == "slack",
            Notification.status == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.CANCELLED, last_error="Slack was disconnected.", updated_at=utcnow())
    )
    db.session.delete(connection)
    db.session.flush()


def slack_hook_gone(connection: SlackConnection, error: str) -> bool:
    """Count a 404/410; past SLACK_DISABLE_AFTER_404S in a row the connection is disabled and the
    owner emailed. Returns True if this call disabled it. Flushes."""
    connection.not_found_count += 1
    connection.last_error = error[:1000]
    if connection.not_found_count < current_app.config["SLACK_DISABLE_AFTER_404S"] or not connection.active:
        db.session.flush()
        return False
    connection.active, connection.disabled_at = False, utcnow()
    db.session.execute(
        update(Notification)
        .where(
            Notification.company_id == connection.company_id,
            Notification.channel == "slack",
            Notification.status == NotificationStatus.PENDING,
        )
        .values(
            status=NotificationStatus.CANCELLED, last_error="The Slack connection was disabled.", updated_at=utcnow()
        )
    )
    for membership in connection.company.memberships:
        if membership.is_owner:
            queue_email(
                membership.user.email,
                "slack_disabled",
                user=membership.user,
                name=membership.user.display_name,
                company=connection.company.name,
                error=error[:300],
                link=absolute_url("notifications.slack"),
            )
    db.session.flush()
    return True


def slack_url(connection: SlackConnection) -> str:
    return credentials.decrypt(connection.webhook_token)["url"]


# ---------------------------------------------------------------------------------------------
# Sending (the notify.send job) and Twilio's callbacks


def claim(notification_id: int, lease: timedelta) -> bool:
    """Atomically mark a notification as being sent; False if it is done, being sent, or not due.
    Commits: the claim must be visible to every other worker before this one uses the network."""
    now = utcnow()
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .where(
            (
                (Notification.status == NotificationStatus.PENDING)
                & (or_(Notification.not_before.is_(None), Notification.not_before <= now))
            )
            | ((Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - lease))
        )
        .values(status=NotificationStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1, updated_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def still_wanted(notification: Notification) -> str | None:
    """Why a claimed notification must not go out any more (a choice turned off, STOP, a removed
    phone, a disabled Slack connection), or None."""
    if notification.channel == "slack":
        connection = db.session.get(SlackConnection, int(notification.to_address.split(":", 1)[1]))
        if connection is None or not connection.active:
            return "The Slack connection is disabled or gone."
        return None
    user = notification.user
    if user is None:
        return "The recipient's account is gone."
    settings = settings_of(user)
    if settings is None or settings.phone != notification.to_address:
        return "The phone number changed."
    if settings.sms_stopped_at is not None:
        return "The recipient replied STOP."
    if notification.kind != VERIFICATION and notification.channel not in channels_for(
        user, notification.kind, settings
    ):
        return "The recipient turned this off."
    return None


def status_callback_url() -> str:
    return absolute_url("webhooks.receive", provider="twilio")


def due_ids(grace: timedelta, lease: timedelta, limit: int = 500) -> list[int]:
    """Pending notifications nobody picked up (Redis was down, quiet hours ended, a retry is due)
    and claims whose worker died."""
    now = utcnow()
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                or_(
                    (Notification.status == NotificationStatus.PENDING)
                    & (Notification.updated_at <= now - grace)
                    & or_(Notification.not_before.is_(None), Notification.not_before <= now),
                    (Notification.status == NotificationStatus.SENDING) & (Notification.claimed_at < now - lease),
                )
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )


# Twilio's statuses in the order a message goes through them; a late "sent" never undoes "delivered".
_STATUS_RANK = {
    "accepted": 1,
    "scheduled": 1,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "read": 6,
}
_OUR_STATUS = {
    "delivered": NotificationStatus.DELIVERED,
    "read": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.UNDELIVERED,
    "failed": NotificationStatus.FAILED,
}
_OUR_RANK = {
    NotificationStatus.SENT: 3,
    NotificationStatus.DELIVERED: 5,
    NotificationStatus.UNDELIVERED: 5,
    NotificationStatus.FAILED: 5,
}


def handle_twilio_event(event_type: str, payload: dict) -> str:
    """A stored Twilio delivery: a status callback updates its notification (never backwards), an
    inbound STOP/START is mirrored on the sender's settings. Idempotent."""
    if event_type == "inbound":
        return _mirror_opt_out(payload)
    status = event_type.removeprefix("status.")
    notification = db.session.scalar(
        select(Notification).where(
            Notification.provider == "twilio", Notification.provider_message_id == payload.get("MessageSid", "")
        )
    )
    if notification is None or status not in _STATUS_RANK:
        return "ignored"
    if _STATUS_RANK[status] <= _OUR_RANK.get(notification.status, 0) or status not in _OUR_STATUS:
        return "processed"
    notification.status = _OUR_STATUS[status]
    if notification.status == NotificationStatus.DELIVERED:
        notification.delivered_at = utcnow()
    else:
        notification.last_error = f"Twilio: {status} (error {payload.get('ErrorCode') or 'none'})"
    db.session.flush()
    return "processed"


def _mirror_opt_out(payload: dict) -> str:
    keyword = (payload.get("OptOutType") or payload.get("Body") or "").strip().upper()
    sender = (payload.get("From") or "").removeprefix("whatsapp:")
    if not sender or (keyword not in STOP_WORDS and keyword not in START_WORDS):
        return "ignored"
    stop = keyword in STOP_WORDS
    mirror_opt_out(sender, stop)
    return "processed"


def mirror_opt_out(phone: str, stop: bool) -> None:
    """STOP: no more texts to this number (pending ones are cancelled); START: texts again. Flushes."""
    db.session.execute(
        update(NotificationSettings)
        .where(NotificationSettings.phone == phone)
        .values(sms_stopped_at=utcnow() if stop else None)
    )
    if stop:
        _cancel_texts(Notification.to_address == phone, "The recipient replied STOP.")
    db.session.flush()


def recent_texts(limit: int = 100) -> list[Notification]:
    """The dev outbox's texts: SMS and WhatsApp kept here because Twilio is not configured."""
    return list(
        db.session.scalars(
            select(Notification).where(Notification.provider == "outbox").order_by(Notification.id.desc()).limit(limit)
        )
    )
