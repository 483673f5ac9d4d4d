"""Who may call which API endpoint: every rule in this one table, deny by default.

A role rule says who may call an endpoint at all. Rules about a particular object (whose profile,
which document's audience) are the service's, after this check: server/people/profile.py for people,
index audiences for content. tests/server/api/test_access.py walks every endpoint with every role.
"""

from server.errors import ApiError
from server.storage.models import ROLES

EVERYONE = ROLES
MANAGE = ("ld", "admin")  # who looks after the content library (L&D and admins)
ADMIN = ("admin",)
POSTERS = ("manager", "ld", "admin")  # who posts opportunities (the owner's rules: people/)

API = {
    # the person and their work
    "api.me": EVERYONE, "api.suggestions": EVERYONE, "api.give_feedback": EVERYONE,
    "api.search": EVERYONE, "api.content": EVERYONE, "api.versions": EVERYONE,
    "api.topics": EVERYONE,
    "api.my_profile": EVERYONE, "api.put_my_profile": EVERYONE,
    "api.export_me": EVERYONE, "api.forget_me": EVERYONE,
    "api.my_skills": EVERYONE, "api.rate_my_skill": EVERYONE,
    "api.my_gaps": EVERYONE, "api.my_feed": EVERYONE,
    "api.my_feedback": EVERYONE, "api.ask_for_feedback": EVERYONE,
    "api.search_roles": EVERYONE, "api.role": EVERYONE,
    "api.role_next": EVERYONE, "api.skills_in_demand": EVERYONE,
    # other people: the role gate is open, the person's rules decide (server/people/profile.py)
    "api.person_profile": EVERYONE, "api.give_person_feedback": EVERYONE,
    "api.read_person_feedback": EVERYONE, "api.team_skills": EVERYONE,
    # the content library and its sources
    "api.stale": MANAGE, "api.tag_content": MANAGE, "api.bulk_tag": MANAGE,
    "api.list_sources": MANAGE, "api.create_source": MANAGE, "api.run_source": MANAGE,
    "api.delete_source": MANAGE,
    # opportunities and experts: anyone finds, says interested and offers to be asked; the
    # owner's rules (server/people/opportunities.py) decide who edits, sees interest, accepts
    "api.list_opportunities": EVERYONE, "api.my_opportunities": EVERYONE,
    "api.opportunity": EVERYONE, "api.say_interested": EVERYONE,
    "api.withdraw_interest": EVERYONE, "api.my_expertise": EVERYONE,
    "api.offer_expertise": EVERYONE, "api.withdraw_expertise": EVERYONE,
    "api.create_opportunity": POSTERS, "api.change_opportunity": POSTERS,
    "api.interested_people": POSTERS, "api.accept_interest": POSTERS,
    # organisation-wide settings
    "api.flag_skill": ADMIN,
}


# Open to anyone, no token: the API's contract, so clients and tools can read it first; and the
# extension's connect code exchange, where the one-time code and its verifier are the credential.
PUBLIC = {"api.openapi_document", "api.connect_extension"}


def check(endpoint: str | None, role: str) -> None:
    """ApiError 403 unless the table lets this role call the endpoint."""
    allowed = API.get(endpoint or "")
    if allowed is None:
        raise ApiError("forbidden_role", "no one may call this endpoint yet", 403)
    if role not in allowed:
        raise ApiError("forbidden_role", f"this needs the {' or '.join(allowed)} role", 403)
