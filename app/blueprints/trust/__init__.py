from . import account_routes, report_routes  # noqa: F401  (add their routes to bp)
from .blueprint import bp

__all__ = ["bp"]
