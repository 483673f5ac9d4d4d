"""SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2: the organisation's directory provisions people and
groups, with the enterprise extension's employeeNumber, department and manager.

Each resource has one JSON representation (user_doc, group_doc). PUT applies a whole one; PATCH
applies its operations to the current representation and then applies the result the same way,
so there is one place where SCIM values become jitlearn's (apply_user, apply_group). Attributes
jitlearn does not keep (name parts, phone numbers, addresses, ...) are accepted and not stored.
A user set inactive loses their tokens at once; DELETE removes the person and what is stored
about them (console/accounts.delete). A group's members get its name as an audience group.
"""

from server.integrations.scim.views import scim

__all__ = ["scim"]
