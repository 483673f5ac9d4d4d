"""SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2: the directory provisions people and groups."""

from server.integrations.scim.views import scim

__all__ = ["scim"]
