"""The two baselines bench/pages.py measures the app against, under the same gunicorn settings:

    hello    bare Flask answering "Hello"                       (what the framework costs)
    ceiling  Flask + a Jinja page of 20 jobs from one SQLAlchemy query  (what any page of ours must pay)

Run as `gunicorn -c gunicorn.conf.py 'bench.baseline_app:create("ceiling")'`; reads DATABASE_URL.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Jobs</title></head><body>
<main><h1>Jobs</h1><ul>
{% for job in jobs %}<li><article><h3><a href="/jobs/{{ job.id }}/{{ job.slug }}">{{ job.title }}</a></h3>
<p>{{ job.location }} · {{ job.workplace }} · {{ job.employment_type }} · {{ job.seniority }}</p>
<p>Posted {{ job.published_at.strftime("%b %-d, %Y") }}</p></article></li>{% endfor %}
</ul></main></body></html>"""


def create(kind: str = "ceiling") -> Flask:
    app = Flask(__name__)
    if kind == "hello":

        @app.get("/")
        def hello():
            return "Hello"

        return app
    url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=10)
    query = text(
        "SELECT id, slug, title, location, workplace, employment_type, seniority, published_at FROM jobs "
        "WHERE status = 'published' ORDER BY published_at DESC LIMIT 20"
    )

    @app.get("/")
    def ceiling():
        with engine.connect() as connection:
            jobs = connection.execute(query).all()
        return render_template_string(PAGE, jobs=jobs)

    return app
