"""Rate limits: a token or an address over its limit gets 429 with Retry-After; others go on."""

from server.app import create_app
from server.people.users import add_user, create_token
from server.state import runtime_of
from server.storage import db


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


def test_processes_sharing_a_database_share_the_limit(tmp_path):
    """Two apps on one database stand for two server processes: together they allow the limit."""
    settings = {"HOME": str(tmp_path), "MODEL": "", "TESTING": True, "RATE_SHARED": True,
                "RATE_PER_TOKEN": 10, "RATE_PER_IP": 1000}
    first, second = create_app(settings), create_app(settings)
    with first.app_context():
        token = create_token(db.session(), add_user(db.session(), "a"))
    ask = {"headers": {"Authorization": f"Bearer {token}"}}
    assert all(first.test_client().get("/api/v1/me", **ask).status_code == 200
               for _ in range(6))
    runtime_of(first).limiter.share()
    codes = [second.test_client().get("/api/v1/me", **ask).status_code for _ in range(4)]
    assert codes == [200] * 4  # 10 in all: each process counted its own so far
    runtime_of(second).limiter.share()  # now it knows of the first's 6
    assert second.test_client().get("/api/v1/me", **ask).status_code == 429
    runtime_of(first).limiter.share()
    assert first.test_client().get("/api/v1/me", **ask).status_code == 429


def test_counts_are_shared_by_default_on_postgresql_only(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    on_sqlite = app.config["DATABASE_URL"].startswith("sqlite")
    assert (runtime_of(app).limiter.shared is None) == on_sqlite


def test_behind_a_proxy_the_clients_address_is_limited_not_the_proxys(tmp_path):
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True, "RATE_PER_IP": 2,
                      "PROXY_HOPS": 1})
    client = app.test_client()
    def ask(address):
        return client.get("/api/v1/me", headers={"X-Forwarded-For": address}).status_code
    assert [ask("10.0.0.1"), ask("10.0.0.1"), ask("10.0.0.1")] == [401, 401, 429]
    assert ask("10.0.0.2") == 401  # another employee behind the same proxy goes on
    unproxied = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True,
                            "RATE_PER_IP": 2}).test_client()
    codes = [unproxied.get("/api/v1/me", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
             for n in range(3)]
    assert codes == [401, 401, 429]  # without PROXY_HOPS the header is not trusted
