from ..extensions import db
from ..models import AuditLog


def record(actor, action: str, subject, **details) -> AuditLog:
    """Append an audit entry in the caller's transaction."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=type(subject).__name__.lower() if subject is not None else "system",
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry
