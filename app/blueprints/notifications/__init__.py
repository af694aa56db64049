"""The preference centre (/account/notifications): kind x channel choices, phone verification,
quiet hours, one-click unsubscribe, and a company's Slack channel."""

from . import routes  # noqa: F401  (adds its routes to bp)
from .blueprint import bp

__all__ = ["bp"]
