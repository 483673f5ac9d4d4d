"""Rate limits: a token or an address over its limit gets 429 with Retry-After; others go on."""

from server import create_app, db
from server.people import add_user, create_token


def test_a_token_over_its_limit_waits_and_another_token_does_not(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True,
                      "RATE_PER_TOKEN": 3, "RATE_PER_IP": 100})
    with app.app_context():
        a = create_token(db.session(), add_user(db.session(), "a"))
        b = create_token(db.session(), add_user(db.session(), "b"))
    client = app.test_client()
    answers = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {a}"})
               for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[-1].get_json()["error"] == "too_many_requests"
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 61
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {b}"}).status_code == 200


def test_an_address_over_its_limit_waits_even_without_a_token(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True, "RATE_PER_IP": 2})
    client = app.test_client()
    codes = [client.get("/api/v1/me").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_sign_in_attempts_are_limited(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True, "RATE_LOGIN": 2})
    client = app.test_client()
    codes = [client.post("/console/login", data={"name": "x", "password": "y"}).status_code
             for _ in range(3)]
    assert codes[:2] == [400, 400] and codes[2] == 429  # (no form token: refused anyway)
