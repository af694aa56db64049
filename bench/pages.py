"""Page speed under gunicorn: home, the job list, search, a job page and the htmx fragment, against
the framework's own ceiling, on a PostgreSQL board of N published jobs.

    .venv/bin/python bench/pages.py --jobs 10000 [--duration 20] [--connections 16] [--reuse]
    .venv/bin/python bench/pages.py --jobs 100000 --reuse        # the 100k board (building it takes a while)

It builds (or, with --reuse, keeps) the database bench_pages_<N> and its search index, then starts
gunicorn with the project's own gunicorn.conf.py (APP_ENV=production) for the app and for the two
baselines of bench/baseline_app.py under the same settings, and drives each page with wrk (installed
from Debian if missing) after a warm-up. Per page it prints requests/s, p50/p99 latency, CPU ms per
request (gunicorn processes, and PostgreSQL), the ratio to the ceiling's requests/s, how the wrk
connections spread over the gunicorn workers, the RSS of every process, and what compression
costs. Timings are noisy on a shared 2-core machine: compare runs of the same session.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_BASE = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
TICKS = os.sysconf("SC_CLK_TCK")

TITLES = [
    "Senior Python Engineer",
    "Data Analyst",
    "Frontend Developer",
    "Site Reliability Engineer",
    "Product Designer",
    "Machine Learning Engineer",
    "Backend Engineer",
    "Engineering Manager",
    "DevOps Engineer",
    "QA Engineer",
    "Technical Writer",
    "Mobile Developer",
    "Data Engineer",
    "Security Engineer",
    "Support Engineer",
    "Solutions Architect",
    "Platform Engineer",
]
PREFIXES = ["", "", "Senior ", "Junior ", "Lead ", "Staff ", "Principal "]
PLACES = [
    "Berlin, Germany",
    "Remote (EU)",
    "Amsterdam, Netherlands",
    "Remote (US)",
    "Boston, MA, USA",
    "Chicago, IL, USA",
    "Bangalore, India",
    "Remote (India)",
    "London, UK",
    "Paris, France",
    "Madrid, Spain",
    "Toronto, Canada",
    "Sydney, Australia",
    "Remote",
    "Singapore",
    "Zurich, Switzerland",
]
SKILLS = [
    "Python",
    "PostgreSQL",
    "Flask",
    "Redis",
    "SQL",
    "dbt",
    "Looker",
    "HTML",
    "CSS",
    "htmx",
    "Kubernetes",
    "Terraform",
    "Linux",
    "Figma",
    "C++",
    "ROS 2",
    "PyTorch",
    "Go",
    "Rust",
    "Java",
    "TypeScript",
    "React",
]
WORDS = [
    "build",
    "ship",
    "measure",
    "own",
    "design",
    "review",
    "mentor",
    "improve",
    "operate",
    "scale",
    "team",
    "customers",
    "product",
    "data",
    "platform",
    "reliable",
    "fast",
    "secure",
    "tests",
    "documentation",
    "on-call",
    "roadmap",
    "quality",
]
PAGES = [
    ("/", "home"),
    ("/jobs", "job list"),
    ("/jobs?q=python", "search: python"),
    ("/jobs?q=senior+engineer&workplace=remote", "search + filter"),
    ("/jobs?page=5", "job list, page 5"),
    ("{job}", "job page"),
    ("/jobs?q=python#fragment", "fragment (htmx)"),
]


def wrk_installed() -> str:
    if not shutil.which("wrk"):
        print("Installing wrk from Debian's packages...", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    return shutil.which("wrk")


# --- The board ----------------------------------------------------------------------------------------------


def build_board(url: str, count: int, reuse: bool) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and reuse:
            # A board kept from an older checkout gets this checkout's migrations first.
            _migrate(url)
            engine = create_engine(url)
            with engine.connect() as db:
                have = db.scalar(text("SELECT count(*) FROM jobs WHERE status = 'published'"))
            engine.dispose()
            if have == count:
                print(f"Reusing {name} ({have:,} published jobs)", flush=True)
                admin.dispose()
                return
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    _migrate(url)
    print(f"Filling {name} with {count:,} published jobs...", flush=True)
    started = time.perf_counter()
    rng = random.Random(7)
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as db:
        companies = max(20, count // 50)
        db.execute(
            text(
                "INSERT INTO companies (name, slug, website, about, created_at, updated_at) "
                "VALUES (:name, :slug, '', 'We make things.', now(), now())"
            ),
            [{"name": f"Company {n}", "slug": f"company-{n}"} for n in range(companies)],
        )
        company_ids = [row[0] for row in db.execute(text("SELECT id FROM companies ORDER BY id"))]
        batch = []
        for n in range(count):
            title = rng.choice(PREFIXES) + rng.choice(TITLES)
            skills = rng.sample(SKILLS, 4)
            words = " ".join(rng.choice(WORDS) for _ in range(120))
            published = now - timedelta(minutes=rng.randint(0, 60 * 24 * 25))
            batch.append(
                {
                    "company_id": rng.choice(company_ids),
                    "title": title,
                    "slug": re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
                    "description": f"## About the role\n{words}",
                    "description_html": f"<h2>About the role</h2><p>{words}</p>",
                    "location": rng.choice(PLACES),
                    "workplace": rng.choice(["onsite", "hybrid", "remote"]),
                    "employment_type": rng.choice(["full_time", "full_time", "part_time", "contract"]),
                    "seniority": rng.choice(["junior", "mid", "senior", "lead"]),
                    "salary_min": rng.randrange(40_000, 120_000, 1000),
                    "salary_currency": "USD",
                    "salary_period": "year",
                    "skills": json.dumps(skills),
                    "published_at": published,
                    "expires_at": published + timedelta(days=30 + 10),
                    "featured_until": now + timedelta(days=3) if n % 100 == 0 else None,
                }
            )
            if len(batch) == 5000 or n == count - 1:
                db.execute(
                    text(
                        "INSERT INTO jobs (company_id, title, slug, description, description_html, location, "
                        "workplace, employment_type, seniority, salary_min, salary_currency, salary_period, skills, "
                        "status, published_at, expires_at, featured_until, view_count, created_at, updated_at) "
                        "VALUES (:company_id, :title, :slug, :description, :description_html, :location, :workplace, "
                        ":employment_type, :seniority, :salary_min, :salary_currency, :salary_period, "
                        "CAST(:skills AS JSON), 'published', :published_at, :expires_at, :featured_until, 0, "
                        "now(), now())"
                    ),
                    batch,
                )
                batch = []
    with engine.connect() as db:
        db.execute(text("ANALYZE"))
    engine.dispose()
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)


def _migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=_app_env(url, Path(tempfile.gettempdir())),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def index_ready(env: dict) -> bool:
    """`flask search status` exits non-zero when the index is missing or was built with another
    schema version (it would otherwise be answered by the database fallback until rebuilt)."""
    status = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "search", "status"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return status.returncode == 0


def build_index(env: dict) -> None:
    print("Building the search index (flask search reindex)...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "search", "reindex"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def _app_env(url: str, workdir: Path, port: int = 0, **extra) -> dict:
    return {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "bench-" + "k" * 40,
        "DATABASE_URL": url,
        "BASE_URL": f"http://127.0.0.1:{port or 8000}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PROXY_HOPS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "REDIS_URL": "",
        "SEARCH_INDEX_DIR": str(workdir / "search-index"),
        **extra,
    }


# --- Processes ------------------------------------------------------------------------------------------------


def start_gunicorn(target: str, env: dict, port: int) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # noqa: SIM115  (the server's stderr, for as long as it runs)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            target,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: the JSON request log goes to stderr, and a pipe nobody reads fills
        # after a few hundred requests; then every thread that logs blocks, and the server hangs.
        stderr=log,
        start_new_session=True,
    )
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except requests.RequestException:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-2000:]) from None
            time.sleep(0.3)
    raise RuntimeError(f"{target} did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICKS


def postgres_pids(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if command.startswith("postgres:") and f" {database} " in command:
                pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def connections_by_worker(port: int, workers: list[int]) -> dict[int, int]:
    """Established connections on the port, per worker process (from ss)."""
    output = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    ).stdout
    counts = Counter(int(m) for m in re.findall(r"pid=(\d+)", output))
    return {pid: counts.get(pid, 0) for pid in workers}


# --- Load --------------------------------------------------------------------------------------------------


def run_wrk(url: str, duration: int, connections: int, headers: list[str], on_midway=None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    process = subprocess.Popen([*command, url], stdout=subprocess.PIPE, text=True)
    midway = None
    if on_midway is not None:
        time.sleep(duration / 2)
        midway = on_midway()
    output = process.communicate()[0]
    result = {"midway": midway}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["errors"] = int(errors.group(1)) if errors else 0
    for percent in ("50", "99"):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output).groups()
        result[f"p{percent}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return result


def measure(url, headers, args, gunicorn, database, connections=None):
    workers = children(gunicorn.pid)
    run_wrk(url, 3, args.connections, headers)  # warm-up: caches, pooled connections, JIT-free but lazy imports
    app_pids = [gunicorn.pid, *workers]
    app_before, pg_before = cpu_seconds(app_pids), cpu_seconds(postgres_pids(database))
    result = run_wrk(
        url,
        args.duration,
        connections or args.connections,
        headers,
        on_midway=lambda: connections_by_worker(args.port, workers),
    )
    app_cpu = cpu_seconds(app_pids) - app_before
    pg_cpu = cpu_seconds(postgres_pids(database)) - pg_before
    result["app_ms"] = app_cpu * 1000 / max(result["requests"], 1)
    result["pg_ms"] = pg_cpu * 1000 / max(result["requests"], 1)
    return result


def wire_bytes(port: int, path: str, headers: dict) -> int | None:
    """Length of the body as sent (None if the server did not answer within a minute)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        return len(connection.getresponse().read())
    except OSError:
        return None
    finally:
        connection.close()


def mixed_searches(count: int, seed: int = 11) -> list[str]:
    """`count` search addresses of several kinds (words, two words, phrases, prefixes, filters only,
    words with filters, later pages, misspellings), mostly distinct, as /jobs?... paths."""
    rng = random.Random(seed)
    words = [w.lower() for title in TITLES for w in title.split()] + [s.lower() for s in SKILLS] + WORDS
    places = PLACES

    def filters() -> dict:
        chosen = {}
        for name, values in (
            ("workplace", ["onsite", "hybrid", "remote"]),
            ("seniority", ["junior", "mid", "senior", "lead"]),
            ("employment_type", ["full_time", "part_time", "contract"]),
        ):
            if rng.random() < 0.35:
                chosen[name] = rng.choice(values)
        if rng.random() < 0.3:
            chosen["location"] = rng.choice(places)
        if rng.random() < 0.2:
            chosen["posted"] = rng.choice(["24h", "7d", "30d"])
        if rng.random() < 0.2:
            chosen["salary_min"] = rng.choice(["50000", "75000", "100000"])
        return chosen

    paths = []
    for n in range(count):
        kind = n % 8
        args: dict = {}
        if kind == 0:
            args["q"] = rng.choice(words)
        elif kind == 1:
            args["q"] = f"{rng.choice(words)} {rng.choice(words)}"
        elif kind == 2:
            args["q"] = f'"{rng.choice(TITLES).split()[0].lower()} {rng.choice(TITLES).split()[-1].lower()}"'
        elif kind == 3:
            args["q"] = rng.choice(words)[:3] + "*"
        elif kind == 4:
            args.update(filters() or {"workplace": "remote"})
        elif kind == 5:
            args["q"] = rng.choice(words)
            args.update(filters())
        elif kind == 6:
            args["q"] = rng.choice(words)
            args["page"] = str(rng.randint(2, 20))
        else:
            word = rng.choice(words)
            i = rng.randrange(len(word))
            args["q"] = word[:i] + word[i + 1 :] + rng.choice("aeiou")  # a typo: "did you mean"
        args["sort"] = rng.choice(["relevance", "relevance", "newest"])
        paths.append("/jobs?" + urlencode(args))
    return paths


def memory_after_searches(env: dict, port: int, count: int) -> tuple[float, float, float]:
    """RSS of one web worker (WEB_CONCURRENCY=1) before and after `count` mixed searches, and the
    searches' mean time in ms (one after the other: what the caches being measured buy)."""
    import requests  # as start_gunicorn: only the serving phases need it

    gunicorn = start_gunicorn("wsgi:app", {**env, "WEB_CONCURRENCY": "1"}, port)
    try:
        worker = children(gunicorn.pid)[0]
        base = f"http://127.0.0.1:{port}"
        requests.get(base + "/jobs?q=python", timeout=60)  # the index opened, caches started
        before = rss_mb(worker)
        started = time.perf_counter()
        with requests.Session() as session:
            for path in mixed_searches(count):
                try:
                    session.get(base + path, timeout=60)
                except requests.RequestException as error:
                    print(f"  {path}: {error}", flush=True)
        mean_ms = (time.perf_counter() - started) * 1000 / max(1, count)
        return before, rss_mb(worker), mean_ms
    finally:
        stop(gunicorn)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=5081)
    parser.add_argument("--reuse", action="store_true", help="keep an existing board of the same size")
    parser.add_argument("--pages", default="", help="comma-separated page labels to run (default: all)")
    parser.add_argument("--extra-env", default="", help="KEY=VALUE,... for the app (e.g. to compare settings)")
    parser.add_argument("--database", default="", help="database name (default bench_pages_<jobs>)")
    parser.add_argument("--build-only", action="store_true", help="fill the board and build its index, then stop")
    parser.add_argument(
        "--memory-searches",
        type=int,
        default=1000,
        help="mixed searches sent to one worker before its RSS is read (0: skip)",
    )
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the one-worker RSS after --memory-searches searches (to compare settings with --extra-env)",
    )
    parser.add_argument(
        "--telemetry-overhead",
        action="store_true",
        help="also run the app with REQUEST_TELEMETRY=false on two pages and print the ratio",
    )
    args = parser.parse_args()
    wrk_installed()

    database = args.database or f"bench_pages_{args.jobs}"
    url = f"{PG_BASE}/{database}"
    workdir = Path(tempfile.gettempdir()) / database
    workdir.mkdir(exist_ok=True)
    extra = dict(item.split("=", 1) for item in args.extra_env.split(",") if item)
    env = _app_env(url, workdir, args.port, **extra)
    build_board(url, args.jobs, args.reuse)
    if not (args.reuse and (workdir / "search-index").exists() and index_ready(env)):
        build_index(env)
    if args.build_only:
        return 0
    if args.memory_only:
        first, after, mean_ms = memory_after_searches(env, args.port, args.memory_searches)
        print(
            f"One web worker (WEB_CONCURRENCY=1): RSS {first:.0f} MB after its first search, "
            f"{after:.0f} MB after {args.memory_searches:,} mixed searches, {mean_ms:.1f} ms each on average "
            f"({args.extra_env or 'defaults'})"
        )
        return 0

    rows = []
    base = f"http://127.0.0.1:{args.port}"
    for target, label in (
        ('bench.baseline_app:create("hello")', "bare Flask hello world"),
        ('bench.baseline_app:create("ceiling")', "Flask + Jinja + one query (ceiling)"),
    ):
        gunicorn = start_gunicorn(target, env, args.port)
        try:
            rows.append((label, measure(base + "/", [], args, gunicorn, database), None))
        finally:
            stop(gunicorn)
    ceiling = rows[-1][1]["rps"]

    gunicorn = start_gunicorn("wsgi:app", env, args.port)
    try:
        import requests

        listing = requests.get(base + "/jobs", timeout=30)
        found = re.search(r'href="(/jobs/\d+/[^"]+)"', listing.text)
        if found is None:
            raise SystemExit(f"/jobs answered {listing.status_code} without a job link: {listing.text[:500]}")
        job_path = found.group(1)
        wanted = {p.strip() for p in args.pages.split(",") if p.strip()}
        for path, label in PAGES:
            if wanted and label not in wanted:
                continue
            headers = []
            if path.endswith("#fragment"):
                path = path.split("#")[0]
                headers = ["HX-Request: true", "HX-Target: job-results"]
            path = path.replace("{job}", job_path)
            rows.append((label, measure(base + path, headers, args, gunicorn, database), path))
        # What compression costs: the same search with and without Accept-Encoding.
        compressed = measure(base + "/jobs?q=python", ["Accept-Encoding: br, gzip"], args, gunicorn, database)
        rows.append(("search: python, brotli", compressed, "/jobs?q=python"))
        # Bytes on the wire (not decoded: http.client leaves the body as sent).
        sizes = {
            label: wire_bytes(args.port, path, dict(h.split(": ") for h in hdr))
            for label, path, hdr in (
                ("page", "/jobs?q=python", []),
                ("fragment", "/jobs?q=python", ["HX-Request: true", "HX-Target: job-results"]),
                ("page, brotli", "/jobs?q=python", ["Accept-Encoding: br"]),
                ("page, gzip", "/jobs?q=python", ["Accept-Encoding: gzip"]),
            )
        }
        rss = {pid: rss_mb(pid) for pid in [gunicorn.pid, *children(gunicorn.pid)]}
    finally:
        stop(gunicorn)

    overhead = []
    if args.telemetry_overhead:
        # The same two pages back to back, on the same gunicorn settings, with and without the
        # per-request metrics and request log line (REQUEST_TELEMETRY).
        # Alternated twice (on, off, on, off) and the better run of each kept: whichever runs
        # second would otherwise get the warmer database and the quieter machine.
        measured = {}
        for setting in ("true", "false", "true", "false"):
            server = start_gunicorn("wsgi:app", {**env, "REQUEST_TELEMETRY": setting}, args.port)
            try:
                for path in ("/jobs?q=python", job_path):
                    result = measure(base + path, [], args, server, database)
                    best = measured.get((setting, path))
                    if best is None or result["rps"] > best["rps"]:
                        measured[setting, path] = result
            finally:
                stop(server)
        for path, label in (("/jobs?q=python", "search: python"), (job_path, "job page")):
            overhead.append((label, measured["true", path], measured["false", path]))
    memory = memory_after_searches(env, args.port, args.memory_searches) if args.memory_searches else None

    print()
    print(
        f"{args.jobs:,} published jobs, PostgreSQL, gunicorn.conf.py (APP_ENV=production), wrk -c{args.connections} "
        f"for {args.duration} s after a 3 s warm-up, {os.cpu_count()} cores"
    )
    print(
        f"{'page':38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'app ms':>7} {'pg ms':>6} {'ceiling':>8}  "
        f"connections per worker"
    )
    for label, result, _path in rows:
        spread = "/".join(str(n) for n in (result["midway"] or {}).values())
        errors = f"  ({result['errors']} non-2xx)" if result["errors"] else ""
        print(
            f"{label:38} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} {result['app_ms']:7.2f} "
            f"{result['pg_ms']:6.2f} {result['rps'] / ceiling:7.0%}  {spread}{errors}"
        )
    print(
        "Response sizes (search: python): "
        + ", ".join(f"{k} {v / 1024:.1f} KB" if v is not None else f"{k} (no answer)" for k, v in sizes.items())
    )
    for label, on, off in overhead:
        print(
            f"Telemetry (metrics + request log), {label}: {on['rps']:.0f} req/s with, {off['rps']:.0f} without: "
            f"{1 - on['rps'] / off['rps']:.1%} fewer requests/s; "
            f"app CPU {on['app_ms']:.2f} vs {off['app_ms']:.2f} ms/req"
        )
    if memory is not None:
        print(
            f"One web worker (WEB_CONCURRENCY=1): RSS {memory[0]:.0f} MB after its first search, "
            f"{memory[1]:.0f} MB after {args.memory_searches:,} mixed searches ({memory[2]:.1f} ms each on average)"
        )
    print(
        "RSS after the runs: "
        + ", ".join(f"{'master' if i == 0 else 'worker'} {mb:.0f} MB" for i, mb in enumerate(rss.values()))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
