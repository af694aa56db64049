from . import routes  # noqa: F401  (adds its routes to bp)
from .blueprint import bp

__all__ = ["bp"]
