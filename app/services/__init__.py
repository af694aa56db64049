"""Business rules. Services take plain values and models, flush, and return; the caller commits."""
