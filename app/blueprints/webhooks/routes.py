from flask import current_app, jsonify, request

from ...errors import NotFound, error_envelope
from ...extensions import csrf, db
from ...services import webhooks
from .. import limits
from .blueprint import bp


@bp.post("/webhooks/<provider>")
@csrf.exempt  # providers authenticate with their signature, not a session
@limits.webhooks
def receive(provider: str):
    """Store a provider's delivery and answer fast; processing happens in a worker."""
    body = request.get_data(cache=False)
    try:
        result = webhooks.ingest(provider, body, request.headers, request.content_type)
    except NotFound as error:
        return error_envelope(404, error.message)
    except webhooks.WebhookRejected as error:
        db.session.rollback()
        current_app.logger.warning("Rejected %s webhook from %s: %s", provider[:30], request.remote_addr, error)
        return error_envelope(400, str(error))
    db.session.commit()
    return jsonify(success=True, data={"accepted": len(result.accepted), "duplicates": result.duplicates})
