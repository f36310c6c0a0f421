"""`designdoc serve`: build the site into a temporary folder, serve it, rebuild on save.

- Binds 127.0.0.1 by default; another `--host` works, with a warning.  The port is bound
  before anything else, so a port in use or a bad host is one clear error (exit 2).
- watchfiles watches the docs, the config file and the template; each batch of changes
  is one incremental build (only changed pages are rendered again) in a worker thread.
  While the config cannot be read, every config file it could be is watched; a template
  (or a named config) that does not exist is watched through the folder it will appear in.
- Open pages hold a server-sent-events connection (`/_designdoc-live/events`): they
  reload after a good build; after a failed one the last good site stays up and every
  page shows the error until a build succeeds again.  When the first build fails (a typo
  in the config, a missing template) there is no site yet: every page is the error, and
  it turns into the site once a build succeeds.
- Requests are mapped to files by `resolve_request`: decoded once, `..` and `.` segments,
  hidden names, encoded slashes, double encoding and anything whose real path (symlinks
  followed) leaves the site are 404.
- Ctrl-C (or SIGTERM) stops the server, closes the event streams and removes the folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import ipaddress
import json
import mimetypes
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from designdoc.check.cache import NAME as CACHE_NAME
from designdoc.model.errors import DesignDocError, UsageError

Progress = Callable[[str, int, int], None]  # a build's progress: (stage, done, total)

if TYPE_CHECKING:
    from designdoc.model.settings import Config
    from designdoc.parse.template import Template
    from designdoc.site.search import SearchIndex

LIVE_PREFIX = "/_designdoc-live/"
LIVE_SCRIPT = Path(__file__).resolve().parent / "live.js"
PING_SECONDS = 15.0
TYPES = {
    ".wasm": "application/wasm",
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


# --------------------------------------------------------------------------- request paths


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """Return the file of the site that a request path (as sent, percent-encoded) names, else None.

    The path is decoded exactly once.  Refused (None): a `.` or `..` segment, an encoded
    `/` or `\\`, a NUL, what is still percent-encoded after one decoding (double
    encoding), a hidden name, and anything whose real path is outside the site.  A folder
    answers with its `index.html`.
    """
    raw = raw_path.split("?", 1)[0].split("#", 1)[0]
    lowered = raw.lower()
    if "%2f" in lowered or "%5c" in lowered or "%00" in lowered or not _valid_escapes(raw):
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded or unquote(decoded) != decoded:
        return None
    parts = [p for p in decoded.split("/") if p]
    if any(p.startswith(".") for p in parts):  # `.`, `..` and hidden names (the manifest)
        return None
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, *parts))
    if os.path.isdir(real):
        real = os.path.realpath(os.path.join(real, "index.html"))
    if os.path.commonpath((real_root, real)) != real_root or not os.path.isfile(real):
        return None
    return Path(real)


def _valid_escapes(raw: str) -> bool:
    """Return True when every `%` starts a two-digit hex escape."""
    i = raw.find("%")
    while i != -1:
        if len(raw) < i + 3 or not all(c in "0123456789abcdefABCDEF" for c in raw[i + 1 : i + 3]):
            return False
        i = raw.find("%", i + 3)
    return True


def content_type(path: Path) -> str:
    """Return the media type a site file is served with."""
    for suffix, kind in TYPES.items():
        if path.name.endswith(suffix):
            return kind
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


# --------------------------------------------------------------------------- the live site


class LiveSite:
    """The site being previewed: its folder, the last build's outcome, and who to tell."""

    def __init__(
        self,
        targets: Sequence[str] | None,
        output: Path,
        *,
        config_file: str | None = None,
        template: str | None = None,
    ) -> None:
        self.targets = list(targets) if targets else None
        self.output = output
        self.config_file = config_file
        self.template = template
        self.generation = 0  # counts good builds; a page knows the one it was served from
        self.error: str | None = None  # the last build's error, while it failed
        self.stopping = False
        self.watch: list[str] = []
        self._changed = threading.Event()
        self._indexing: SearchIndex | None = None  # the search index of the last build, still being made
        self._index_stale: set[int] = set()  # bundles of indexes dropped before they were in place: made next
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: set[asyncio.Future] = set()

    def rebuild(self, *, jobs: int | None = 1, progress: Callable[[str, int, int], None] | None = None) -> str | None:
        """Build the site (incrementally); return None, or the one-line error of a failed build.

        After the first good build, pages reload as soon as they are written: the search
        index is finished in a thread, and dropped if a newer build comes first.
        """
        from designdoc.site.build import build

        self.drop_index()
        if not self.watch:  # until a config is read: the targets (or the current folder) and the config files
            self.watch = _watch_paths(self.targets or ["."], None, self.template, _config_files(self.config_file))
        try:
            config, template, targets = self._settings()
            result = build(
                targets,
                self.output,
                config=config,
                template=template,
                jobs=jobs,
                index_later=self.generation > 0,
                reindex=self._index_stale,
                progress=progress,
            )
        except DesignDocError as error:
            return self._failed(str(error))
        except Exception as error:  # an internal error must not stop the preview
            return self._failed(f"internal error: {type(error).__name__}: {error}")
        for note in result.notes:
            _say(f"designdoc: warning: {note}")
        if result.pending is not None:
            self._indexing, self._index_stale = result.pending, set()  # it makes the stale bundles too
            threading.Thread(target=_finish_index, args=(result.pending,), name="search-index", daemon=True).start()
        self.error = None
        self.generation += 1
        self._notify()
        return None

    def _settings(self) -> tuple[Config, Template, list[str]]:
        """Read the config and the template, and set what to watch; a DesignDocError when either fails.

        Whatever fails, `watch` covers what fixes it: every config file that could be the one
        (a broken one cannot say which it is), or the folder a missing template will appear in.
        """
        from designdoc.config import load as config_module
        from designdoc.config.load import load_template

        try:
            config = config_module.load(explicit=Path(self.config_file) if self.config_file else None)
        except DesignDocError:
            self.watch = sorted({*self.watch, *_watch_paths([], None, None, _config_files(self.config_file))})
            raise
        targets = config.targets(self.targets or ())
        self.watch = _watch_paths(targets, config, self.template)  # before the template: a missing one is watched
        return config, load_template(config, self.template), targets

    def drop_index(self) -> None:
        """Stop making the last build's search index (a newer build, or the end)."""
        pending, self._indexing = self._indexing, None
        if pending is not None:
            pending.stop()
            if not pending.indexed:
                self._index_stale |= pending.shards

    def _failed(self, message: str) -> str:
        self.error = message
        self._notify()
        return message

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the event loop the event streams wait on."""
        self._loop = loop

    def _notify(self) -> None:
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next build (or the stop); False when `timeout` passed first."""
        assert self._loop is not None
        waiter = self._loop.create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(waiter)

    def stop(self) -> None:
        """Stop: every event stream ends."""
        self.stopping = True
        self._notify()

    def state(self) -> str:
        """Return the state sent to pages: the generation and the error, as JSON."""
        return json.dumps({"generation": self.generation, "error": self.error})


def _finish_index(pending: SearchIndex) -> None:
    notes: list[str] = []
    pending.finish(notes)
    for note in notes:
        _say(f"designdoc: warning: {note}")


def _watch_paths(
    targets: Sequence[str], config: Config | None, template: str | None, files: Sequence[str] = ()
) -> list[str]:
    """Return what to watch: the targets, the config file, a template file and `files` (config files).

    A target that does not exist is left out.  A file that does not exist (a template or
    config file not written yet) is watched through the nearest folder above it that does,
    within the project: creating it is a change there.
    """
    paths = {os.path.abspath(t) for t in targets if os.path.exists(t)}
    project = os.path.abspath(config.root if config is not None and config.root is not None else ".")
    wanted = [*files]
    if config is not None and config.source is not None:
        wanted.append(str(config.source))
    name = template or (config.template if config is not None else None)
    if name:
        root = config.root if config is not None else None
        wanted.append(str(Path(name) if Path(name).is_absolute() or template or root is None else Path(root) / name))
    for file in wanted:
        found = _existing(os.path.abspath(file), project)
        if found is not None:
            paths.add(found)
    return sorted(paths)


def _existing(path: str, project: str) -> str | None:
    """Return `path` if it exists, else the nearest folder above it inside `project` (None: none is)."""
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent
    inside = os.path.isfile(path) or os.path.commonpath((project, path)) == project
    return path if inside else None  # never a folder above the project: it would watch a whole disk


def _config_files(named: str | None) -> list[str]:
    """Return the config files the next build may read: the one named, else every candidate up to a designdoc.toml."""
    from designdoc.config.load import CONFIG_NAMES

    if named:
        return [named]
    found = []
    start = Path.cwd()
    for folder in (start, *start.parents):
        candidates = [folder / name for name in CONFIG_NAMES if (folder / name).is_file()]
        found += [str(c) for c in candidates]
        if any(c.name == "designdoc.toml" for c in candidates):
            break  # the nearest designdoc.toml wins over anything above it
    return found


# --------------------------------------------------------------------------- the web app


def make_app(live: LiveSite):
    """Return the Starlette app serving `live`: site files, the event stream, the reload script."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, Response, StreamingResponse
    from starlette.routing import Route

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

    async def events(request: Request) -> StreamingResponse:
        return StreamingResponse(
            _event_stream(live, request), media_type="text/event-stream", headers={**headers, "X-Accel-Buffering": "no"}
        )

    async def script(request: Request) -> Response:
        return Response(LIVE_SCRIPT.read_bytes(), media_type="text/javascript", headers=headers)

    async def files(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method not allowed", 405, headers=headers)
        raw = request.scope.get("raw_path") or request.scope["path"].encode()
        if live.generation == 0:  # no good build yet: every page is the error, until one succeeds
            page = _NO_SITE.format(error=html.escape(live.error or "the site is being built"))
            return HTMLResponse(_inject(page.encode(), 0), 503, headers=headers)
        path = resolve_request(live.output, raw.decode("latin-1"))
        if path is None:
            return HTMLResponse(_NOT_FOUND, 404, headers=headers)
        data = path.read_bytes()
        if path.suffix == ".html":
            data = _inject(data, live.generation)
        return Response(data, media_type=content_type(path), headers=headers)

    routes = [
        Route(LIVE_PREFIX + "events", events),
        Route(LIVE_PREFIX + "live.js", script),
        Route("/{rest:path}", files, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]),
    ]
    return Starlette(routes=routes)


_NOT_FOUND = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
    '<body><main><h1>Not found</h1><p><a href="/index.html">Back to the catalog</a></p></main>'
    "</body></html>"
)


_NO_SITE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head>'
    '<body><main><h1>The site could not be built</h1><pre role="alert">{error}</pre>'
    "<p>Fix it and save: this page turns into the site.</p></main></body></html>"
)


def _inject(page: bytes, generation: int) -> bytes:
    """Add the live-reload script to a page, just before `</body>`."""
    tag = f'<script src="{LIVE_PREFIX}live.js" data-generation="{generation}"></script>\n'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at != -1 else page + tag


async def _event_stream(live: LiveSite, request: object) -> AsyncIterator[str]:
    """Yield the server-sent events of one page: its state now, then after every build."""
    yield f"event: state\ndata: {live.state()}\n\n"
    while not live.stopping:
        if not await live.wait(PING_SECONDS):
            yield ": ping\n\n"
            continue
        if live.stopping:
            break
        yield f"event: state\ndata: {live.state()}\n\n"


# --------------------------------------------------------------------------- running it


def bind(host: str, port: int) -> socket.socket:
    """Bind the listening socket; a port in use (or a bad address) is a UsageError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise UsageError(f"--host {host}: cannot be resolved ({error.strerror})") from None
    except (UnicodeError, ValueError) as error:  # not a name at all (`a..b`, a NUL): the resolver never sees it
        raise UsageError(f"--host {host!r}: not a host name or address ({error})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == 98 or "in use" in str(error).lower():
            raise UsageError(f"port {port} on {host} is already in use (choose another with --port)") from None
        raise UsageError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def is_loopback(host: str) -> bool:
    """Return True when `host` is a loopback name or address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    targets: Sequence[str] | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    config_file: str | None = None,
    template: str | None = None,
    first_build_progress: Callable[[], AbstractContextManager[Progress | None]] = contextlib.nullcontext,
) -> int:
    """Build, serve and watch until Ctrl-C; return the exit code.

    `first_build_progress` makes a context that yields the first build's progress callback
    (or None) and clears what it showed on exit, before the server's banner.
    """
    sock = bind(host, port)  # first: a host or port it cannot serve on is its one line, with no warning before it
    if not is_loopback(host):
        _say(f"designdoc: warning: serving on {host}: anyone who can reach this machine can read these docs")
    output = Path(tempfile.mkdtemp(prefix="designdoc-serve-"))
    live = None
    try:
        live = LiveSite(targets, output / "site", config_file=config_file, template=template)
        error = _first_build(live, first_build_progress)
        if error is not None:
            _say(f"designdoc: build failed: {error} (serving this error until a build succeeds)")
        shown_host = f"[{host}]" if ":" in host else host
        banner = (
            f"Serving http://{shown_host}:{sock.getsockname()[1]}/ (watching {', '.join(live.watch) or '.'}; "
            "Ctrl-C to stop)"
        )
        asyncio.run(_run(live, sock, banner))
        _say("designdoc: stopped")
        return 0
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        _say("designdoc: stopped")
        return 0
    finally:
        if live is not None:
            live.drop_index()
        sock.close()
        shutil.rmtree(output, ignore_errors=True)


def _first_build(live: LiveSite, progress: Callable[[], AbstractContextManager[Progress | None]]) -> str | None:
    """Build the site before serving it, showing `progress` (a large tree takes a while)."""
    with progress() as callback:
        return live.rebuild(jobs=None, progress=callback)


async def _run(live: LiveSite, sock: socket.socket, banner: str) -> None:
    import uvicorn

    live.attach(asyncio.get_running_loop())
    config = uvicorn.Config(
        make_app(live), log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )
    server = _server(config, live)
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(live, stop))
    announce = asyncio.create_task(_announce(server, banner))
    try:
        await server.serve(sockets=[sock])
    finally:
        live.stop()
        stop.set()
        watcher.cancel()
        announce.cancel()
        await asyncio.gather(watcher, announce, return_exceptions=True)


async def _announce(server: object, banner: str) -> None:
    """Print the URL once the server is up (and Ctrl-C is answered by stopping it)."""
    while not getattr(server, "started", False):
        await asyncio.sleep(0.02)
    _say(banner)


def _server(config, live: LiveSite):
    """Return a uvicorn server whose stop also ends the event streams (uvicorn is imported here)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            super().handle_exit(sig, frame)
            self._captured_signals.clear()  # the signal is answered by stopping: do not raise it again
            live.stop()

    return Server(config)


async def _watch(live: LiveSite, stop: asyncio.Event) -> None:
    """Rebuild after each batch of changes to the watched paths (the set is read again after each build)."""
    from watchfiles import DefaultFilter, awatch

    while not stop.is_set():
        paths = list(live.watch)
        if not paths:
            await asyncio.sleep(0.5)
            continue
        wanted = _OutsideOutput(DefaultFilter(), os.path.realpath(live.output), _cache_folder())
        async for _ in awatch(
            *paths,
            watch_filter=wanted,
            stop_event=stop,
            debounce=200,
            step=50,
            rust_timeout=1000,
            yield_on_timeout=False,
        ):
            error = await asyncio.to_thread(live.rebuild)
            _say(f"designdoc: rebuild failed: {error}" if error else f"Rebuilt (build {live.generation})")
            if list(live.watch) != paths:
                break  # the config or template moved: watch the new set


class _OutsideOutput:
    """watchfiles' default filter (no .git, caches, swap files), nothing inside the site folder,
    and nothing of the check cache (each build writes it: a change there would start another)."""

    def __init__(self, default: object, output: str, cache: str | None = None) -> None:
        self.default = default
        self.skipped = tuple(folder + os.sep for folder in (output, cache) if folder is not None)

    def __call__(self, change: object, path: str) -> bool:
        inside = os.path.realpath(path).startswith(self.skipped)
        return bool(self.default(change, path)) and not inside and CACHE_NAME not in Path(path).parts


def _cache_folder() -> str | None:
    """Return the real path of DESIGNDOC_CACHE_DIR, when set (a `.designdoc-cache` folder is known by name)."""
    explicit = os.environ.get("DESIGNDOC_CACHE_DIR")
    return os.path.realpath(explicit) if explicit else None


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
