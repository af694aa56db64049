from . import (
    alert_routes,  # noqa: F401  (adds its routes to bp)
    profile_routes,  # noqa: F401  (adds its routes to bp)
    routes,  # noqa: F401  (adds its routes to bp)
    upload_errors,  # noqa: F401  (adds its 413 handler to bp)
)
from .blueprint import bp

__all__ = ["bp"]
