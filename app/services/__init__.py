"""Business rules. Services take plain values and models, flush, and return; the caller commits.

The exceptions commit themselves, each because it is a claim or a checkpoint that must be visible to
other processes before the slow part that follows (each says so in its docstring):
- notifications.claim_for_sending: the claim on an outbox row, before the network call;
- webhooks.process_event: the claim on an event, then its outcome;
- resumes.run_parse / stale_parse_ids: the parse's progress, which the candidate's page polls;
- alerts.send_digest: the claim on a digest together with its outbox row.
They run in background jobs, never inside a request's unit of work.
"""
