#!/usr/bin/env python3
"""Linkflow's native PageRank against igraph (PRPACK, one thread) and networkx, in one run,
on the same synthetic graph.

For each size, `linkflow-bench pagerank` (src/bin/linkflow-bench.rs) generates the site with
linkflow::synth, times our kernel, writes the classic model's edge list and our rank vector;
this script then loads the same edges into igraph and networkx, times their PageRank, checks
that the vectors agree, and prints the ratios (JSON on stdout, a summary on stderr).

    .venv/bin/python scripts/bench-peers.py                 # 100k/1M and 1M/10M
    .venv/bin/python scripts/bench-peers.py --sizes 100000 --reps 3
    .venv/bin/python scripts/bench-peers.py --networkx-max-pages 1000000   # nx at 1M too (slow)

Packages: scripts/requirements-bench.txt (igraph, networkx, numpy, scipy).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

# One thread for every peer, set before numpy/igraph load their runtimes.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAMPING = 0.85


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def bench_binary(args):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "linkflow-bench")
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "linkflow-bench"],
            cwd=ROOT,
            check=True,
        )
    return exe


def timed(fn, reps):
    times, out = [], None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1e3)
    return out, times


def summary(times):
    return {
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
        "runs": len(times),
    }


def run_size(exe, pages, lpp, reps, nx_max, tmp):
    edges_path = os.path.join(tmp, f"edges-{pages}.bin")
    ranks_path = os.path.join(tmp, f"ranks-{pages}.txt")
    cmd = [exe, "pagerank", "--pages", str(pages), "--lpp", str(lpp), "--reps", str(reps),
           "--edges", edges_path, "--ranks", ranks_path]
    log("$", " ".join(cmd))
    ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    edges = np.fromfile(edges_path, dtype="<u4").reshape(-1, 2)
    ours_rank = np.loadtxt(ranks_path)
    n = pages
    row = {"pages": n, "edges": int(edges.shape[0]), "linkflow": ours}

    import igraph

    t = time.perf_counter()
    g = igraph.Graph(n=n, edges=edges.tolist(), directed=True)
    load_ms = (time.perf_counter() - t) * 1e3
    pr, times = timed(
        lambda: g.pagerank(damping=DAMPING, directed=True, implementation="prpack"), reps
    )
    pr = np.asarray(pr)
    row["igraph_prpack"] = {
        "version": igraph.__version__,
        "load_ms": round(load_ms, 1),
        "ms": summary(times),
        "l1_vs_linkflow": float(np.abs(pr - ours_rank).sum()),
    }
    del g

    if n <= nx_max:
        import networkx as nx

        t = time.perf_counter()
        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(edges.tolist())
        load_ms = (time.perf_counter() - t) * 1e3
        # networkx stops when its L1 change < N·tol: tol = 1e-9/N is "L1 < 1e-9".
        nx_reps = 1 if n > 100_000 else max(1, min(reps, 3))
        d, times = timed(lambda: nx.pagerank(G, alpha=DAMPING, tol=1e-9 / n, max_iter=1000),
                         nx_reps)
        v = np.array([d[i] for i in range(n)])
        row["networkx"] = {
            "version": nx.__version__,
            "load_ms": round(load_ms, 1),
            "ms": summary(times),
            "l1_vs_linkflow": float(np.abs(v - ours_rank).sum()),
        }
        del G

    ours_ms = ours["strict"]["ms"]["median"]
    ours_plain = ours["plain"]["ms"]["median"]
    row["ratios"] = {
        "igraph_over_linkflow": round(row["igraph_prpack"]["ms"]["median"] / ours_ms, 2),
        "igraph_over_linkflow_plain": round(row["igraph_prpack"]["ms"]["median"] / ours_plain, 2),
        # Paired: each run's time per iteration over the probe run just before and after it.
        "per_iteration_over_probe_f64": round(
            ours["per_iteration_over_probe"]["median"], 2),
        # The same over the probe gathering f32 (large cold rankings start with f32 sweeps).
        "per_iteration_over_probe_f32": round(
            ours["per_iteration_over_probe_f32"]["median"], 2),
    }
    if "networkx" in row:
        row["ratios"]["networkx_over_linkflow"] = round(
            row["networkx"]["ms"]["median"] / ours_ms, 1)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000", help="pages, comma-separated")
    ap.add_argument("--lpp", type=int, default=10, help="links per page")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--networkx-max-pages", type=int, default=100_000)
    ap.add_argument("--no-build", action="store_true", help="use the built linkflow-bench")
    args = ap.parse_args()
    exe = bench_binary(args)
    rows = []
    with tempfile.TemporaryDirectory(prefix="linkflow-bench-") as tmp:
        for pages in [int(x) for x in args.sizes.split(",") if x]:
            row = run_size(exe, pages, args.lpp, args.reps, args.networkx_max_pages, tmp)
            rows.append(row)
            o = row["linkflow"]
            ig = row["igraph_prpack"]
            log(f"{pages} pages / {row['edges']} edges: linkflow {o['strict']['ms']['median']:.1f} ms "
                f"({o['strict']['iterations']} sweeps; plain δ<1e-9: {o['plain']['ms']['median']:.1f} ms), "
                f"igraph PRPACK {ig['ms']['median']:.1f} ms (×{row['ratios']['igraph_over_linkflow']}), "
                + (f"networkx {row['networkx']['ms']['median']:.0f} ms "
                   f"(×{row['ratios']['networkx_over_linkflow']}), " if "networkx" in row else "")
                + f"L1 vs igraph {ig['l1_vs_linkflow']:.2e}, "
                f"per iteration / probe {row['ratios']['per_iteration_over_probe_f64']}")
    uname = os.uname()
    print(json.dumps({
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{uname.nodename} {uname.machine} {os.cpu_count()} cpus",
        "loadavg": os.getloadavg(),
        "rows": rows,
    }, indent=1))


if __name__ == "__main__":
    main()
