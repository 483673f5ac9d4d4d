"""The person's own profile, skills and feedback, and who else may see or write any of it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.app import create_app
from server.career.imports import import_roles
from server.people.users import add_user, create_token
from server.storage import db

ROLES = ("role,level,skills,next_roles\n"
         "Software Engineer,2,Programming:5:3;Code review:4:3,Engineering Manager\n"
         "Engineering Manager,4,Budgeting:5:3;Coaching:5:3;Hiring:4:2,\n")


@pytest.fixture
def org(tmp_path):
    """An org: carla manages bob who manages ada; dan is ada's peer; ivy is an admin; lena
    works in L&D. Returns (client, {name: (id, headers)})."""
    app = create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})
    (tmp_path / "roles.csv").write_text(ROLES)
    people = {}
    with app.app_context():
        s = db.session()
        import_roles(s, tmp_path / "roles.csv")
        carla = add_user(s, "carla", "manager")
        bob = add_user(s, "bob", "manager", manager=carla)
        users = [carla, bob, add_user(s, "ada", manager=bob), add_user(s, "dan", manager=bob),
                 add_user(s, "ivy", "admin"), add_user(s, "lena", "ld")]
        for u in users:
            people[u.name] = (u.id, {"Authorization": f"Bearer {create_token(s, u)}"})
    return app.test_client(), people


def test_the_person_sets_a_profile_and_the_title_finds_a_role(org):
    client, p = org
    ada = p["ada"][1]
    answer = client.put("/api/v1/me/profile", headers=ada, json={
        "current_title": "Software  Engineer", "department": "Platform",
        "target_roles": ["org:engineering-manager"], "goals": ["lead a team within two years"],
        "languages": ["en", "pt-BR"], "privacy": {"personalize": False}})
    assert answer.status_code == 200, answer.get_json()
    profile = answer.get_json()
    assert profile["role"] == {"id": "org:software-engineer", "title": "Software Engineer"}
    assert profile["target_roles"] == [{"id": "org:engineering-manager",
                                        "title": "Engineering Manager"}]
    assert profile["privacy"] == {"personalize": False, "share_with_manager": False}
    assert client.get("/api/v1/me/profile", headers=ada).get_json() == profile


@pytest.mark.parametrize("body, status, code", [
    ({"target_roles": ["org:astronaut"]}, 400, "no_such_role"),
    ({"goals": "be better"}, 400, "invalid_type"),
    ({"goals": ["x" * 301]}, 413, "field_too_large"),
    ({"languages": ["English"]}, 400, "invalid_value"),
    ({"privacy": {"sell_my_data": True}}, 400, "invalid_value"),
    ({"salary": 100}, 400, "unknown_field"),
    ({"current_title": 5}, 400, "invalid_type"),
])
def test_bad_profile_input_is_refused_and_nothing_changes(org, body, status, code):
    client, p = org
    ada = p["ada"][1]
    answer = client.put("/api/v1/me/profile", headers=ada, json=body)
    assert answer.status_code == status and answer.get_json()["error"] == code
    assert client.get("/api/v1/me/profile", headers=ada).get_json()["target_roles"] == []


def test_self_assessment_on_the_scale_and_ratings_keep_their_source(org):
    client, p = org
    ada, bob = p["ada"][1], p["bob"][1]
    assert client.post("/api/v1/me/skills", headers=ada,
                       json={"skill": "programming", "level": 3}).status_code == 201
    assert client.post("/api/v1/me/skills", headers=ada,
                       json={"skill": "Programming", "level": 9}).status_code == 400
    assert client.post("/api/v1/me/skills", headers=ada,
                       json={"skill": "Juggling", "level": 2}).status_code == 404
    given = client.post(f"/api/v1/people/{p['ada'][0]}/feedback", headers=bob, json={
        "skills": ["Code review"], "note": "Review more of the team's changes.",
        "ratings": {"Programming": 4}})
    assert given.status_code == 201
    skills = client.get("/api/v1/me/skills", headers=ada).get_json()
    [programming] = [s for s in skills["skills"] if s["name"] == "Programming"]
    assert programming["levels"] == {"self": 3, "manager": 4} and len(skills["scale"]) == 5


def test_feedback_only_from_the_reporting_line_or_a_peer_who_was_asked(org):
    client, p = org
    ada_id, ada = p["ada"]
    body = {"skills": ["Code review"], "note": "Pair with the new hires."}
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["dan"][1],
                       json=body).status_code == 403  # not asked yet
    assert client.post("/api/v1/me/feedback-requests", headers=ada,
                       json={"peer": "dan"}).status_code == 201
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["dan"][1],
                       json=body).status_code == 201
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["carla"][1],
                       json={**body, "shared": True}).status_code == 201  # skip-level manager
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["lena"][1],
                       json=body).status_code == 403
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=ada,
                       json=body).status_code == 403  # not about oneself
    assert client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["bob"][1],
                       json={}).status_code == 400

    mine = client.get("/api/v1/me/feedback", headers=ada).get_json()["feedback"]
    assert [(f["from"], f["relation"]) for f in mine] == [("dan", "peer"), ("carla", "manager")]
    seen_by = {name: [f["from"] for f in client.get(f"/api/v1/people/{ada_id}/feedback",
                                                    headers=p[name][1]).get_json()["feedback"]]
               for name in ("bob", "dan", "lena", "ivy")}
    assert seen_by == {"bob": ["carla"],  # in the chain: what was shared with it
                       "dan": ["dan"],  # a peer: what they gave
                       "lena": [], "ivy": ["dan", "carla"]}


def test_who_may_see_a_profile(org):
    client, p = org
    ada_id, ada = p["ada"]
    client.put("/api/v1/me/profile", headers=ada, json={"current_title": "Software Engineer"})

    def status():
        return {name: client.get(f"/api/v1/people/{ada_id}/profile",
                                 headers=p[name][1]).status_code
                for name in ("ada", "bob", "carla", "dan", "lena", "ivy")}

    # by default her managers do not see her profile and ratings: she chooses to share them
    assert status() == {"ada": 200, "bob": 403, "carla": 403, "dan": 403, "lena": 403,
                        "ivy": 200}
    client.put("/api/v1/me/profile", headers=ada, json={"privacy": {"share_with_manager": True}})
    assert status() == {"ada": 200, "bob": 200, "carla": 200, "dan": 403, "lena": 403,
                        "ivy": 200}
    assert client.get("/api/v1/people/99999/profile", headers=p["ivy"][1]).status_code == 404


def test_export_holds_everything_and_delete_removes_it(org):
    client, p = org
    ada_id, ada = p["ada"]
    client.put("/api/v1/me/profile", headers=ada, json={"goals": ["public speaking"]})
    client.post("/api/v1/me/skills", headers=ada, json={"skill": "Programming", "level": 2})
    client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["bob"][1],
                json={"note": "Great demo."})
    exported = client.get("/api/v1/me/export", headers=ada)
    assert "attachment" in exported.headers["Content-Disposition"]
    data = exported.get_json()
    assert data["profile"]["goals"] == ["public speaking"] and data["skills"]
    assert data["feedback_about_me"][0]["note"] == "Great demo."
    assert client.delete("/api/v1/me/data", headers=ada).status_code == 200
    after = client.get("/api/v1/me/export", headers=ada).get_json()
    assert after["profile"]["goals"] == [] and after["skills"] == [] and \
        after["feedback_about_me"] == []
    assert client.get("/api/v1/me", headers=ada).status_code == 200  # the account stays


def test_forgotten_data_is_not_left_readable_in_the_database_files(org, tmp_path):
    client, p = org
    ada = p["ada"][1]
    canary = "canary-goal-7f3a9c"
    client.put("/api/v1/me/profile", headers=ada, json={"goals": [canary]})
    assert client.delete("/api/v1/me/data", headers=ada).status_code == 200
    for path in tmp_path.glob("jitlearn.db*"):  # the database, its write-ahead log
        assert canary.encode() not in path.read_bytes(), path.name


def test_a_reporting_loop_is_refused(org, tmp_path):
    from click.testing import CliRunner

    from server.cli import main

    env = {"JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["users", "manager", "carla", "ada"], env=env)
    assert result.exit_code == 1 and "loop" in result.output
    result = CliRunner().invoke(main, ["users", "manager", "dan", "carla"], env=env)
    assert result.exit_code == 0 and "dan reports to carla" in result.output


def test_assessment_results_are_imported_as_their_own_source(org, tmp_path):
    from click.testing import CliRunner

    from server.cli import main

    client, p = org
    results = tmp_path / "assessments.csv"
    results.write_text("person,skill,level\nada,Programming,4\nnobody,Programming,3\n"
                       "ada,Juggling,2\nada,Coaching,9\n")
    env = {"JITLEARN_HOME": str(tmp_path), "JITLEARN_LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(main, ["import", "assessments", str(results)], env=env)
    assert result.exit_code == 0 and "1 ratings added, 3 lines skipped" in result.output
    assert "line 3: no user named 'nobody'" in result.output
    skills = client.get("/api/v1/me/skills", headers=p["ada"][1]).get_json()["skills"]
    assert [s["levels"] for s in skills if s["name"] == "Programming"] == [{"assessment": 4}]
    results.write_text("who,what\nada,x\n")
    result = CliRunner().invoke(main, ["import", "assessments", str(results)], env=env)
    assert result.exit_code == 1 and "person, skill and level" in result.output


def test_deleting_a_person_removes_everything_about_them(org, tmp_path):
    """`jitlearn users delete`: their rows go; what they wrote about others stays, unsigned."""
    from click.testing import CliRunner
    from sqlalchemy import MetaData

    from server.cli import main

    client, p = org
    ada_id, ada = p["ada"]
    client.put("/api/v1/me/profile", headers=ada, json={"goals": ["public speaking"]})
    client.post("/api/v1/me/skills", headers=ada, json={"skill": "Programming", "level": 2})
    client.post("/api/v1/me/feedback-requests", headers=ada, json={"peer": "dan"})
    client.post(f"/api/v1/people/{p['dan'][0]}/feedback", headers=p["dan"][1], json={})
    client.post("/api/v1/me/feedback-requests", headers=p["dan"][1], json={"peer": "ada"})
    wrote = client.post(f"/api/v1/people/{p['dan'][0]}/feedback", headers=ada,
                        json={"note": "Clear code reviews.", "shared": True})
    assert wrote.status_code == 201
    client.post(f"/api/v1/people/{ada_id}/feedback", headers=p["bob"][1], json={"note": "Hi"})
    client.post("/api/v1/suggestions", headers=ada, json={"context": {"title": "Expenses"}})

    people_columns = {"user_id", "subject_id", "peer_id", "rater_id", "author_id", "manager_id"}

    def pointing_at_her() -> set[str]:
        with client.application.app_context():
            session = db.session()
            tables = MetaData()
            tables.reflect(session.get_bind())
            return {f"{t.name}.{c.name}" for t in tables.sorted_tables for c in t.c
                    if c.name in people_columns or (t.name == "users" and c.name == "id")
                    if session.execute(t.select().where(c == ada_id)).first()}

    assert {"users.id", "profiles.user_id", "skill_ratings.user_id", "api_tokens.user_id",
            "person_feedback.subject_id", "person_feedback.author_id",
            "feedback_requests.peer_id", "suggestion_events.user_id"} <= pointing_at_her()
    result = CliRunner().invoke(main, ["users", "delete", "ada", "--yes"],
                                env={"JITLEARN_HOME": str(tmp_path), "JITLEARN_MODEL": ""})
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers=ada).status_code == 401  # the token went too
    assert pointing_at_her() == set()  # no row anywhere points at her
    about_dan = client.get("/api/v1/me/feedback", headers=p["dan"][1]).get_json()["feedback"]
    assert [(f["from"], f["note"]) for f in about_dan] == [(None, "Clear code reviews.")]
    assert "ada" not in client.get("/api/v1/me/export", headers=p["bob"][1]).get_data(True)


LEVELS = st.dictionaries(st.integers(1, 5), st.integers(1, 6), min_size=1, max_size=5)


@given(spread=LEVELS.filter(lambda d: sum(d.values()) >= 5))
def test_bands_never_hold_fewer_than_five_and_lose_nobody(spread):
    from server.people.ratings import bands

    out = bands(spread, 5)
    assert all(n >= 5 for n in out.values())
    assert sum(out.values()) == sum(spread.values())
    edges = [tuple(map(int, k.split("-"))) if "-" in k else (int(k), int(k)) for k in out]
    assert all(a <= b for a, b in edges) and all(
        b < c for (_, b), (c, _) in zip(edges, edges[1:], strict=False))  # ordered, disjoint


@pytest.fixture(scope="module")
def squad(tmp_path_factory):
    """mia manages six people; each example rates them anew."""
    home = tmp_path_factory.mktemp("squad")
    app = create_app({"HOME": str(home), "MODEL": "", "TESTING": True})
    (home / "roles.csv").write_text(ROLES)
    with app.app_context():
        s = db.session()
        import_roles(s, home / "roles.csv")
        mia = add_user(s, "mia", "manager")
        team = [add_user(s, f"p{n}", manager=mia) for n in range(6)]
        return app, mia.id, [p.id for p in team]


@settings(max_examples=60, deadline=None)
@given(own=st.lists(st.integers(0, 5), min_size=6, max_size=6),
       by_mia=st.lists(st.integers(0, 5), min_size=6, max_size=6))
def test_team_skills_single_nobody_out_and_ignore_the_managers_own_ratings(squad, own, by_mia):
    """own[i] / by_mia[i]: the level person i gave themselves / mia gave them (0: none)."""
    from sqlalchemy import delete

    from server.people.ratings import MIN_GROUP, rate, team_skills
    from server.storage.models import SkillRating, User

    app, mia_id, team = squad
    with app.app_context():
        s = db.session()
        s.execute(delete(SkillRating))
        s.commit()
        mia = s.get(User, mia_id)
        for person_id, mine, hers in zip(team, own, by_mia, strict=True):
            person = s.get(User, person_id)
            if mine:
                rate(app, s, person, "Programming", mine, "self", person)
            if hers:
                rate(app, s, person, "Programming", hers, "manager", mia)
        answer = team_skills(s, mia)
    rated = sum(1 for level in own if level)
    skills = answer["skills"]
    if rated < MIN_GROUP:
        assert skills == []  # mia's own ratings never make a group big enough
    else:
        [programming] = skills
        assert programming["people"] == rated
        assert all(n >= MIN_GROUP for n in programming["levels"].values())
        assert sum(programming["levels"].values()) == rated


def test_lookups_do_not_tell_whether_a_name_or_id_exists(org):
    client, p = org
    ada = p["ada"][1]
    asked = [client.post("/api/v1/me/feedback-requests", headers=ada, json={"peer": name})
             for name in ("dan", "nobody-by-this-name")]
    assert [a.status_code for a in asked] == [201, 201]
    assert [set(a.get_json()) for a in asked] == [{"asked"}, {"asked"}]
    lena_id = p["lena"][0]  # exists, and ada may not see her
    for path in ("profile", "feedback"):
        known = client.get(f"/api/v1/people/{lena_id}/{path}", headers=ada)
        unknown = client.get(f"/api/v1/people/99999/{path}", headers=ada)
        assert known.status_code == unknown.status_code, path
        assert known.get_json() == unknown.get_json(), path
    known = client.post(f"/api/v1/people/{lena_id}/feedback", headers=ada, json={"note": "hi"})
    unknown = client.post("/api/v1/people/99999/feedback", headers=ada, json={"note": "hi"})
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
