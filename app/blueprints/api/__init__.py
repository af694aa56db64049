"""REST API v1 (/api/v1): thin routes over the same services the HTML pages use."""

from . import auth, companies, docs, jobs, tokens, users, webhooks  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
