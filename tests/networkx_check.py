#!/usr/bin/env python3
"""Checks a Linkflow export against networkx.

Usage: networkx_check.py EXPORT.json

Loads the export with networkx.node_link_graph(data, edges="links"), and
- builds a DiGraph of every node and the followed links, runs networkx.pagerank with the
  export's damping (tol=1e-15, max_iter=10000) and sums |networkx - classicShare| (L1);
- computes click depth from the start page over followed links, where a node's
  redirectTo is a free hop (0-1 BFS: redirects cost 0, links cost 1), and compares it with
  each node's `depth` (null = unreachable).

Prints a few human-readable lines, then one line of JSON with the results (the Rust test
tests/rust_book.rs reads that last line). Exits 2 if networkx is missing.
"""

import json
import sys
from collections import deque


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    try:
        import networkx as nx
    except ImportError as e:  # the venv is missing or incomplete
        print(f"networkx is not importable ({e}); run ./build.sh test", file=sys.stderr)
        return 2

    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    g = nx.node_link_graph(data, edges="links")
    meta = data["graph"]
    settings = meta.get("settings", {})
    damping = settings["damping"]

    followed = nx.DiGraph()
    followed.add_nodes_from(g.nodes)
    followed.add_edges_from(
        (u, v) for u, v, attrs in g.edges(data=True) if attrs.get("followed")
    )
    pr = nx.pagerank(followed, alpha=damping, tol=1e-15, max_iter=10000)
    missing_share = [n for n in g.nodes if g.nodes[n].get("classicShare") is None]
    l1 = sum(
        abs(pr[n] - g.nodes[n]["classicShare"]) for n in g.nodes if n not in missing_share
    )

    # The start page: settings.startUrl when it is a node, else the site root.
    start = settings.get("startUrl")
    if start not in g:
        start = meta["site"]
    depth = {}
    if start in g:
        depth[start] = 0
        queue = deque([start])
        while queue:
            u = queue.popleft()
            du = depth[u]
            target = g.nodes[u].get("redirectTo")
            if target is not None and target in g and depth.get(target, float("inf")) > du:
                depth[target] = du
                queue.appendleft(target)
            for v in followed.successors(u):
                if depth.get(v, float("inf")) > du + 1:
                    depth[v] = du + 1
                    queue.append(v)
    mismatches = [
        {"node": n, "linkflow": g.nodes[n].get("depth"), "networkx": depth.get(n)}
        for n in g.nodes
        if g.nodes[n].get("depth") != depth.get(n)
    ]

    print(f"nodes {g.number_of_nodes()}, followed edges {followed.number_of_edges()}")
    print(f"pagerank L1 (networkx vs classicShare): {l1:.3e}")
    print(f"depth mismatches: {len(mismatches)}")
    print(
        json.dumps(
            {
                "nodes": g.number_of_nodes(),
                "edges": g.number_of_edges(),
                "followed_edges": followed.number_of_edges(),
                "start": start if start in g else None,
                "l1": l1,
                "missing_share": missing_share[:20],
                "reachable": len(depth),
                "depth_mismatches": len(mismatches),
                "depth_mismatch_examples": mismatches[:10],
                "networkx": nx.__version__,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
