from urllib.parse import urlencode

from flask import current_app, jsonify, request

from ...errors import NotFound, error_envelope
from ...extensions import csrf, db
from ...services import webhooks
from .. import limits
from .blueprint import bp


@bp.post("/webhooks/<provider>")
@bp.post("/webhooks/<provider>/<int:connection_id>")  # a company's own ATS, verified with its secret
@csrf.exempt  # providers authenticate with their signature, not a session
@limits.webhooks
def receive(provider: str, connection_id: int | None = None):
    """Store a provider's delivery and answer fast; processing happens in a worker."""
    body = request.get_data(cache=False)
    if not body and request.mimetype == "application/x-www-form-urlencoded":
        # A form body (Twilio) was parsed already by the hostile-input check in app/web.py; its
        # signature covers the parameters, not their byte order, so re-encoding them is exact.
        body = urlencode(list(request.form.items(multi=True))).encode()
    try:
        result = webhooks.ingest(provider, body, request.headers, request.content_type, connection_id)
    except NotFound as error:
        return error_envelope(404, error.message)
    except webhooks.WebhookRejected as error:
        db.session.rollback()
        current_app.logger.warning("Rejected %s webhook from %s: %s", provider[:30], request.remote_addr, error)
        return error_envelope(400, str(error))
    db.session.commit()
    return jsonify(success=True, data={"accepted": len(result.accepted), "duplicates": result.duplicates})
