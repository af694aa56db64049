"""Operations: /health/live, /health, /metrics and Admin -> System status."""

from . import routes  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
