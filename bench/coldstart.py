"""Cold start: time from process start to the first 200 on /health and to the first
authenticated request, as a serverless host (seed 000: Vercel) pays it on every new instance.

    python bench/coldstart.py                 # median of 5, embedded, all five apps
    python bench/coldstart.py --runs 9 --mode scaled

The database is migrated and a member signed in before timing starts (a deploy runs the
migrations once; an instance only starts). Bytecode is compiled first, as installing the wheel
does (`pip install .` in the Dockerfile): in an editable checkout with PYTHONDONTWRITEBYTECODE
set, every start would otherwise compile all of appfleet again. A bare FastAPI app under
uvicorn is timed the same way in the same run, for the ratio, and so is the floor
(`cold_floor_app.py`: FastAPI, SQLAlchemy's ORM and PyJWT answering one authenticated read),
which says how much of a start is the stack's before any of appfleet's own code.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, environment, free_port  # noqa: E402

ME = "/api/v1/corpfinity/users/me"
DEADLINE_S = 30.0


def _wait(client: httpx2.Client, url: str, headers: dict[str, str], started: float) -> float:
    """Milliseconds from `started` until `url` answers 200 (polled every 2 ms)."""
    while True:
        try:
            if client.get(url, headers=headers).status_code == 200:
                return (time.perf_counter() - started) * 1000
        except httpx2.TransportError:
            pass
        if time.perf_counter() - started > DEADLINE_S:
            raise SystemExit(f"{url} did not answer within {DEADLINE_S} s")
        time.sleep(0.002)


def _start(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, started


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _token(base: str) -> dict[str, str]:
    body = {"email": "cold@example.com", "password": "cold start password", "name": "Cold"}
    response = httpx2.post(f"{base}/api/v1/corpfinity/auth/register", json=body, timeout=30)
    if response.status_code == 409:
        response = httpx2.post(f"{base}/api/v1/corpfinity/auth/login", json=body, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def time_appfleet(env: dict[str, str], workdir: Path, runs: int) -> tuple[list[float], list[float]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "appfleet", "serve", "--port", str(port)]
    with httpx2.Client(timeout=2) as client:
        process, started = _start(command, env, workdir)  # first start applies migrations
        _wait(client, f"{base}/health", {}, started)
        auth = _token(base)
        _stop(process)
        health, first_auth = [], []
        for _ in range(runs):
            process, started = _start(command, env, workdir)
            health.append(_wait(client, f"{base}/health", {}, started))
            first_auth.append(_wait(client, f"{base}{ME}", auth, started))
            _stop(process)
    return health, first_auth


def _time_uvicorn(
    app: str, path: str, headers: dict[str, str], env: dict[str, str], workdir: Path, runs: int
) -> list[float]:
    """Milliseconds from start to the first 200 on `path` of a bench app under uvicorn."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--app-dir", str(ROOT / "bench")]
    command += ["--port", str(port), "--log-level", "warning"]
    times = []
    with httpx2.Client(timeout=2) as client:
        for _ in range(runs):
            process, started = _start(command, env, workdir)
            times.append(_wait(client, f"http://127.0.0.1:{port}{path}", headers, started))
            _stop(process)
    return times


def time_bare(env: dict[str, str], workdir: Path, runs: int) -> list[float]:
    return _time_uvicorn("bare_app:app", "/", {}, env, workdir, runs)


def time_floor(env: dict[str, str], workdir: Path, runs: int) -> list[float]:
    """First authenticated 200 of `cold_floor_app` (FastAPI + SQLAlchemy ORM + PyJWT, one row
    read): what any such backend pays before its own code, timed in the same run."""
    env = {**env, "COLD_FLOOR_DB": str(workdir / "cold_floor.sqlite")}
    prepare = "import cold_floor_app as f; f.prepare(); print(f.token())"
    made = subprocess.run(
        [sys.executable, "-c", prepare],
        env=env,
        cwd=ROOT / "bench",
        check=True,
        capture_output=True,
    )
    auth = {"Authorization": f"Bearer {made.stdout.decode().strip()}"}
    return _time_uvicorn("cold_floor_app:app", "/me", auth, env, workdir, runs)


def compile_bytecode() -> None:
    """appfleet's and the bare app's modules compiled to bytecode where they are imported from."""
    spec = importlib.util.find_spec("appfleet")
    assert spec is not None and spec.submodule_search_locations
    bench = ROOT / "bench"
    sources = [*spec.submodule_search_locations, str(bench / "bare_app.py")]
    sources.append(str(bench / "cold_floor_app.py"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sources], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mode", choices=["embedded", "scaled"], default="embedded")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="appfleet-coldstart-") as tmp:
        workdir = Path(tmp)
        env = environment(args.mode, workdir, access_log=False)
        compile_bytecode()
        bare = time_bare(env, workdir, args.runs)
        floor = time_floor(env, workdir, args.runs)
        health, first_auth = time_appfleet(env, workdir, args.runs)
    figures = {
        "bare_ms": statistics.median(bare),
        "floor_ms": statistics.median(floor),
        "health_ms": statistics.median(health),
        "first_auth_ms": statistics.median(first_auth),
    }
    print(f"cold start, median of {args.runs} ({args.mode}):")
    print(f"  bare FastAPI first 200          {figures['bare_ms']:7.0f} ms")
    print(f"  floor first authenticated       {figures['floor_ms']:7.0f} ms  (cold_floor_app)")
    print(f"  appfleet first 200 on /health   {figures['health_ms']:7.0f} ms")
    print(f"  appfleet first authenticated    {figures['first_auth_ms']:7.0f} ms")
    ratio = figures["first_auth_ms"] / figures["floor_ms"]
    print(f"  appfleet / floor, authenticated {ratio:7.2f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
