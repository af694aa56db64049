"""Issue 13's visual identity, the parts a test can see: company logos and their initials fallback
on job cards and job pages, colours that pass AA in light and dark mode, and icons that exist."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from factories import make_job, make_recruiter
from sqlalchemy import event

from app.extensions import db
from app.models import Document
from app.services.branding import AVATAR_COLOURS, AVATAR_TEXT, company_avatar, company_initials, contrast_ratio

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"


def _give_logo(company) -> Document:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    logo = Document(filename="logo.png", content_type="image/png", size=len(png), sha256="0" * 64, data=png)
    db.session.add(logo)
    db.session.flush()
    company.logo_id = logo.id
    db.session.commit()
    return logo


def _card(html: str, title: str) -> str:
    """The <li class="job-card"> that holds `title`."""
    cards = re.findall(r'<li class="job-card[^"]*">.*?</li>\s*(?=<li class="job-card|</ul>)', html, re.S)
    return next(card for card in cards if title in card)


def test_job_card_without_a_logo_shows_the_company_initials_in_its_own_colour(client, app_ctx):
    make_job(make_recruiter("Rocket Labs"), title="Avatar Role")
    card = _card(client.get("/jobs").text, "Avatar Role")
    avatar = company_avatar("Rocket Labs")
    assert avatar.initials == "RL"
    mark = re.search(r'<svg class="company-mark company-mark--initials"[^>]*>.*?</svg>', card, re.S).group(0)
    assert 'aria-hidden="true"' in mark  # the company's name is written beside it
    assert f'fill="{avatar.background}"' in mark
    assert ">RL</text>" in mark
    assert "<img" not in card


def test_job_card_and_job_page_show_the_logo_when_the_company_has_one(client, app_ctx):
    owner = make_recruiter("Logo Works")
    job = make_job(owner, title="Logo Role")
    logo = _give_logo(owner.company)
    card = _card(client.get("/jobs").text, "Logo Role")
    src = f"/companies/{owner.company.slug}/logo?v={logo.id}"
    assert f'<img class="company-mark" src="{src}" alt="" width="48" height="48" loading="lazy"' in card
    assert "company-mark--initials" not in card
    page = client.get(f"/jobs/{job.id}/{job.slug}").text
    assert f'<img class="company-mark" src="{src}" alt="" width="64" height="64">' in page  # above the fold: not lazy
    assert client.get(src).data == logo.data


def test_the_jobs_page_loads_logos_without_a_query_per_card(client, app_ctx):
    make_job(make_recruiter("First Co"), title="Only Role")
    client.get("/jobs")  # warm up: index caught up, caches filled

    def selects_for_jobs_page() -> int:
        statements = []
        thread = threading.get_ident()

        def record(conn, cursor, statement, parameters, context, executemany):
            if threading.get_ident() == thread and statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/jobs").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    selects_for_jobs_page()
    one_card = selects_for_jobs_page()
    for n in range(4):
        owner = make_recruiter(f"Logo Co {n}")
        make_job(owner, title=f"Logo Role {n}")
        _give_logo(owner.company)
    client.get("/jobs")
    assert selects_for_jobs_page() <= one_card  # five cards, four logos: not one query more


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Rocket Labs", "RL"), ("acme", "AC"), ("Łódź Robotics", "ŁR"), ("Nguyễn & Co", "NC"), ("3M", "3M"), ("—", "?")],
)
def test_initials_take_letters_in_any_script(name, initials):
    assert company_initials(name) == initials


def test_avatar_colours_are_the_same_every_time_and_readable():
    assert company_avatar("Rocket Labs") == company_avatar("Rocket Labs")
    assert company_avatar("Rocket Labs") == company_avatar(" rocket labs ")  # one company, one colour
    assert len({company_avatar(f"Company {n}").background for n in range(60)}) > len(AVATAR_COLOURS) // 2
    for colour in AVATAR_COLOURS:
        assert contrast_ratio(AVATAR_TEXT, colour) >= 4.5, colour


def _tokens(css: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", css))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_tokens_pass_aa_in_light_and_dark_mode(scheme):
    css = (STATIC / "css" / "tokens.css").read_text()
    light_css, dark_css = css.split("@media (prefers-color-scheme: dark)")
    tokens = _tokens(light_css)
    if scheme == "dark":
        tokens |= _tokens(dark_css)
    text_on = {  # text colour -> the backgrounds it is drawn on
        "ink": ["surface", "bg", "surface-sunken", "neutral-soft", "highlight"],
        "muted": ["surface", "bg", "surface-sunken", "neutral-soft"],
        "brand": ["surface", "bg", "brand-soft"],
        "on-brand": ["brand"],
        "brand-soft-ink": ["brand-soft"],
        "ok": ["surface", "ok-soft"],
        "ok-ink": ["ok-soft"],
        "danger": ["surface", "danger-soft"],
        "danger-ink": ["danger-soft"],
        "warn": ["surface", "warn-soft"],
    }
    for fg, backgrounds in text_on.items():
        for bg in backgrounds:
            assert contrast_ratio(tokens[fg], tokens[bg]) >= 4.5, (scheme, fg, bg)
    for edge in ("line-strong", "focus"):  # form borders and focus rings: non-text contrast
        assert contrast_ratio(tokens[edge], tokens["surface"]) >= 3, (scheme, edge)


def test_every_icon_a_page_uses_is_in_the_sprite(client, app_ctx):
    make_job(make_recruiter("Icon Co"))
    symbols = set(re.findall(r'<symbol id="([\w-]+)"', (STATIC / "icons.svg").read_text()))
    used = set()
    for path in ("/", "/jobs", "/jobs?q=zzzzzz"):
        html = client.get(path).text
        used |= set(re.findall(r'<use href="/static/icons\.svg#([\w-]+)"', html))
        assert '<svg class="icon' in html
    assert used
    assert used <= symbols
    templates = Path(__file__).resolve().parent.parent / "app" / "templates"
    named = {m for f in templates.rglob("*.html") for m in re.findall(r'icon\("([\w-]+)"', f.read_text())}
    assert named <= symbols, named - symbols


def test_the_navigation_marks_the_section_the_page_is_in(client, app_ctx):
    job = make_job(make_recruiter("Nav Co"))
    current = '<a href="/jobs" aria-current="page">Find jobs</a>'
    assert current in client.get("/jobs").text
    assert current in client.get(f"/jobs/{job.id}/{job.slug}").text  # a job is in "Find jobs"
    home = client.get("/").text
    assert '<a href="/jobs">Find jobs</a>' in home
    assert 'aria-current="page"' not in home
