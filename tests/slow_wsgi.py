"""The real app plus one slow route, for the graceful-shutdown test (served by gunicorn with the
project's gunicorn.conf.py)."""

import time

from wsgi import app


@app.get("/test-slow-request")
def slow():
    time.sleep(float(app.config.get("TEST_SLOW_SECONDS", 4)))
    return "finished"
