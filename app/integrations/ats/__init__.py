"""ATS adapters behind one interface (base.AtsAdapter): Greenhouse (Harvest v3, or the public job
board for import only), Lever, BambooHR and Workday (a job-requisition report)."""

from __future__ import annotations

from .bamboohr import BambooHR
from .base import (
    AdapterSettings,
    AtsAdapter,
    AtsAuthError,
    AtsError,
    AtsJob,
    AtsNotSupported,
    AtsUnavailable,
    AtsWebhookRejected,
    CandidateSubmission,
    CredentialField,
    Resume,
    SentApplication,
    StageChange,
    WebhookNotice,
    split_name,
)
from .greenhouse import GreenhouseHarvest, GreenhouseJobBoard, clear_token_cache
from .lever import Lever
from .workday import DEFAULT_FIELDS as WORKDAY_FIELDS
from .workday import FIELD_LABELS as WORKDAY_FIELD_LABELS
from .workday import WorkdayReport

ADAPTERS: dict[str, type[AtsAdapter]] = {
    "greenhouse": GreenhouseHarvest,
    "greenhouse_board": GreenhouseJobBoard,
    "lever": Lever,
    "bamboohr": BambooHR,
    "workday": WorkdayReport,
}


def build(provider: str, credentials: dict, options: dict | None, settings: AdapterSettings) -> AtsAdapter:
    """The adapter for `provider`, over these (decrypted) credentials."""
    return ADAPTERS[provider](credentials, options or {}, settings)


__all__ = [
    "ADAPTERS",
    "AdapterSettings",
    "AtsAdapter",
    "AtsAuthError",
    "AtsError",
    "AtsJob",
    "AtsNotSupported",
    "AtsUnavailable",
    "AtsWebhookRejected",
    "CandidateSubmission",
    "CredentialField",
    "Resume",
    "SentApplication",
    "StageChange",
    "WebhookNotice",
    "WORKDAY_FIELDS",
    "WORKDAY_FIELD_LABELS",
    "build",
    "clear_token_cache",
    "split_name",
]
