"""The tables, one module per area; every name is here too, as `server.storage.models.User`."""

from server.storage.models.activity import (
    ACTIONS,
    SNOOZE_DAYS,
    SUPPRESSING,
    AuditEntry,
    Feedback,
    JobRun,
    RateCount,
    SuggestionEvent,
    XapiOutbox,
)
from server.storage.models.base import Base, now
from server.storage.models.career import (
    Occupation,
    OccupationSkill,
    OccupationTask,
    OccupationTitle,
    RelatedOccupation,
    Skill,
)
from server.storage.models.content import (
    SOURCE_KINDS,
    ContentTags,
    ContentVersion,
    RuleVersion,
    Source,
)
from server.storage.models.growth import (
    INTEREST_STATES,
    OPPORTUNITY_KINDS,
    OPPORTUNITY_STATES,
    Expertise,
    Opportunity,
    OpportunityInterest,
)
from server.storage.models.people import (
    ROLES,
    TOKEN_SCOPES,
    ApiToken,
    DirectoryGroup,
    DirectoryMember,
    FeedbackRequest,
    PersonFeedback,
    Profile,
    SkillRating,
    User,
)
from server.storage.models.sign_in import ConnectCode, ConsoleSession, LoginLink, OidcRequest

__all__ = [
    "ACTIONS", "ApiToken", "AuditEntry", "Base", "ConnectCode", "ConsoleSession",
    "ContentTags", "ContentVersion", "DirectoryGroup", "DirectoryMember", "Expertise", "Feedback",
    "INTEREST_STATES", "OPPORTUNITY_KINDS", "OPPORTUNITY_STATES", "Opportunity",
    "OpportunityInterest",
    "FeedbackRequest", "JobRun", "LoginLink", "Occupation", "OccupationSkill", "OccupationTask",
    "OccupationTitle", "OidcRequest", "PersonFeedback", "Profile", "ROLES", "RateCount",
    "RelatedOccupation", "RuleVersion", "SNOOZE_DAYS", "SOURCE_KINDS", "SUPPRESSING", "Skill",
    "SkillRating", "Source", "SuggestionEvent", "TOKEN_SCOPES", "User", "XapiOutbox", "now"
]
