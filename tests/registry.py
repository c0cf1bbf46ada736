"""A stand-in for arXiv, Crossref and DataCite: a real HTTP server on
127.0.0.1 (port chosen by the system) answering with response bodies in each
service's documented format (tests/fixtures/metadata/).

A test says what each path answers (`answer`), and reads what was asked
(`requests`). Unknown paths answer 404 as the services do.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "metadata"


def fixture(name):
    return (FIXTURES / name).read_bytes()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)
    delay: float = 0  # seconds before answering (a slow service)


@dataclass
class Request:
    path: str
    query: dict
    headers: dict


class Registry:
    def __init__(self):
        self.answers = {}
        self.requests = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                registry.requests.append(
                    Request(parts.path, parse_qs(parts.query), dict(self.headers.items()))
                )
                answer = registry.answer_for(parts.path, parse_qs(parts.query))
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path, answer=None, arxiv_id=None, **kwargs):
        """What `path` answers (for the arXiv API, per `id_list`)."""
        self.answers[(path, arxiv_id)] = answer or Answer(**kwargs)

    def answer_for(self, path, query):
        arxiv_id = (query.get("id_list") or [None])[0]
        found = self.answers.get((path, arxiv_id)) or self.answers.get((path, None))
        return found or Answer(404, b"Resource not found.", "text/plain")

    def paths(self):
        return [request.path for request in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


ARXIV_PATH = "/arxiv/api/query"


def point_settings_at(settings, registry):
    settings.PAPER_ARXIV_API_URL = f"{registry.base}{ARXIV_PATH}"
    settings.PAPER_CROSSREF_API_URL = f"{registry.base}/crossref"
    settings.PAPER_DATACITE_API_URL = f"{registry.base}/datacite"
    settings.PAPER_METADATA_CONTACT = "organizers@study.example"
    settings.PAPER_METADATA_TIMEOUT = 0.5
