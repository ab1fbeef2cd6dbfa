#!/usr/bin/env node
// A tiny dependency-free static file server for the demo site and the e2e tests.
//
//   node tests/e2e/serve.mjs --root DIR [--port N]     (port 0 or absent = pick a free one)
//   → prints "listening http://127.0.0.1:PORT" on stdout
//
//   import { serve } from "./serve.mjs";
//   const { url, close } = await serve({ root: "tests/fixtures/demo-site", port: 0 });
//
// Binds 127.0.0.1 only. Refuses path traversal. Serves index.html for directories.
// An optional `_server.json` in the root configures the site:
//   { "redirects": { "/old.html": "/new.html" },            → 301 Location: /new.html
//     "headers":   { "/strict-csp.html": { "Content-Security-Policy": "..." } } }
// Keys are URL paths (no query). `_server.json` itself is never served.

import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".xml": "application/xml; charset=utf-8",
};

function loadConfig(root) {
  const file = path.join(root, "_server.json");
  if (!fs.existsSync(file)) return { redirects: {}, headers: {} };
  const cfg = JSON.parse(fs.readFileSync(file, "utf8"));
  return { redirects: cfg.redirects || {}, headers: cfg.headers || {} };
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(body);
}

/**
 * Starts the server. Resolves to {url, port, close()} once it listens.
 * @param {{root: string, port?: number}} opts
 */
export function serve({ root, port = 0 } = {}) {
  if (!root) throw new Error("serve: root is required");
  const rootAbs = fs.realpathSync(path.resolve(root));
  const config = loadConfig(rootAbs);

  const server = http.createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
    } catch {
      return send(res, 400, "bad request\n");
    }
    if (pathname.includes("\0")) return send(res, 400, "bad request\n");

    const extra = config.headers[pathname] || {};
    const target = config.redirects[pathname];
    if (target) {
      return send(res, 301, `moved to ${target}\n`, { ...extra, Location: target });
    }

    // Resolve inside the root; refuse anything that escapes it (also via symlinks).
    const rel = path.normalize(pathname).replace(/^([/\\])+/, "");
    let file = path.join(rootAbs, rel);
    if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) return send(res, 403, "forbidden\n");
    if (path.basename(file) === "_server.json") return send(res, 404, "not found\n");
    try {
      let st = fs.statSync(file);
      if (st.isDirectory()) {
        if (!pathname.endsWith("/")) {
          return send(res, 301, "moved\n", { Location: pathname + "/" });
        }
        file = path.join(file, "index.html");
        st = fs.statSync(file);
      }
      const real = fs.realpathSync(file);
      if (real !== rootAbs && !real.startsWith(rootAbs + path.sep)) return send(res, 403, "forbidden\n");
      if (!st.isFile()) return send(res, 404, "not found\n");
      const type = TYPES[path.extname(file).toLowerCase()] || "application/octet-stream";
      res.writeHead(200, {
        "Content-Type": type,
        "Content-Length": st.size,
        "Cache-Control": "no-store",
        ...extra,
      });
      if (req.method === "HEAD") return res.end();
      fs.createReadStream(real).pipe(res);
    } catch {
      send(res, 404, "not found\n", extra);
    }
  });

  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const actual = server.address().port;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        port: actual,
        server,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

function parseArgs(argv) {
  const out = { root: ".", port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.startsWith("--") && a.includes("=") ? a.split(/=(.*)/s) : [a, undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    if (k === "--root") out.root = val();
    else if (k === "--port") out.port = Number(val());
    else if (k === "--help" || k === "-h") {
      console.log("usage: node serve.mjs --root DIR [--port N]");
      process.exit(0);
    } else {
      console.error(`serve.mjs: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) {
    console.error("serve.mjs: --port must be 0..65535");
    process.exit(2);
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { root, port } = parseArgs(process.argv.slice(2));
  serve({ root, port }).then(
    ({ url, close }) => {
      console.log(`listening ${url}`);
      const stop = () => close().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    },
    (err) => {
      console.error(`serve.mjs: ${err.message}`);
      process.exit(1);
    },
  );
}
