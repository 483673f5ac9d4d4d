"""Career data from the real O*NET 29.3 and ESCO files: import, title matching, roles and paths."""

import pytest

from server.app import create_app
from server.career.imports import CareerDataError, import_esco, import_onet, import_roles
from server.career.roles import match_title
from server.storage import db

# Real job titles and the O*NET occupation a person holding them is in. The first group was used
# while tuning the matcher; the second was written down before the matcher first saw it (two of
# its expectations were corrected to what O*NET itself lists: Baristas has its own code, and O*NET
# files "Software Architect" under Software Developers).
TUNED = {
    "Software Engineer": "15-1252.00", "Senior Software Engineer": "15-1252.00",
    "Sr. Software Eng.": "15-1252.00", "Backend Developer": "15-1254.00",
    "Frontend Developer": "15-1254.00", "Web Developer": "15-1254.00",
    "Data Scientist": "15-2051.00", "Registered Nurse": "29-1141.00", "Accountant": "13-2011.00",
    "Financial Analyst": "13-2051.00", "Marketing Manager": "11-2021.00",
    "HR Manager": "11-3121.00", "Recruiter": "13-1071.00", "Project Manager": "13-1082.00",
    "Customer Service Representative": "43-4051.00", "Electrician": "47-2111.00",
    "Truck Driver": "53-3032.00", "Graphic Designer": "27-1024.00", "Paralegal": "23-2011.00",
    "Attorney": "23-1011.00", "Pharmacist": "29-1051.00", "Civil Engineer": "17-2051.00",
    "Mechanical Engineer": "17-2141.00", "High School Teacher": "25-2031.00",
    "Database Administrator": "15-1242.00", "Network Administrator": "15-1244.00",
    "IT Support Specialist": "15-1232.00", "Information Security Analyst": "15-1212.00",
    "CEO": "11-1011.00", "Dental Hygienist": "29-1292.00", "Physical Therapist": "29-1123.00",
    "Chef": "35-1011.00", "Plumber": "47-2152.00", "Cashier": "41-2011.00",
    "Bookkeeper": "43-3031.00", "Payroll Clerk": "43-3051.00",
    "Executive Assistant": "43-6011.00",
    "UX Designer": "15-1255.00", "Jr Web Dev": "15-1254.00",
    "Mgr, Human Resources": "11-3121.00", "Sales Manager": "11-2022.00",
    "Operations Manager": "11-1021.00", "Technical Writer": "27-3042.00",
    "Management Consultant": "13-1111.00", "Receptionist": "43-4171.00",
    "Security Guard": "33-9032.00", "Janitor": "37-2011.00", "Police Officer": "33-3051.00",
}
UNSEEN = {
    "Nurse Practitioner": "29-1171.00", "Medical Assistant": "31-9092.00",
    "Forklift Operator": "53-7051.00", "Carpenter": "47-2031.00", "Welder": "51-4121.00",
    "Auto Mechanic": "49-3023.00", "Loan Officer": "13-2072.00",
    "Insurance Agent": "41-3021.00", "Real Estate Agent": "41-9022.00",
    "Librarian": "25-4022.00", "Translator": "27-3091.00", "Firefighter": "33-2011.00",
    "Flight Attendant": "53-2031.00", "Airline Pilot": "53-2011.00",
    "Veterinarian": "29-1131.00", "Dentist": "29-1021.00", "Economist": "19-3011.00",
    "Statistician": "15-2041.00", "Actuary": "15-2011.00", "Copywriter": "27-3043.00",
    "Art Director": "27-1011.00", "Purchasing Agent": "13-1023.00", "Buyer": "13-1022.00",
    "Compliance Officer": "13-1041.00", "Tax Preparer": "13-2082.00",
    "Bank Teller": "43-3071.00", "Barista": "35-3023.01", "Housekeeper": "37-2012.00",
    "Home Health Aide": "31-1121.00", "Software Architect": "15-1252.00",
    "Systems Analyst": "15-1211.00", "Help Desk Technician": "15-1232.00",
    "Financial Controller": "11-3031.01",
}

# Office and HR titles with seniority, org words and short forms (the misses an HR analyst met
# and more of their kind, written down 2026-12-01), each with every O*NET occupation a person
# holding it could fairly be in.
OFFICE = {
        "Senior Engineering Manager": {"11-9041.00", "11-3021.00"},
    "VP of Engineering": {"11-9041.00", "11-3021.00", "11-1011.00"},
    "Director of Engineering": {"11-9041.00", "11-3021.00"},
    "HR Business Partner": {"13-1071.00", "11-3121.00"},
    "HR Director": {"11-3121.00"},
    "Head of People": {"11-3121.00", "11-1011.00"},
    "People Partner": {"13-1071.00", "11-3121.00"},
    "Chief People Officer": {"11-3121.00", "11-1011.00"},
    "People Operations Manager": {"11-3121.00"},
    "Accounts Payable Clerk": {"43-3031.00", "43-3021.00"},
    "FP&A Analyst": {"13-2051.00", "13-2031.00"},
    "Growth Marketing Specialist": {"13-1161.00", "13-1161.01", "11-2021.00"},
    "Talent Acquisition Partner": {"13-1071.00"},
    "Technical Recruiter": {"13-1071.00"},
    "L&D Manager": {"11-3131.00"},
    "Head of Learning and Development": {"11-3131.00"},
    "Learning and Development Specialist": {"13-1151.00", "25-9031.00"},
    "Instructional Designer": {"25-9031.00", "13-1151.00"},
    "Payroll Specialist": {"43-3051.00", "13-1141.00"},
    "Site Reliability Engineer": {"15-1252.00", "15-1244.00", "15-1299.08"},
    "SRE": {"15-1252.00", "15-1244.00", "15-1299.08"},
    "DevOps Engineer": {"15-1252.00", "15-1244.00", "15-1299.08"},
    "Data Engineer": {"15-1243.00", "15-2051.00", "15-1252.00"},
    "QA Engineer": {"15-1253.00"},
    "Security Engineer": {"15-1299.05", "15-1212.00"},
    "UX Researcher": {"15-1255.00"},
    "Product Manager": {"11-2021.00"},
    "Customer Success Manager": {"43-1011.00", "41-3091.00", "11-2022.00"},
    "Account Executive": {"41-4012.00", "41-3091.00", "11-2011.00"},
    "Sales Development Representative": {"41-4012.00", "41-3091.00"},
    "Office Manager": {"43-1011.00", "11-3012.00"},
    "Tax Accountant": {"13-2011.00", "13-2082.00"},
    "Internal Auditor": {"13-2011.00"},
    "General Counsel": {"23-1011.00"},
    "Procurement Specialist": {"13-1023.00", "43-3061.00"},
    "Scrum Master": {"15-1299.09", "13-1082.00"},
    "IT Support Technician": {"15-1232.00"},
    "Head of Finance": {"11-3031.00", "11-3031.01"},
    "VP Sales": {"11-2022.00"},
    "Business Analyst": {"13-1111.00", "15-2051.01", "15-1211.00"},
    "Program Manager": {"13-1082.00", "11-1021.00", "15-1299.09", "11-9151.00"},
    "Social Media Manager": {"11-2032.00", "13-1161.01", "27-3031.00"},
    "Chief of Staff": {"11-1011.00", "11-1021.00"},
    "Lead Data Scientist": {"15-2051.00"},
    "Senior Product Designer": {"27-1021.00", "15-1255.00"},
    "Head of Customer Support": {"43-1011.00", "11-9199.00", "11-3012.00"},
    "Benefits Specialist": {"13-1141.00"},
    "Treasury Analyst": {"13-2051.00", "11-3031.01"},
}


@pytest.fixture(scope="session")
def onet_home(tmp_path_factory, shared):
    onet = shared / "corpora" / "onet-29.3"
    if not onet.is_dir():
        pytest.skip(f"O*NET files not found at {onet}")
    home = tmp_path_factory.mktemp("career")
    app = create_app({"HOME": str(home), "MODEL": "", "TESTING": True})
    with app.app_context():
        report = import_onet(db.session(), onet)
    assert report.occupations > 1000 and report.titles > 60_000 and not report.missing
    return home


@pytest.fixture
def career(onet_home, tmp_path, copy_home):
    """An app whose database holds the imported O*NET data (a copy per test)."""
    copy_home(onet_home, tmp_path)
    return create_app({"HOME": str(tmp_path), "MODEL": "", "TESTING": True})


def test_common_job_titles_find_their_occupation(career):
    with career.app_context():
        def top(title):
            found = match_title(career, db.session(), title, 1)
            return found[0].occupation_id if found else None

        tuned = sum(top(t) == f"onet:{c}" for t, c in TUNED.items())
        unseen = [t for t, c in UNSEEN.items() if top(t) != f"onet:{c}"]
        first, in_three = [], []
        for title, fair in OFFICE.items():
            found = [m.occupation_id.removeprefix("onet:")
                     for m in match_title(career, db.session(), title, 3)]
            first.append(bool(found) and found[0] in fair)
            in_three.append(bool(fair & set(found)))
    assert tuned >= 0.9 * len(TUNED)
    assert len(UNSEEN) - len(unseen) >= 0.9 * len(UNSEEN), unseen
    assert len(TUNED) + len(UNSEEN) >= 30
    missed = [t for t, ok in zip(OFFICE, first, strict=True) if not ok]
    assert sum(first) >= 0.85 * len(OFFICE), missed
    assert sum(in_three) >= 0.95 * len(OFFICE), missed


def test_a_title_that_is_no_job_names_no_role(career):
    with career.app_context():
        assert match_title(career, db.session(), "qwertyuiop zxcvb") == []


def test_roles_api_lists_skills_by_importance_and_next_roles_closest_first(career, make_token):
    client = career.test_client()
    with career.app_context():
        from server.people.users import add_user, create_token

        token = create_token(db.session(), add_user(db.session(), "ada"))
    auth = {"Authorization": f"Bearer {token}"}
    found = client.get("/api/v1/roles?q=Sr. Software Engineer", headers=auth).get_json()
    assert found["roles"][0]["id"] == "onet:15-1252.00"
    role = client.get("/api/v1/roles/onet:15-1252.00", headers=auth).get_json()
    assert role["title"] == "Software Developers" and role["job_zone"] == 4
    importance = [s["importance"] for s in role["skills"]]
    assert importance == sorted(importance, reverse=True)
    names = [s["name"] for s in role["skills"][:15]]
    assert "Programming" in names or "Computers and Electronics" in names
    assert all(1 <= s["level"] <= len(role["scale"]) for s in role["skills"])
    assert "content" in role["skills"][0] and "USDOL/ETA" in role["credit"]
    nxt = client.get("/api/v1/roles/onet:15-1252.00/next", headers=auth).get_json()["next"]
    assert [n["rank"] for n in nxt] == sorted(n["rank"] for n in nxt) and len(nxt) >= 5
    assert client.get("/api/v1/roles/onet:99-9999.99", headers=auth).status_code == 404
    assert client.get("/api/v1/roles?q=", headers=auth).status_code == 400


def test_reimport_keeps_ids_so_ratings_and_targets_survive(career, shared):
    from server.people.users import add_user
    from server.storage.models import Profile, SkillRating

    with career.app_context():
        s = db.session()
        user = add_user(s, "ada")
        s.add(Profile(user_id=user.id, target_roles=["onet:11-3021.00"], goals=[],
                      languages=[], privacy={}))
        s.add(SkillRating(user_id=user.id, skill_id="onet:2.B.3.e", level=3, source="self"))
        s.commit()
        import_onet(s, shared / "corpora" / "onet-29.3")
        assert s.get(Profile, user.id).target_roles == ["onet:11-3021.00"]
        assert s.query(SkillRating).count() == 1


def test_esco_occupations_and_ict_skills(career, shared):
    folder = shared / "corpora"
    if not (folder / "esco-tabiya-v1.1.1").is_dir():
        pytest.skip("ESCO files not found")
    with career.app_context():
        report = import_esco(db.session(), folder / "esco-tabiya-v1.1.1",
                             folder / "esco-pypi")
        assert report.occupations > 2900 and report.skills > 500
        found = match_title(career, db.session(), "ICT security administrator", 3)
        assert any(m.occupation_id.startswith("esco:") for m in found)
        # ESCO's exact label stands beside O*NET's occupation, after it, not in its place
        found = [m.occupation_id for m in match_title(career, db.session(),
                                                      "Engineering Manager", 5)]
        assert found[0] in ("onet:11-9041.00", "onet:11-3021.00")
        assert any(f.startswith("esco:") for f in found)
        ours = sum(match_title(career, db.session(), t, 1)[0].occupation_id == f"onet:{c}"
                   for t, c in TUNED.items())
        assert ours >= 0.9 * len(TUNED)  # importing ESCO too keeps O*NET's answers
        from sqlalchemy import select

        from server.people.users import add_user, create_token
        from server.storage.models import Occupation, OccupationSkill

        bare = db.session().scalars(select(Occupation).where(
            Occupation.source == "esco", ~Occupation.id.in_(
                select(OccupationSkill.occupation_id)))).first()
        token = create_token(db.session(), add_user(db.session(), "eve"))
    client, auth = career.test_client(), {"Authorization": f"Bearer {token}"}
    client.put("/api/v1/me/profile", headers=auth, json={"target_roles": [bare.id]})
    answer = client.get("/api/v1/me/gaps", headers=auth).get_json()
    assert answer["gaps"] == [] and answer["no_skills_data"] == [bare.title]  # said, not silent
    # ESCO's occupations are linked to the O*NET ones they are, by their names, and shown
    # beside them: both ways, and only what is the same occupation
    assert report.same > 1000
    for title, onet, esco in (("Accountant", "Accountants and Auditors", "accountant"),
                              ("Civil Engineer", "Civil Engineers", "civil engineer"),
                              ("Software Developer", "Software Developers", "software developer")):
        roles = client.get(f"/api/v1/roles?q={title}", headers=auth).get_json()["roles"]
        first = next(r for r in roles if r["source"] == "onet")
        assert first["title"] == onet and esco in [s["title"] for s in first["same"]], first
        linked = next(r for r in roles if r["title"] == esco)
        assert [s["title"] for s in linked["same"]] == [onet]


def test_an_organisations_own_roles_and_paths(career, tmp_path):
    roles = tmp_path / "roles.csv"
    roles.write_text("role,level,skills,next_roles\n"
                     "Software Engineer,2,Programming:5:3;Code review:4,Senior Software Engineer\n"
                     "Senior Software Engineer,3,Programming:5:4;Mentoring:3,"
                     "Engineering Manager;Staff Engineer\n"
                     "Engineering Manager,4,Budgeting:4:3;Coaching:5:3;Hiring:4,\n")
    with career.app_context():
        report = import_roles(db.session(), roles)
        assert (report.occupations, report.related) == (3, 2)
        assert report.skipped == [("Senior Software Engineer", "next role 'Staff Engineer' is "
                                   "not a role in the file")]
        from server.career.roles import needs, next_roles

        names = {s.name: (n.importance, n.level) for s, n in needs(db.session(),
                                                                  "org:engineering-manager")}
        assert names["Coaching"] == (1.0, 0.5) and names["Hiring"][0] == 0.75
        programming = [s for s, _ in needs(db.session(), "org:software-engineer")
                       if s.name == "Programming"]
        assert programming[0].id == "onet:2.B.3.e"  # the same skill O*NET names
        assert [r["id"] for r in next_roles(db.session(), "org:senior-software-engineer")] == [
            "org:engineering-manager"]


def test_bad_career_files_are_refused_with_the_reason(career, tmp_path):
    with career.app_context():
        with pytest.raises(CareerDataError, match="Occupation Data.txt"):
            import_onet(db.session(), tmp_path)
        bad = tmp_path / "r.csv"
        bad.write_text("name,skills\nX,Y\n")
        with pytest.raises(CareerDataError, match="'role' column"):
            import_roles(db.session(), bad)
        bad.write_bytes(b"\xff\xfe\x00garbage")
        with pytest.raises(CareerDataError, match="cannot read"):
            import_roles(db.session(), bad)


def test_escos_own_csv_download_with_skills_and_relations(career, tmp_path):
    """ESCO's CSV download (the corpora hold only a re-export): occupations, skills and which
    skills each occupation needs, essential ones above optional ones."""
    import csv

    def write(name, header, rows):
        with (tmp_path / name).open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)

    base = "http://data.europa.eu/esco"
    write("occupations_en.csv", ["conceptType", "conceptUri", "preferredLabel", "altLabels",
                                 "description"],
          [["Occupation", f"{base}/occupation/o1", "data analyst", "data analysts\nBI analyst",
            "Data analysts import, inspect and model data."]])
    write("skills_en.csv", ["conceptType", "conceptUri", "skillType", "preferredLabel",
                            "description"],
          [["KnowledgeSkillCompetence", f"{base}/skill/s1", "skill/competence",
            "perform data cleansing", "Detect and correct corrupt records."],
           ["KnowledgeSkillCompetence", f"{base}/skill/s2", "knowledge", "statistics",
            "The study of collecting and interpreting data."]])
    write("occupationSkillRelations_en.csv", ["occupationUri", "relationType", "skillType",
                                              "skillUri"],
          [[f"{base}/occupation/o1", "essential", "skill/competence", f"{base}/skill/s1"],
           [f"{base}/occupation/o1", "optional", "knowledge", f"{base}/skill/s2"]])
    (tmp_path / "notes.csv").write_text("id,description\nx,y\n")
    with career.app_context():
        from server.career.roles import needs

        report = import_esco(db.session(), tmp_path)
        assert (report.occupations, report.skills, report.requirements) == (1, 2, 2)
        got = [(s.name, s.kind, n.importance) for s, n in needs(db.session(), "esco:o1")]
        assert got == [("perform data cleansing", "skill", 0.8), ("statistics", "knowledge", 0.4)]
        found = [m.occupation_id for m in match_title(career, db.session(), "BI Analyst", 3)]
        assert "esco:o1" in found  # beside O*NET's business intelligence analysts


def test_a_role_implies_its_typical_levels_and_gaps_are_where_the_target_needs_clearly_more(
        career):
    """A senior software engineer aiming at engineering manager, with nothing rated: gaps are
    the manager's management needs, not reading or English, and each says where it comes from."""
    from server.people.users import add_user, create_token

    with career.app_context():
        token = create_token(db.session(), add_user(db.session(), "sam"))
    client, auth = career.test_client(), {"Authorization": f"Bearer {token}"}
    me = client.put("/api/v1/me/profile", headers=auth,
                    json={"current_title": "Senior Software Engineer"}).get_json()
    assert me["role"]["title"] == "Software Developers"
    found = client.get("/api/v1/roles?q=Engineering Manager", headers=auth).get_json()["roles"]
    assert found[0]["id"] == "onet:11-3021.00"  # near a developer's own role: IT, not civil
    client.put("/api/v1/me/profile", headers=auth, json={"target_roles": [found[0]["id"]]})
    gaps = client.get("/api/v1/me/gaps", headers=auth).get_json()["gaps"]
    names = [g["skill"]["name"] for g in gaps]
    assert names and "Management of Financial Resources" in names
    assert not {"Reading Comprehension", "English Language", "Customer and Personal Service",
                "Programming"} & set(names)
    assert all("typical of Software Developers (nobody rated you)" in g["why"] for g in gaps)
    assert all(g["required"] > g["current"] for g in gaps)
    # what a manager does that a developer does not comes through as duties: hiring among them
    duties = client.get("/api/v1/me/gaps", headers=auth).get_json()["duties"]
    assert any("hire" in d["task"] for d in duties) and len(duties) <= 5
    assert all(d["role"] == "Computer and Information Systems Managers" for d in duties)
    # rating a skill replaces what the role implied, and the gap says whose number it is
    client.post("/api/v1/me/skills", headers=auth,
                json={"skill": "Management of Financial Resources", "level": 1})
    gap = next(g for g in client.get("/api/v1/me/gaps", headers=auth).get_json()["gaps"]
               if g["skill"]["name"] == "Management of Financial Resources")
    assert gap["current"] == 1 and "you: novice, your rating" in gap["why"]


def test_the_technologies_in_demand_for_a_person_are_those_their_roles_postings_ask_for(career):
    """O*NET flags hundreds of technologies hot and in demand; a developer aiming at management
    sees first those in demand for the target role and then for their own, not the alphabet's."""
    from sqlalchemy import select

    from server.people.demand import for_roles
    from server.storage.models import OccupationSkill

    manager, developer = "onet:11-3021.00", "onet:15-1252.00"
    with career.app_context():
        s = db.session()

        def wanted(role):
            return set(s.scalars(select(OccupationSkill.skill_id).where(
                OccupationSkill.occupation_id == role, OccupationSkill.in_demand.is_(True))))
        ranked = [skill["id"] for skill in for_roles(career, s, [manager, developer])]
        assert len(ranked) == len(set(ranked)) > 10
        for_manager = wanted(manager) & set(ranked)
        for_developer = wanted(developer) & set(ranked) - for_manager
        assert for_manager and for_developer
        assert set(ranked[:len(for_manager)]) == for_manager
        assert set(ranked[len(for_manager):][:len(for_developer)]) == for_developer
        first = [skill["name"] for skill in for_roles(career, s, [developer])[:10]]
        assert "Adobe Acrobat" not in first and "Python" in first, first


def test_a_skill_and_a_knowledge_area_with_one_name_stay_apart(career):
    from server.people.users import add_user, create_token

    with career.app_context():
        token = create_token(db.session(), add_user(db.session(), "kim"))
    client, auth = career.test_client(), {"Authorization": f"Bearer {token}"}
    both = client.post("/api/v1/me/skills", headers=auth,
                       json={"skill": "Mathematics", "level": 3})
    assert both.status_code == 400 and both.get_json()["error"] == "ambiguous_skill"
    assert "Mathematics (knowledge)" in both.get_json()["message"]
    assert client.post("/api/v1/me/skills", headers=auth,
                       json={"skill": "Mathematics (knowledge)", "level": 3}).status_code == 201
    rated = client.get("/api/v1/me/skills", headers=auth).get_json()["skills"]
    assert [(s["name"], s["kind"]) for s in rated] == [("Mathematics (knowledge)", "knowledge")]



@pytest.mark.parametrize("title,target,role,goal,gaps_include", [
    ("Senior Software Engineer", "Engineering Manager", "Software Developers",
     "Computer and Information Systems Managers", "Management of Financial Resources"),
    ("HR Business Partner", "HR Director", "Human Resources Specialists",
     "Human Resources Managers", "Management of Personnel Resources"),
    ("Accounts Payable Clerk", "Accounting Manager", "Bookkeeping, Accounting, and Auditing Clerks",
     "Financial Managers", "Administration and Management"),
])
def test_three_people_see_sensible_gaps_duties_and_a_mixed_feed(
        onet_home, copy_home, tmp_path, sample_index, engine, title, target, role, goal,
        gaps_include):
    """The personas of the README with the real O*NET data and the samples as the library
    (`make personas` prints the same with the reference corpus)."""
    from server.people.users import add_user, create_token
    from server.state import runtime_of

    copy_home(onet_home, tmp_path)
    app = create_app({"HOME": str(tmp_path), "INDEX_DIR": str(sample_index), "MODEL": "",
                      "TESTING": True})
    runtime_of(app).index, runtime_of(app).engine = engine.index, engine
    with app.app_context():
        token = create_token(db.session(), add_user(db.session(), "pat", groups=["finance"]))
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    me = client.put("/api/v1/me/profile", headers=auth, json={"current_title": title}).get_json()
    assert me["role"]["title"] == role
    found = client.get(f"/api/v1/roles?q={target}", headers=auth).get_json()["roles"][0]
    assert found["title"] == goal
    client.put("/api/v1/me/profile", headers=auth, json={"target_roles": [found["id"]]})
    answer = client.get("/api/v1/me/gaps", headers=auth).get_json()
    names = [g["skill"]["name"] for g in answer["gaps"]]
    assert gaps_include in names[:5]
    assert not {"Reading Comprehension", "Active Listening", "Speaking"} & set(names)
    assert answer["duties"] and all(d["role"] == goal for d in answer["duties"])
    feed = client.get("/api/v1/me/feed?per_page=10&mandatory=apart", headers=auth).get_json()
    assert feed["mandatory"] and all(i["source"] == "mandatory" for i in feed["mandatory"])
    sources = {i["source"] for i in feed["items"]}
    assert "gap" in sources and len(sources) >= 2, feed["items"]  # the pages are mixed


def test_a_serving_process_sees_an_import_made_elsewhere_at_its_next_lookup(career, tmp_path):
    """Another process (here: another app on the same database) imports the organisation's
    roles, then renames one and imports again with as many names: the next lookup knows."""
    roles = tmp_path / "roles.csv"
    other = create_app({"HOME": career.config["HOME"], "MODEL": "", "TESTING": True})
    with career.app_context():
        assert not any(m.occupation_id.startswith("org:")
                       for m in match_title(career, db.session(), "Quokka Wrangler", 3))
    for name in ("Quokka Wrangler", "Wombat Wrangler"):
        roles.write_text(f"role,level,skills,next_roles\n{name},2,Programming:5:3,\n")
        with other.app_context():
            import_roles(db.session(), roles)
        with career.app_context():
            found = match_title(career, db.session(), name, 1)
        assert found and found[0].title == name


def test_a_title_that_shares_only_a_rank_with_the_organisations_roles_names_none():
    """Our own ten demo roles: "Head of People" shares only "director" with the director of
    engineering, which is no match; "VP Engineering" is that director."""
    import csv
    from pathlib import Path

    from server.career.titles import Matchers

    roles = Path(__file__).resolve().parents[3] / "samples" / "career" / "roles.csv"
    rows = list(csv.DictReader(roles.read_text().splitlines()))
    matcher = Matchers([(f"org:{n}", row["role"], row["role"], "org")
                        for n, row in enumerate(rows)])
    assert matcher.match("Head of People") == []
    assert [m.title for m in matcher.match("VP Engineering", 1)] == ["Director of Engineering"]
    assert [m.title for m in matcher.match("Sr. Software Eng.", 1)] == ["Senior Software Engineer"]
