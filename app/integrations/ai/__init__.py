"""Resume parsing and match scoring: OpenAI when OPENAI_API_KEY is set, local heuristics otherwise.

Both produce the same shapes (schema.ResumeProfile, schema.MatchResult), so the services do not
care which one answered; they record which did.
"""

from .openai_client import AIError, AIUnavailable, OpenAIResumeAI, from_config
from .schema import Contact, MatchResult, Position, ResumeProfile, Schooling

__all__ = [
    "AIError",
    "AIUnavailable",
    "OpenAIResumeAI",
    "from_config",
    "Contact",
    "MatchResult",
    "Position",
    "ResumeProfile",
    "Schooling",
]
