"""Job distribution: feeds, sitemap, robots.txt, Google for Jobs JSON-LD, the company widget."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from factories import make_job, make_recruiter

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "google_job_posting.json").read_text())
BASE = "http://127.0.0.1:5000"


@pytest.fixture
def base_url(app):
    previous = app.config["BASE_URL"]
    app.config["BASE_URL"] = "https://jobs.example.org"
    yield "https://jobs.example.org"
    app.config["BASE_URL"] = previous


def parse_xml(data: bytes):
    return ElementTree.fromstring(data)  # noqa: S314  (our own app's answer, in a test)


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "the job page carries JSON-LD"
    return json.loads(match.group(1))


# --- Feeds ------------------------------------------------------------------------------------------


def test_atom_feed_lists_open_jobs_with_absolute_links_from_base_url(client, app_ctx, base_url):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="Python <Engineer>", description="Write *code* & ship.<script>alert(1)</script>")
    make_job(owner, title="Old closed job", status="closed")
    make_job(owner, title="A draft", status="draft")
    response = client.get("/jobs.atom", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["ETag"]
    feed = parse_xml(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Python <Engineer> at Acme"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"{base_url}/jobs/{job.id}/{job.slug}"
    assert "evil.example" not in response.get_data(as_text=True)
    # The sanitised HTML, escaped into the XML (a feed reader renders it as HTML).
    assert entries[0].find(f"{ATOM}content").text.startswith("<p>Write <em>code</em> &amp; ship.")
    assert "<script" not in entries[0].find(f"{ATOM}content").text
    again = client.get("/jobs.atom", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_feed_respects_the_search_filters(client, app_ctx):
    owner = make_recruiter("Acme")
    make_job(owner, title="Remote Rust developer", workplace="remote", skills="Rust")
    make_job(owner, title="Office Python developer", workplace="onsite")
    make_job(make_recruiter("Globex"), title="Globex Python lead", workplace="remote")

    def titles(query):
        feed = parse_xml(client.get(f"/jobs.atom?{query}").data)
        return sorted(e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry"))

    assert titles("workplace=remote") == ["Globex Python lead at Globex", "Remote Rust developer at Acme"]
    assert titles("q=python") == ["Globex Python lead at Globex", "Office Python developer at Acme"]
    assert titles("q=python&workplace=remote") == ["Globex Python lead at Globex"]
    assert titles("company=globex") == ["Globex Python lead at Globex"]
    # Hostile filter values are dropped as on /jobs, never an error.
    assert client.get("/jobs.atom?workplace=%3Cscript%3E&salary_min=lots&page=-3").status_code == 200


def test_rss_feed(client, app_ctx):
    make_job(make_recruiter("Acme"), title="Data analyst")
    response = client.get("/jobs.rss")
    assert response.mimetype == "application/rss+xml"
    channel = parse_xml(response.data).find("channel")
    assert [item.find("title").text for item in channel.findall("item")] == ["Data analyst at Acme"]


# --- Sitemap and robots -----------------------------------------------------------------------------


def test_sitemap_lists_open_jobs_and_companies_with_lastmod(client, app_ctx, base_url):
    owner = make_recruiter("Acme")
    job = make_job(owner)
    closed = make_job(owner, status="closed")
    make_recruiter("Empty Inc")  # no open job: nothing to index
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = parse_xml(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    urls = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert f"{base_url}/jobs/{job.id}/{job.slug}" in urls
    assert f"{base_url}/companies/{owner.company.slug}" in urls
    assert not any(f"/jobs/{closed.id}/" in url for url in urls)
    assert not any("empty-inc" in url for url in urls)
    assert urls[f"{base_url}/jobs/{job.id}/{job.slug}"].text.startswith(str(job.updated_at.year))
    assert "public" in response.headers["Cache-Control"]


def test_large_sitemap_becomes_an_index_of_parts(client, app, app_ctx, base_url):
    owner = make_recruiter("Acme")
    jobs = [make_job(owner, title=f"Job {n}") for n in range(5)]
    app.config["SITEMAP_MAX_URLS"] = 2
    try:
        root = parse_xml(client.get("/sitemap.xml").data)
        assert root.tag == f"{SITEMAP}sitemapindex"
        parts = [s.find(f"{SITEMAP}loc").text for s in root.findall(f"{SITEMAP}sitemap")]
        assert parts == [
            f"{base_url}/sitemap/jobs-1.xml",
            f"{base_url}/sitemap/jobs-2.xml",
            f"{base_url}/sitemap/jobs-3.xml",
            f"{base_url}/sitemap/companies-1.xml",
        ]
        listed = []
        for part in parts:
            part_root = parse_xml(client.get(part.removeprefix(base_url)).data)
            listed += [u.find(f"{SITEMAP}loc").text for u in part_root.findall(f"{SITEMAP}url")]
        assert sorted(listed) == sorted(
            [f"{base_url}/jobs/{j.id}/{j.slug}" for j in jobs] + [f"{base_url}/companies/{owner.company.slug}"]
        )
        assert client.get("/sitemap/jobs-9.xml").status_code == 404
        assert client.get("/sitemap/users-1.xml").status_code == 404
    finally:
        app.config.pop("SITEMAP_MAX_URLS")


def test_robots_txt_points_at_the_sitemap_from_base_url(client, base_url):
    response = client.get("/robots.txt", headers={"Host": "evil.example"})
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert f"Sitemap: {base_url}/sitemap.xml" in text
    assert "Disallow: /admin/" in text


# --- Google for Jobs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expect"),
    [
        ({"workplace": "hybrid", "location": "Berlin, Germany"}, {"jobLocation"}),
        ({"workplace": "onsite", "location": "Pune, Maharashtra, India", "salary_max": None}, {"jobLocation"}),
        ({"workplace": "remote", "location": "Canada", "salary_min": None, "salary_max": 120000}, {"jobLocationType"}),
    ],
)
def test_job_posting_json_ld_validates_against_googles_fields(client, app_ctx, base_url, fields, expect):
    job = make_job(make_recruiter("Acme"), **fields)
    data = json_ld(client.get(f"/jobs/{job.id}/{job.slug}").get_data(as_text=True))
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert expect <= data.keys()
    for key in ("datePosted", "validThrough", "employmentType", "baseSalary", "directApply", "identifier"):
        assert key in data
    assert data["url"].startswith(base_url)
    if fields["workplace"] == "remote":
        assert data["jobLocationType"] == "TELECOMMUTE"
        assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "Canada"}
    else:
        assert data["jobLocation"]["address"]["addressCountry"] == fields["location"].split(", ")[-1]


def test_schema_rejects_a_posting_missing_what_google_requires(client, app_ctx):
    job = make_job(make_recruiter("Acme"))
    data = json_ld(client.get(f"/jobs/{job.id}/{job.slug}").get_data(as_text=True))
    for key in ("datePosted", "hiringOrganization", "title", "jobLocation"):
        broken = {k: v for k, v in data.items() if k != key}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


# --- The widget ---------------------------------------------------------------------------------------


def test_widget_lists_a_companys_open_jobs_and_may_be_framed(client, app_ctx, base_url):
    owner = make_recruiter("Acme")
    job = make_job(owner, title="Support engineer")
    make_job(owner, title="Closed role", status="closed")
    make_job(make_recruiter("Globex"), title="Someone else's job")
    response = client.get(f"/companies/{owner.company.slug}/widget")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Support engineer" in html
    assert "Closed role" not in html
    assert "Someone else" not in html
    assert f'href="{base_url}/jobs/{job.id}/{job.slug}"' in html
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "<script" not in html
    assert "public" in response.headers["Cache-Control"]
    # Every other page still refuses to be framed.
    other = client.get(f"/companies/{owner.company.slug}")
    assert other.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert client.get("/companies/no-such-company/widget").status_code == 404


def test_company_settings_page_offers_the_embed_codes(client, app_ctx, base_url):
    from factories import login

    owner = make_recruiter("Acme")
    job = make_job(owner, title="Support engineer")
    login(client, owner)
    html = client.get("/recruiter/company").get_data(as_text=True)
    assert f"&lt;iframe src=&#34;{base_url}/companies/{owner.company.slug}/widget&#34;" in html
    assert f"{base_url}/jobs/{job.id}/{job.slug}" in html
    assert "&lt;script" not in html
    assert f"{base_url}/jobs.atom?company={owner.company.slug}" in html
