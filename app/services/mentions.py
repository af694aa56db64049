"""@mentions of teammates in the private notes on an application.

A mention is "@" followed by a teammate's name or email address, where a teammate is a member of
the company that owns the application's job: "@Ana Lima" or "@ana@acme.example". Anything else
after an "@" (a former member, a candidate, another company's recruiter) stays plain text, is not
highlighted and emails nobody. Mentions are found again when a note is shown, so the highlight and
the emails follow the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..models import ApplicationNote, Company, Membership, User
from .notifications import external_url, queue_email

# The "@" starts a word (so the middle of "bob@acme.example" is no mention), and the name or address
# ends a word: "@Ana" is not found in "@Anastasia".
_BEFORE = r"(?<![\w.@])@"
_AFTER = r"(?![\w@-])"


class Mentions:
    """The mention rule for one company's team: find mentioned teammates, highlight them in a note."""

    def __init__(self, members: Iterable[User]):
        self.by_alias: dict[str, User] = {}
        spellings: set[str] = set()
        for user in members:
            for alias in (user.email, user.name):
                alias = " ".join((alias or "").split())
                if alias:
                    self.by_alias.setdefault(alias.casefold(), user)
                    # As written too: the casefolded form alone misses "Groß" ("groß" casefolds to
                    # "gross", which a case-insensitive search does not find in "Groß").
                    spellings.update((alias, alias.casefold()))
        # Longest first, so "@Ana Lima" is the whole name and not only a teammate called "Ana".
        aliases = sorted(spellings, key=lambda a: (-len(a), a))
        self.pattern = (
            re.compile(_BEFORE + "(" + "|".join(re.escape(a) for a in aliases) + ")" + _AFTER, re.IGNORECASE)
            if aliases
            else None
        )

    def _user(self, match: re.Match) -> User | None:
        return self.by_alias.get(" ".join(match.group(1).split()).casefold())

    def mentioned(self, body: str) -> list[User]:
        """Teammates mentioned in `body`, in order of first mention, each once."""
        if self.pattern is None:
            return []
        found: dict[int, User] = {}
        for match in self.pattern.finditer(body or ""):
            user = self._user(match)
            if user is not None:
                found.setdefault(user.id, user)
        return list(found.values())

    def highlight(self, body: str) -> Markup:
        """`body` as safe HTML with each teammate's mention marked (everything else escaped)."""
        body = body or ""
        if self.pattern is None:
            return escape(body)
        parts, last = [], 0
        for match in self.pattern.finditer(body):
            user = self._user(match)
            if user is None:
                continue
            parts.append(escape(body[last : match.start()]))
            mention = body[match.start() : match.end()]
            parts.append(Markup('<mark class="mention" title="{}">{}</mark>').format(user.email, mention))
            last = match.end()
        parts.append(escape(body[last:]))
        return Markup("").join(parts)


def for_company(company: Company | None) -> Mentions:
    """The mention rule for `company`'s current members (none without a company). One query for
    the whole team (every note shown and every note added reads it), not one per member."""
    if company is None:
        return Mentions([])
    return Mentions(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.company_id == company.id, User.active)
            .order_by(Membership.id)  # as before: of two teammates with one name, the earlier member
        )
    )


def note_added(note: ApplicationNote, author: User) -> list[User]:
    """Email each teammate mentioned in a new note, once each and never its author, through the
    outbox (queued in the caller's transaction). Returns who was emailed."""
    application = note.application
    job = application.job
    teammates = [user for user in for_company(job.company).mentioned(note.body) if user.id != author.id]
    link = external_url("recruiter.application_detail", application_id=application.id) + f"#note-{note.id}"
    for teammate in teammates:
        queue_email(
            teammate.email,
            "note_mention",
            user=teammate,
            name=teammate.display_name,
            author=author.display_name,
            candidate=application.candidate.display_name,
            job_title=job.title,
            body=note.body,
            link=link,
        )
    return teammates
