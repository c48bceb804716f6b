"""The closed vocabularies a bank question is written in: levels, kinds and role tracks.

Kept apart from the pydantic models (which re-export them) so that listing, filtering and
choosing questions never import pydantic.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class QuestionKind(StrEnum):
    """What a question asks the candidate to do; each kind has a rubric shape of its own."""

    CONCEPT = "concept"  # explain a service or an idea, and when to use it
    SCENARIO = "scenario"  # a situation to handle: decide, plan, migrate
    TROUBLESHOOTING = "troubleshooting"  # a symptom: diagnose step by step, then fix
    DESIGN = "design"  # a product brief: requirements, architecture, trade-offs, failure, cost
    BEHAVIOURAL = "behavioural"  # a story from experience, in STAR form


class Track(StrEnum):
    """A role a candidate prepares for; a question can belong to several."""

    SOLUTIONS_ARCHITECT = "solutions-architect"
    DEVOPS = "devops"
    DEVELOPER = "developer"
    SRE = "sre"
    SECURITY = "security"
    DATA_ENGINEER = "data-engineer"
    GENAI = "genai"
