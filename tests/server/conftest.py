"""Helpers the console tests share: a password, the page's CSRF token, signing in."""

import re

PASSWORD = "correct horse battery"


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, name, password=PASSWORD):
    token = csrf(client.get("/console/login"))
    return client.post("/console/login", data={"name": name, "password": password,
                                               "csrf_token": token})
