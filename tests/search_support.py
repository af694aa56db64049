"""Shared fixtures and helpers of the search tests (this module holds no tests itself)."""

import html as htmllib
import re

import pytest

from app.search.index import get_index
from app.search.sync import rebuild


@pytest.fixture
def fresh_index(app, tmp_path):
    """This test's own index directory, built (empty) before the test adds its jobs.

    The session's app is shared by every test and its tables are emptied after each one; a
    separate index per test keeps one test's corrupt or deleted index from meeting the next."""
    previous = app.config.get("SEARCH_INDEX_DIR")
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "search-index")
    with app.app_context():
        rebuild(app)
        handle = get_index(app)
    yield handle
    for thread in (
        handle.rebuild_thread,
        getattr(handle, "catch_up_thread", None),
        getattr(handle, "merge_thread", None),
    ):
        if thread is not None:
            thread.join(timeout=30)
    app.config["SEARCH_INDEX_DIR"] = previous


_TITLE = re.compile(r'<h3 id="job-\d+-title"><a href="[^"]*">(.*?)</a></h3>', re.S)


def titles(page: str) -> list[str]:
    """Job titles shown in a jobs page or fragment, in order."""
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", t)) for t in _TITLE.findall(page)]
