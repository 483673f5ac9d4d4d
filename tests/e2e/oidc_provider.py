"""A real OpenID provider for the tests, on loopback: oidc-provider-mock, run as its own process.

    python tests/e2e/oidc_provider.py PORT

The mock issues codes and signed ID tokens but ignores PKCE, so this wraps it with RFC 7636's
check: an authorization request must carry an S256 code_challenge, and the token request must
send the verifier that answers the challenge its code was issued for. A user's claims (set with
PUT /users/<sub>) go into the ID token as they are, which is how a test makes a token for another
audience or one already expired.
"""

import base64
import hashlib
import io
import json
import os
import sys
import threading
from urllib.parse import parse_qs, urlparse


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()


class Pkce:
    def __init__(self, app):
        self.app, self.challenges, self.lock = app, {}, threading.Lock()

    def refuse(self, start_response, description: str):
        body = json.dumps({"error": "invalid_grant", "error_description": description}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/json"),
                                           ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/token":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            form = parse_qs(body.decode())
            with self.lock:
                wanted = self.challenges.pop(form.get("code", [""])[0], None)
            if wanted is None or s256(form.get("code_verifier", [""])[0]) != wanted:
                return self.refuse(start_response, "PKCE: the code_verifier does not answer "
                                   "the code_challenge")
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)
        if path == "/oauth2/authorize":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            if query.get("code_challenge_method") != ["S256"] or not query.get("code_challenge"):
                return self.refuse(start_response, "PKCE: send an S256 code_challenge")

            def remember(status, headers, exc_info=None):
                location = dict(headers).get("Location", "")
                code = parse_qs(urlparse(location).query).get("code")
                if code:
                    with self.lock:
                        self.challenges[code[0]] = query["code_challenge"][0]
                return start_response(status, headers, exc_info)

            return self.app(environ, remember)
        return self.app(environ, start_response)


def main() -> None:
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP, on loopback only
    import oidc_provider_mock
    import uvicorn

    app = oidc_provider_mock.app(require_nonce=True)
    app.wsgi_app = Pkce(app.wsgi_app)
    uvicorn.run(app, interface="wsgi", host="127.0.0.1", port=int(sys.argv[1]),
                log_level="warning")


if __name__ == "__main__":
    main()
