"""Reference PageRank for a Linkflow export (docs/EXPORT.md), computed by networkx.

Usage: pagerank_check.py EXPORT.json
Prints one JSON object: node/edge counts, the damping used, and the L1 and max distances
between networkx.pagerank on the graph of followed internal links and the export's
`classicShare` of every node.
"""

import json
import sys

import networkx as nx


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    graph = nx.node_link_graph(data, edges="links")
    followed = nx.DiGraph()
    followed.add_nodes_from(graph.nodes)
    followed.add_edges_from(
        (u, v) for u, v, attrs in graph.edges(data=True) if attrs["followed"]
    )
    alpha = data["graph"]["settings"]["damping"]
    # tol is per node in networkx (the stop test is err < N * tol): ask for far more
    # precision than the check needs, so the reference is the fixed point itself.
    reference = nx.pagerank(followed, alpha=alpha, tol=1e-14, max_iter=100_000)
    shares = {n["id"]: n["classicShare"] for n in data["nodes"]}
    missing = sorted(set(reference) ^ set(shares))
    diffs = {n: abs(reference[n] - (shares.get(n) or 0.0)) for n in reference}
    worst = sorted(diffs.items(), key=lambda kv: -kv[1])[:5]
    print(
        json.dumps(
            {
                "nodes": graph.number_of_nodes(),
                "exportNodes": len(data["nodes"]),
                "links": graph.number_of_edges(),
                "exportLinks": len(data["links"]),
                "followed": followed.number_of_edges(),
                "selfLoops": nx.number_of_selfloops(followed),
                "alpha": alpha,
                "l1": sum(diffs.values()),
                "max": max(diffs.values(), default=0.0),
                "sumShares": sum(v for v in shares.values() if v is not None),
                "worst": worst,
                "missing": missing[:10],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
