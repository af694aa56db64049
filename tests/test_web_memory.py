"""Issue 9, memory: a web worker does not carry the SDKs it never calls. The payment SDK and the
document readers are imported on first use (app/integrations/lazy.py), which keeps ~36 MB out of
every web worker; these tests fail when someone imports one of them at module level again, and show
that the first use still gets the real thing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.integrations.documents import extract_text, sniff_resume_type
from app.integrations.documents.sniff import PDF
from app.integrations.lazy import lazy_module
from app.integrations.payments import stripe as stripe_provider

ROOT = Path(__file__).resolve().parents[1]
LAZY = ("stripe", "pypdf", "docx")


def test_a_web_process_starts_without_the_payment_sdk_or_the_document_readers(tmp_path):
    """A fresh interpreter builds the app the way gunicorn does (wsgi:app) and serves a page."""
    script = (
        "import json, sys\n"
        "from wsgi import app\n"
        "assert app.test_client().get('/health/live').status_code == 200\n"
        f"print(json.dumps([m for m in {list(LAZY)!r} if m in sys.modules]))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "REDIS_URL": "",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_first_use_imports_the_real_module():
    from factories import pdf_bytes

    assert sniff_resume_type(pdf_bytes("Ada Lovelace\nPython")) == PDF
    assert "Ada Lovelace" in extract_text(pdf_bytes("Ada Lovelace\nPython"), PDF)
    import pypdf

    assert lazy_module("pypdf").PdfReader is pypdf.PdfReader


def test_a_missing_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        lazy_module("json").no_such_thing  # noqa: B018
    assert lazy_module("json").dumps is json.dumps


def test_the_stripe_tolerance_constant_is_stripes_own():
    import stripe

    assert stripe_provider.DEFAULT_TOLERANCE == stripe.Webhook.DEFAULT_TOLERANCE
