"""Talking to other systems: outbound HTTP, OpenID Connect, the extension's sign-in, xAPI, SCIM."""
