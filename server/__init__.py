"""server: the Flask app (the JSON API, SCIM and the web console) over nlp and index.

server.app.create_app builds the app. Importing a part of server (its storage, its career data)
neither builds it nor loads what only the web app needs.
"""
