"""Phone verification: E.164 numbers, a 6-digit code texted to them, expiry, attempts, rate limits."""

import re
from datetime import timedelta

from conftest import app_config
from factories import login, make_user
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, NotificationSettings, utcnow

PHONE = "+14155552671"


def _settings(user):
    db.session.expire_all()
    return db.session.scalar(select(NotificationSettings).where(NotificationSettings.user_id == user.id))


def _texted_code(phone: str = PHONE) -> str:
    db.session.expire_all()
    text = db.session.scalar(
        select(Notification)
        .where(Notification.to_address == phone, Notification.kind == "phone_verification")
        .order_by(Notification.id.desc())
    )
    assert text is not None, "no verification text"
    return re.search(r"\b(\d{6})\b", text.body).group(1)


def test_candidate_verifies_a_phone_with_the_texted_code(client, app_ctx):
    user = make_user()
    login(client, user)
    response = client.post("/account/notifications/phone", data={"phone": "(415) 555-2671"})
    assert response.status_code == 302
    assert _settings(user).phone == PHONE  # stored in E.164
    assert _settings(user).phone_verified_at is None
    code = _texted_code()
    # Without Twilio settings the text lands in the dev outbox, marked as SMS.
    outbox = client.get("/dev/outbox").get_data(as_text=True)
    assert "SMS" in outbox
    assert code in outbox

    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/account/notifications/phone/verify", data={"code": wrong})
    assert response.status_code == 422
    assert "not the one we sent" in response.get_data(as_text=True)
    response = client.post("/account/notifications/phone/verify", data={"code": code})
    assert response.status_code == 302
    assert _settings(user).phone_verified_at is not None
    assert "Verified" in client.get("/account/notifications").get_data(as_text=True)


def test_an_invalid_number_is_refused_inline(client, app_ctx):
    login(client, make_user())
    response = client.post("/account/notifications/phone", data={"phone": "+1 555 0100"})
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(Notification.id)) is None


def test_an_expired_code_is_refused(client, app_ctx):
    user = make_user()
    login(client, user)
    client.post("/account/notifications/phone", data={"phone": PHONE})
    code = _texted_code()
    settings = _settings(user)
    settings.code_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/account/notifications/phone/verify", data={"code": code})
    assert response.status_code == 422
    assert "expired" in response.get_data(as_text=True)
    assert _settings(user).phone_verified_at is None


def test_attempts_are_limited_then_even_the_right_code_fails(client, app, app_ctx):
    user = make_user()
    login(client, user)
    client.post("/account/notifications/phone", data={"phone": PHONE})
    code = _texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(app.config["PHONE_CODE_MAX_ATTEMPTS"]):
        assert client.post("/account/notifications/phone/verify", data={"code": wrong}).status_code == 422
    response = client.post("/account/notifications/phone/verify", data={"code": code})
    assert response.status_code == 422
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert _settings(user).phone_verified_at is None


def test_codes_to_one_number_are_rate_limited_whoever_asks(client, app, app_ctx):
    first, second = make_user(), make_user()
    with app_config(app, RATE_LIMIT_PHONE_CODE_PER_NUMBER="2 per hour", RATE_LIMIT_PHONE_CODE_PER_IP="100 per hour"):
        login(client, first)
        assert client.post("/account/notifications/phone", data={"phone": PHONE}).status_code == 302
        assert client.post("/account/notifications/phone", data={"phone": "+1 415-555-2671"}).status_code == 302
        client.post("/logout")
        login(client, second)
        assert client.post("/account/notifications/phone", data={"phone": PHONE}).status_code == 429
        # Another number is still fine for this IP.
        assert client.post("/account/notifications/phone", data={"phone": "+442079460958"}).status_code == 302
    texts = db.session.scalars(select(Notification).where(Notification.to_address == PHONE)).all()
    assert len(texts) == 2


def test_codes_from_one_ip_are_rate_limited(client, app, app_ctx):
    login(client, make_user())
    numbers = ["+14155552671", "+442079460958", "+33142685300"]
    with app_config(app, RATE_LIMIT_PHONE_CODE_PER_NUMBER="100 per hour", RATE_LIMIT_PHONE_CODE_PER_IP="2 per hour"):
        statuses = [client.post("/account/notifications/phone", data={"phone": n}).status_code for n in numbers]
    assert statuses == [302, 302, 429]
