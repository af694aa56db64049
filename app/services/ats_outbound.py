"""An application on its way to the company's ATS: queued in the apply transaction.

Apart from ats_sync.py (which moves applications when the ATS moves them, so imports applications.py)
to keep the services' import graph acyclic: applications.py calls this at apply.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Application, AtsApplicationLink, AtsConnection, AtsSendStatus
from ..tasks import enqueue
from . import ats


def application_submitted(application: Application) -> None:
    """Apply's hook: queue the application for the company's ATS when the job came from it and the
    company sends applications. Runs in the apply transaction; the send starts after its commit."""
    job = application.job
    if not job.external_source or not job.external_id:
        return
    connection = db.session.scalar(select(AtsConnection).where(AtsConnection.company_id == job.company_id))
    if connection is None or not connection.sync_applications or connection.job_source != job.external_source:
        return
    if not ats.adapter_class(connection).supports_applications:
        return
    link = AtsApplicationLink(connection_id=connection.id, application_id=application.id, status=AtsSendStatus.PENDING)
    db.session.add(link)
    db.session.flush()
    enqueue("ats.send_application", application.id)
