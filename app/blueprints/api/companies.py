"""Companies: the public profile, and the team for its members."""

from __future__ import annotations

from ...errors import NotFound
from ...services import companies, jobs
from . import schemas as s
from . import serialize
from .blueprint import ok, operation, require

SLUG = "<string(maxlength=140):slug>"


@operation(
    "GET",
    f"/companies/{SLUG}",
    summary="A company's public profile and open jobs",
    tag="Companies",
    response=s.CompanyOut,
    auth="optional",
)
def get_company(slug: str):
    company = companies.get_company_by_slug(slug)
    page = jobs.list_open_jobs(1, company=company, per_page=100)
    return ok(serialize.company(company, page.items))


@operation(
    "GET",
    f"/companies/{SLUG}/team",
    summary="A company's team (its members only)",
    tag="Companies",
    response=list[s.MemberOut],
)
def company_team(slug: str):
    user = require()
    company = companies.get_company_by_slug(slug)
    if user.company is None or user.company.id != company.id:
        raise NotFound("No such company.")  # not confirmed to outsiders, as on the HTML side
    return ok([serialize.member(m) for m in company.memberships])
