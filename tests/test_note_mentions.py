"""@mentions of teammates in an application's private notes: highlighted, and emailed once each."""

import pytest
from conftest import hx
from factories import emailed_link, login, make_application, make_job, make_recruiter, make_user
from sqlalchemy import event

from app.extensions import db
from app.models import EmailMessage, Membership


@pytest.fixture
def owner(app_ctx):
    return make_recruiter("Acme", name="Olga Owner")


def _teammate(owner, name: str, email: str):
    user = make_user(email, name=name, role="recruiter")
    db.session.add(Membership(company_id=owner.company.id, user_id=user.id, role="recruiter"))
    db.session.commit()
    return user


def _mention_emails():
    db.session.expire_all()
    return db.session.scalars(db.select(EmailMessage).where(EmailMessage.template == "note_mention")).all()


def test_mentioned_teammate_is_emailed_once_with_a_link_to_the_application(client, owner):
    ana = _teammate(owner, "Ana Lima", "ana@acme.example")
    _teammate(owner, "Bruno Silent", "bruno@acme.example")
    outsider = make_recruiter("Other Co", name="Ana Outsider", email="ana.out@other.example")
    application = make_application(make_job(owner), make_user(name="Cara Candidate"))
    login(client, owner)
    body = (
        f"@Ana Lima can you call her? Also @{ana.email} again, @{outsider.email} and "
        "@Olga Owner (that is me) and @Nobody Here."
    )
    response = client.post(f"/recruiter/applications/{application.id}/notes", data={"body": body}, headers=hx("notes"))
    assert response.status_code == 200

    emails = _mention_emails()
    assert [message.to_address for message in emails] == ["ana@acme.example"]  # not the author, not outsiders
    assert "Olga Owner mentioned you" in emails[0].subject
    assert "Cara Candidate" in emails[0].subject
    link = emailed_link("ana@acme.example", "note_mention")
    assert link.startswith(f"/recruiter/applications/{application.id}#note-")

    client.post("/logout")
    login(client, ana)
    page = client.get(link.split("#")[0])
    assert page.status_code == 200
    assert '<mark class="mention" title="ana@acme.example">@Ana Lima</mark>' in page.text
    assert f'<mark class="mention" title="ana@acme.example">@{ana.email}</mark>' in page.text
    assert f"@{outsider.email}" in page.text  # shown as typed, but plain text
    assert f'">@{outsider.email}</mark>' not in page.text
    assert "@Nobody Here." in page.text


def test_a_note_without_mentions_emails_nobody_and_is_escaped(client, owner):
    _teammate(owner, "Ana Lima", "ana@acme.example")
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    client.post(
        f"/recruiter/applications/{application.id}/notes",
        data={"body": "<b>Ana Lima</b> and mail ana@acme.example later"},
    )
    assert _mention_emails() == []
    page = client.get(f"/recruiter/applications/{application.id}")
    assert "&lt;b&gt;Ana Lima&lt;/b&gt;" in page.text
    assert '<mark class="mention"' not in page.text


def test_another_companys_member_cannot_be_mentioned(client, owner):
    other = make_recruiter("Other Co", name="Zed Other")
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    client.post(f"/recruiter/applications/{application.id}/notes", data={"body": "@Zed Other thoughts?"})
    assert _mention_emails() == []
    assert other.email not in client.get(f"/recruiter/applications/{application.id}").text


def _user_queries(client, url: str) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "FROM users" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_notes_read_the_team_in_one_query_however_large(client, owner):
    # The highlight needs every teammate's name and address: one query for the team, not one each.
    application = make_application(make_job(owner), make_user())
    _teammate(owner, "Ana Lima", "ana@acme.example")
    login(client, owner)
    url = f"/recruiter/applications/{application.id}"
    client.get(url)
    small = _user_queries(client, url)
    for n in range(5):
        _teammate(owner, f"Teammate {n}", f"t{n}@acme.example")
    db.session.expire_all()
    assert _user_queries(client, url) == small


def test_a_name_with_letters_that_casefold_to_two_is_mentioned_as_written(client, owner):
    # "ß" casefolds to "ss": the mention must be found as the teammate's name is written.
    _teammate(owner, "Jürgen Groß", "juergen@acme.example")
    application = make_application(make_job(owner), make_user())
    login(client, owner)
    client.post(f"/recruiter/applications/{application.id}/notes", data={"body": "@Jürgen Groß please call her"})
    assert [message.to_address for message in _mention_emails()] == ["juergen@acme.example"]
    page = client.get(f"/recruiter/applications/{application.id}").text
    assert '<mark class="mention" title="juergen@acme.example">@Jürgen Groß</mark>' in page
