from flask import current_app, jsonify, request

from ...errors import NotFound
from ...extensions import csrf, db
from ...services import webhooks
from . import bp


@bp.post("/webhooks/<provider>")
@csrf.exempt  # providers authenticate with their signature, not a session
def receive(provider: str):
    """Store a provider's delivery and answer fast; processing happens in a worker."""
    body = request.get_data(cache=False)
    try:
        result = webhooks.ingest(provider, body, request.headers, request.content_type)
    except NotFound as error:
        return jsonify(error={"code": "not_found", "message": error.message}), 404
    except webhooks.WebhookRejected as error:
        db.session.rollback()
        current_app.logger.warning("Rejected %s webhook from %s: %s", provider, request.remote_addr, error)
        return jsonify(error={"code": "rejected", "message": str(error)}), 400
    db.session.commit()
    return jsonify(data={"accepted": len(result.accepted), "duplicates": result.duplicates})
