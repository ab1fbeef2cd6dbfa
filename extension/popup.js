// Linkflow popup. Shows what the worker (and through it the Rust core) reports; judges
// nothing itself.
//
// Which page: the active tab of the current window, or — for tests and for opening the
// popup as a normal tab — the `?url=<page url>` query parameter, which overrides it
// (`?tabId=<n>` optionally names the tab to read right away when tracking starts).
//
//   chrome-extension://<id>/popup.html?url=http%3A%2F%2F127.0.0.1%3A8000%2Fmenu.html
//
// Safety: every piece of page data (titles, anchors, URLs, messages) reaches the DOM only
// through textContent / createElement / setAttribute. No HTML strings anywhere.

import { t, applyI18n } from "./i18n.js";
import { expectExport } from "./export-handoff.js";
import { offerImport } from "./import-handoff.js";

const api = globalThis.browser?.runtime?.getURL ? globalThis.browser : globalThis.chrome;
const $ = (id) => document.getElementById(id);

const ctx = {
  url: null, // the page the popup is about
  viewUrl: null, // the page shown in "This page" (the same, or one picked in the Site view)
  origin: null,
  tabId: null,
  status: null,
  tab: "page",
  refreshTimers: [],
};

// ------------------------------------------------------------------ small helpers

/** Creates an element. props: {class, text, testid, title, attrs:{}, data:{}}; kids: nodes or strings. */
function el(tag, props = {}, ...kids) {
  const n = document.createElement(tag);
  if (props.class) n.className = props.class;
  if (props.text != null) n.textContent = String(props.text);
  if (props.testid) n.dataset.testid = props.testid;
  if (props.title != null) n.title = String(props.title);
  for (const [k, v] of Object.entries(props.attrs || {})) if (v != null) n.setAttribute(k, String(v));
  for (const [k, v] of Object.entries(props.data || {})) if (v != null) n.dataset[k] = String(v);
  for (const k of kids) if (k != null) n.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return n;
}

function pct(x) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  const p = x * 100;
  if (p === 0) return "0%";
  if (p < 0.1) return `${p.toFixed(2)}%`;
  return `${p.toFixed(1)}%`;
}

function coverageText(c = {}) {
  if (!c.visited) return t("coverageNone");
  return c.complete ? t("coverageComplete", c.visited) : t("coverage", c.visited, c.discovered ?? 0);
}

function soFar(isFinal) {
  if (isFinal !== false) return null;
  return el("span", { class: "badge sofar", text: t("soFar"), title: t("soFarTitle"), testid: "so-far" });
}

function setStatus(text, state = "info") {
  const s = $("status");
  s.textContent = text || "";
  s.dataset.state = text ? state : "idle";
}

function patternOf(origin) {
  const u = new URL(origin);
  return `${u.protocol}//${u.hostname}/*`;
}

async function send(msg) {
  let answer;
  try {
    answer = await api.runtime.sendMessage(msg);
  } catch (e) {
    throw new Error(e?.message || t("workerSilent"));
  }
  if (!answer || typeof answer !== "object") throw new Error(t("workerSilent"));
  if (answer.ok !== true) throw new Error(answer.error || t("workerSilent"));
  return answer;
}

function showError(e) {
  setStatus(t("errorPrefix", e?.message || String(e)), "error");
}

function showView(name) {
  for (const v of ["unsupported", "untracked", "tracked"]) $(`view-${v}`).hidden = v !== name;
  $("refresh").hidden = name !== "tracked";
}

/** A page URL as text, or a button that shows that page's report. */
function pageRef(url, title) {
  const wrap = el("span", { class: "page-ref" });
  const b = el("button", { class: "page-link", text: title || url, title: t("openPage"), attrs: { type: "button" }, data: { url } });
  b.addEventListener("click", () => {
    ctx.viewUrl = url;
    selectTab("page", true);
  });
  wrap.append(b);
  if (title) wrap.append(" ", el("span", { class: "url", text: url }));
  return wrap;
}

// ------------------------------------------------------------------ tabs

function selectTab(name, focus = false) {
  ctx.tab = name;
  for (const n of ["page", "site"]) {
    const tab = $(`tab-${n}`);
    const on = n === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${n}`).hidden = !on;
  }
  if (focus) $(`tab-${name}`).focus();
  return loadPanel();
}

function onTabKey(ev) {
  const order = ["page", "site"];
  const i = order.indexOf(ctx.tab);
  let next = null;
  if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = order[(i + 1) % order.length];
  else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = order[(i - 1 + order.length) % order.length];
  else if (ev.key === "Home") next = order[0];
  else if (ev.key === "End") next = order[order.length - 1];
  if (!next) return;
  ev.preventDefault();
  selectTab(next, true);
}

// ------------------------------------------------------------------ page view

function renderPage(report) {
  const panel = $("panel-page");
  panel.replaceChildren();
  panel.dataset.url = report.url;
  panel.dataset.state = report.state || "";

  if (ctx.viewUrl !== ctx.url) {
    const back = el("button", { class: "page-link", text: `← ${ctx.url}`, attrs: { type: "button" }, testid: "back-to-current" });
    back.addEventListener("click", () => {
      ctx.viewUrl = ctx.url;
      loadPanel();
    });
    panel.append(el("p", {}, back));
  }

  const head = el("div", { class: "page-head" });
  const title = report.title || report.h1;
  if (title) head.append(el("div", { class: "title", text: title, testid: "page-title" }));
  head.append(el("div", { class: "url", text: report.url, testid: "page-url" }));
  panel.append(head);

  // What kind of page this is.
  const visited = report.state === "visited" || report.state === "noindex";
  if (!report.known) panel.append(el("p", { class: "note", text: t("notKnown"), testid: "not-visited" }));
  else if (report.state === "discovered") panel.append(el("p", { class: "note", text: t("notVisited"), testid: "not-visited" }));
  if (report.state === "redirect" && report.redirectTo) {
    panel.append(el("p", { class: "note", text: t("stateRedirect", report.redirectTo), testid: "state-note" }));
  } else if (report.state === "canonicalised" && report.canonical) {
    panel.append(el("p", { class: "note", text: t("stateCanonical", report.canonical), testid: "state-note" }));
  } else if (report.state === "noindex") {
    panel.append(el("p", { class: "note", text: t("stateNoindex"), testid: "state-note" }));
  }

  // Authority.
  const a = report.authority || {};
  const metrics = el("div", { class: "metrics" });
  const metric = (label, value, testid, raw) =>
    el("div", { class: "metric" }, el("div", { class: "label", text: label }), el("div", { class: "value", text: value, testid, data: { value: raw } }));
  metrics.append(
    metric(t("share"), pct(a.share), "share", a.share),
    metric(t("rank"), a.rank ? t("rankValue", a.rank, a.of) : "–", "rank", a.rank),
    metric(t("score"), Number.isFinite(a.score) ? t("scoreValue", Math.round(a.score)) : "–", "score", a.score),
  );
  panel.append(metrics);

  const facts = el("div", { class: "facts" });
  let depthText;
  if (report.depth == null) depthText = t("depthNone");
  else if (report.depth === 0) depthText = t("depthZero");
  else if (report.depth === 1) depthText = t("depthOne");
  else depthText = t("depthValue", report.depth);
  facts.append(
    el("p", {}, el("span", { class: "muted", text: `${t("depth")}: ` }), el("span", { text: depthText, testid: "depth", data: { value: report.depth ?? "none" } }), soFar(report.depthFinal)),
  );
  const c = report.coverage || {};
  facts.append(
    el("p", {
      class: "muted",
      text: coverageText(c),
      testid: "coverage",
      data: { visited: c.visited, discovered: c.discovered },
    }),
  );
  if (a.model) facts.append(el("p", { class: "muted", text: t("model", a.model) }));
  panel.append(facts);

  renderInlinks(panel, report);
  if (visited || report.state === "canonicalised") renderOutlinks(panel, report.outlinks);
  renderProblems(panel, report.problems || []);
}

function renderInlinks(panel, report) {
  panel.append(el("h2", { text: t("inlinksTitle") }));
  const s = report.inlinkStats;
  const groups = report.inlinks || [];
  if (!groups.length) {
    panel.append(el("p", { class: "muted", text: t("inlinksNone"), testid: "inlinks-none" }));
    panel.append(el("ul", { class: "groups", testid: "inlinks" }));
    return;
  }
  if (s) {
    panel.append(el("p", { class: "muted", text: t("inlinksSummary", s.sources, s.occurrences, pct(s.descriptiveShare)), testid: "inlinks-summary" }));
    if (Array.isArray(s.matchWords) && s.matchWords.length) {
      panel.append(el("p", { class: "muted", text: t("matchWords", s.matchWords.join(", ")) }));
    }
  }
  const list = el("ul", { class: "groups", testid: "inlinks" });
  const SHOWN = 25;
  groups.forEach((g, i) => {
    const li = el("li", { class: "group", testid: "inlink-group", data: { source: g.source } });
    li.append(el("div", {}, pageRef(g.source, g.sourceTitle)));
    if (g.via) li.append(el("div", { class: "where", text: t("viaRedirect", g.via), testid: "via" }));
    const anchors = el("ul", { class: "anchors" });
    for (const l of g.links || []) anchors.append(renderAnchor(l));
    li.append(anchors);
    if (i >= SHOWN) li.hidden = true;
    list.append(li);
  });
  panel.append(list);
  if (report.inlinksOmitted > 0) {
    panel.append(el("p", { class: "muted", text: t("inlinksOmitted", report.inlinksOmitted), testid: "inlinks-omitted" }));
  }
  if (groups.length > SHOWN) {
    const more = el("button", { class: "more", text: t("showAllSources", groups.length), attrs: { type: "button" }, testid: "inlinks-more" });
    more.addEventListener("click", () => {
      for (const li of list.children) li.hidden = false;
      more.remove();
    });
    panel.append(more);
  }
}

function qualityLabel(code) {
  const label = t(`quality_${String(code).replace(/-/g, "_")}`);
  return label.startsWith("quality_") ? String(code) : label;
}

function renderAnchor(l) {
  const li = el("li", { testid: "inlink", data: { region: l.region, nofollow: l.nofollow, visible: l.visible } });
  const text = typeof l.anchor === "string" ? l.anchor : "";
  const anchor = el("span", { class: text ? "anchor" : "anchor empty", text, testid: "anchor" });
  if (!text) anchor.dataset.emptyLabel = t("emptyAnchor");
  li.append(anchor);
  const q = l.quality || {};
  const code = typeof q.code === "string" ? q.code : "unknown";
  li.append(el("span", { class: "badge quality", text: qualityLabel(code), title: q.message || "", testid: "quality", data: { quality: code } }));
  if (l.nofollow) li.append(el("span", { class: "badge nofollow", text: t("nofollowBadge"), testid: "nofollow" }));
  if (l.visible === false) li.append(el("span", { class: "badge", text: t("hiddenBadge"), testid: "hidden" }));
  if (l.lighthouseFails) li.append(el("span", { class: "badge lighthouse", text: t("lighthouseBadge"), title: t("lighthouseWhy"), testid: "lighthouse" }));
  if (l.inViewport) li.append(el("span", { class: "badge", text: t("aboveFold") }));
  const where = [l.region, Number.isInteger(l.order) ? t("linkPosition", l.order + 1) : null].filter(Boolean).join(" · ");
  if (where) li.append(el("div", { class: "where", text: where, testid: "where" }));
  if (code !== "descriptive" && q.message) li.append(el("div", { class: "why", text: q.message, testid: "quality-message" }));
  return li;
}

function renderOutlinks(panel, o) {
  if (!o) return;
  panel.append(el("h2", { text: t("outlinksTitle") }));
  panel.append(
    el("p", {
      class: "muted",
      text: t("outlinksSummary", o.unique ?? 0, o.internal ?? 0, o.external ?? 0, o.nofollow ?? 0, o.hidden ?? 0, o.nonNavigational ?? 0),
      testid: "outlinks",
      data: { internal: o.internal, external: o.external },
    }),
  );
  const regions = Object.entries(o.byRegion || {}).filter(([, n]) => n > 0);
  if (regions.length) {
    const p = el("p", { testid: "outlinks-regions" });
    for (const [r, n] of regions) p.append(el("span", { class: "badge", text: `${r} ${n}`, data: { region: r } }));
    panel.append(p);
  }
  if (Array.isArray(o.toRedirects) && o.toRedirects.length) {
    panel.append(el("p", { class: "muted", text: t("toRedirects") }));
    const ul = el("ul", { class: "list", testid: "outlinks-redirects" });
    for (const u of o.toRedirects) ul.append(el("li", { text: u, class: "url" }));
    panel.append(ul);
  }
}

function renderProblems(panel, problems) {
  panel.append(el("h2", { text: t("problemsTitle") }));
  const ul = el("ul", { class: "problems", testid: "problems" });
  for (const p of problems) {
    ul.append(el("li", { text: p.message || p.code, data: { code: p.code, final: p.final !== false } }, soFar(p.final)));
  }
  panel.append(ul);
  if (!problems.length) panel.append(el("p", { class: "muted", text: t("problemsNone"), testid: "problems-none" }));
}

// ------------------------------------------------------------------ site view

function section(panel, title, testid, items, render, emptyText, isFinal) {
  panel.append(el("h2", {}, title, soFar(isFinal)));
  const list = el("ul", { class: "list", testid });
  for (const it of items || []) list.append(render(it));
  panel.append(list);
  if (!items || !items.length) panel.append(el("p", { class: "muted", text: emptyText }));
}

function renderSite(r) {
  const panel = $("panel-site");
  panel.replaceChildren();
  const c = r.coverage || {};
  const n = r.counts || {};
  panel.append(
    el("p", { text: t("siteSummary", n.pages ?? 0, n.visited ?? 0, n.edges ?? 0), testid: "site-summary" }),
    el("p", {
      class: "muted",
      text: coverageText(c),
      testid: "site-coverage",
    }),
  );
  if (r.model) panel.append(el("p", { class: "muted", text: t("siteModel", r.model, r.iterations ?? "–") }));

  const pool = r.pooling;
  if (pool) {
    panel.append(el("h2", { text: t("poolingTitle") }));
    panel.append(el("p", { text: t("homeShare", pct(pool.homeShare), pct(pool.uniformShare)), testid: "home-share", data: { value: pool.homeShare } }));
    panel.append(el("p", { text: t("top1Share", pool.top1PctCount ?? 0, pct(pool.top1PctShare)), testid: "top1-share", data: { value: pool.top1PctShare } }));
  }

  const ol = el("ol", { class: "list", testid: "top-pages" });
  for (const p of r.topPages || []) {
    ol.append(
      el(
        "li",
        { data: { url: p.url, rank: p.rank } },
        el(
          "div",
          { class: "row" },
          pageRef(p.url, p.title),
          el("span", { class: "share", text: pct(p.share) }),
          el("span", { class: "badge", text: p.depth == null ? t("unreachableShort") : t("depthShort", p.depth) }),
        ),
      ),
    );
  }
  panel.append(el("h2", { text: t("topPagesTitle") }), ol);

  const orphans = r.orphans || { pages: [] };
  section(panel, t("orphansTitle"), "orphans", orphans.pages, (p) => el("li", { data: { url: p.url } }, pageRef(p.url, p.title)), t("orphansNone"), orphans.final);

  const deep = r.deepPages || { pages: [] };
  section(
    panel,
    t("deepTitle", deep.threshold ?? "?"),
    "deep-pages",
    deep.pages,
    (p) => el("li", { data: { url: p.url, depth: p.depth } }, el("div", { class: "row" }, pageRef(p.url, p.title), el("span", { class: "badge", text: t("depthShort", p.depth) }))),
    t("deepNone"),
    deep.final,
  );

  if (Array.isArray(r.unreachable) && r.unreachable.length) {
    section(panel, t("unreachableTitle"), "unreachable", r.unreachable, (p) => el("li", { data: { url: p.url } }, pageRef(p.url, p.title)), "", undefined);
  }

  section(
    panel,
    t("genericTitle"),
    "generic-anchors",
    r.genericAnchors,
    (g) =>
      el(
        "li",
        { data: { code: g.code, anchor: g.anchor } },
        el("span", { class: "anchor", text: g.anchor || "", testid: "anchor", data: { emptyLabel: g.anchor ? null : t("emptyAnchor") } }),
        el("span", { class: "badge quality", text: qualityLabel(g.code), data: { quality: g.code } }),
        " ",
        el("span", { class: "muted", text: t("genericItem", g.count ?? 0, g.targets ?? 0) }),
        g.example ? el("div", { class: "url", text: `${g.example.source} → ${g.example.target}` }) : null,
      ),
    t("genericNone"),
  );
  for (const s of panel.querySelectorAll('[data-testid="generic-anchors"] .anchor')) if (!s.textContent) s.classList.add("empty");

  section(
    panel,
    t("redirectsTitle"),
    "redirect-links",
    r.linksToRedirects,
    (x) => el("li", { data: { source: x.source, target: x.target } }, el("div", { class: "url", text: x.source }), el("div", { text: `→ ${x.target} → ${x.redirectTo}` })),
    t("redirectsNone"),
  );
}

// ------------------------------------------------------------------ loading

let panelLoad = 0;
async function loadPanel(quiet = false) {
  const mine = ++panelLoad;
  if (!ctx.status || !ctx.status.known) return;
  if (ctx.status.error) {
    // The site's data could not be restored: the note above says why; nothing to show.
    $(`panel-${ctx.tab}`).replaceChildren();
    if (!quiet) setStatus("");
    return;
  }
  if (!quiet) setStatus(t("loading"), "busy");
  try {
    if (ctx.tab === "page") {
      const a = await send({ type: "pageReport", url: ctx.viewUrl });
      if (mine !== panelLoad) return;
      renderPage(a.report);
    } else {
      const a = await send({ type: "siteReport", origin: ctx.status.origin });
      if (mine !== panelLoad) return;
      renderSite(a.report);
    }
    if (!quiet) setStatus("");
  } catch (e) {
    if (mine === panelLoad) showError(e);
  }
}

/** Re-reads the site's status and the open tab. quiet: leave the status line alone. */
async function refresh(quiet = false) {
  if (!quiet) setStatus(t("loading"), "busy");
  let st;
  try {
    st = await send({ type: "status", url: ctx.url });
  } catch (e) {
    showError(e);
    return;
  }
  ctx.status = st;
  document.body.dataset.tracking = st.known ? (st.paused ? "paused" : "tracked") : "untracked";
  if (!st.known) {
    showView("untracked");
    $("track-hint").textContent = t("trackPrivacy", ctx.origin);
    if (!quiet) setStatus("");
    return;
  }
  showView("tracked");
  const note = $("site-note");
  note.classList.remove("bad");
  note.hidden = true;
  if (st.error) {
    note.textContent = st.error;
    note.classList.add("bad");
    note.hidden = false;
  } else if (st.paused) {
    note.textContent = t("pausedNote");
    note.hidden = false;
  } else if (!st.access) {
    note.textContent = t("noAccess");
    note.hidden = false;
  }
  const needsResume = st.paused || !st.access;
  $("resume").hidden = !needsResume;
  $("untrack").hidden = st.paused;
  await loadPanel(quiet);
}

function refreshSoon(...delays) {
  for (const id of ctx.refreshTimers) clearTimeout(id);
  ctx.refreshTimers = delays.map((d) => setTimeout(() => refresh(true), d));
}

// ------------------------------------------------------------------ actions

function onTrackClick(ev) {
  const button = ev.currentTarget;
  // The permission request must start synchronously inside the click (a user gesture).
  const asked = api.permissions.request({ origins: [patternOf(ctx.origin)] });
  // Tell the worker at once: Firefox may close the popup while its prompt is up, and the
  // worker then finishes tracking by itself once access is granted.
  const tracked = send({ type: "track", origin: ctx.origin, tabId: ctx.tabId ?? undefined, whenGranted: true });
  tracked.catch(() => {});
  button.disabled = true;
  setStatus(t("working"), "busy");
  (async () => {
    try {
      const granted = await asked;
      if (!granted) {
        setStatus(t("permissionDenied"), "error");
        return;
      }
      await tracked;
      ctx.viewUrl = ctx.url;
      await refresh();
      setStatus(t("tracked", ctx.origin), "ok");
      // The page is read right after tracking: show its report when it arrives.
      refreshSoon(900, 2500);
    } catch (e) {
      showError(e);
    } finally {
      button.disabled = false;
    }
  })();
}

async function onExport() {
  try {
    setStatus(t("working"), "busy");
    // The file (a Blob) comes over a BroadcastChannel: a message cannot carry a large export.
    const id = crypto.randomUUID();
    const incoming = expectExport(id);
    let blob;
    try {
      await send({ type: "export", origin: ctx.status.origin, id });
      // Posted before the answer; the two travel separately, so allow for the delivery.
      blob = await Promise.race([incoming.file, new Promise((r) => setTimeout(() => r(null), 15000))]);
    } finally {
      incoming.close();
    }
    if (!blob) throw new Error(t("exportMissing"));
    const host = new URL(ctx.status.origin).host.replace(/[^A-Za-z0-9.-]/g, "_");
    const date = new Date().toISOString().slice(0, 10);
    const filename = `linkflow-${host}-${date}.json`;
    const href = URL.createObjectURL(blob);
    const link = el("a", { attrs: { href, download: filename }, testid: "export-link" });
    link.hidden = true;
    document.body.append(link);
    link.click();
    setTimeout(() => {
      URL.revokeObjectURL(href);
      link.remove();
    }, 30000);
    setStatus(t("exported", filename), "ok");
  } catch (e) {
    showError(e);
  }
}

function summaryText(s) {
  if (s == null) return "";
  if (typeof s !== "object") return String(s);
  return Object.entries(s)
    .filter(([, v]) => v == null || typeof v !== "object")
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}

async function onImport(ev) {
  const input = ev.currentTarget;
  const file = input.files && input.files[0];
  if (!file) return;
  try {
    setStatus(t("importing", file.name, (file.size / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 })), "busy");
    // The file itself goes to the worker over a BroadcastChannel (import-handoff.js): a
    // runtime message over 64 MiB is refused, and a 1M-link export is ~250 MB.
    const id = crypto.randomUUID();
    const offer = offerImport(id, file);
    let a;
    try {
      a = await send({ type: "import", origin: ctx.status.origin, id });
    } catch (e) {
      setStatus(t("importFailed", e.message), "error");
      return;
    } finally {
      offer.close();
    }
    await refresh();
    setStatus(t("imported", summaryText(a.summary)), "ok");
  } catch (e) {
    showError(e);
  } finally {
    input.value = "";
  }
}

function askClear() {
  $("clear-question").textContent = t("clearQuestion", ctx.status.origin);
  $("clear-confirm-box").hidden = false;
  $("clear-cancel").focus();
}

function closeClear(focusBack = true) {
  $("clear-confirm-box").hidden = true;
  if (focusBack) $("clear").focus();
}

async function onClearConfirm() {
  const origin = ctx.status.origin;
  closeClear(false);
  try {
    setStatus(t("working"), "busy");
    await send({ type: "clear", origin });
    await refresh();
    setStatus(t("cleared", origin), "ok");
  } catch (e) {
    showError(e);
  }
}

async function onUntrack() {
  try {
    setStatus(t("working"), "busy");
    await send({ type: "untrack", origin: ctx.status.origin });
    await refresh();
    setStatus(t("untracked", ctx.status.origin), "ok");
  } catch (e) {
    showError(e);
  }
}

// ------------------------------------------------------------------ start

async function target() {
  const params = new URLSearchParams(location.search);
  const override = params.get("url");
  if (override) {
    const tabId = Number(params.get("tabId"));
    return { url: override, tabId: Number.isInteger(tabId) && params.has("tabId") ? tabId : null };
  }
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return { url: tab?.url || null, tabId: tab?.id ?? null };
}

async function main() {
  applyI18n();
  setStatus(t("loading"), "busy");

  $("track").addEventListener("click", onTrackClick);
  $("resume").addEventListener("click", onTrackClick);
  $("tab-page").addEventListener("click", () => selectTab("page"));
  $("tab-site").addEventListener("click", () => selectTab("site"));
  for (const id of ["tab-page", "tab-site"]) $(id).addEventListener("keydown", onTabKey);
  $("refresh").addEventListener("click", () => refresh());
  $("export").addEventListener("click", onExport);
  $("import-input").addEventListener("change", onImport);
  $("import-label").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      $("import-input").click();
    }
  });
  $("clear").addEventListener("click", askClear);
  $("clear-cancel").addEventListener("click", () => closeClear());
  $("clear-confirm-box").addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") closeClear();
  });
  $("clear-confirm").addEventListener("click", onClearConfirm);
  $("untrack").addEventListener("click", onUntrack);

  let tgt;
  try {
    tgt = await target();
  } catch (e) {
    showError(e);
    return;
  }
  let u = null;
  try {
    u = tgt.url ? new URL(tgt.url) : null;
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) {
    showView("unsupported");
    setStatus("");
    return;
  }
  ctx.url = u.href;
  ctx.viewUrl = u.href;
  ctx.origin = u.origin;
  ctx.tabId = tgt.tabId;
  $("origin").textContent = u.origin;
  $("origin").title = u.href;
  await refresh();
}

main();
