// Linkflow content script: reads the rendered page's links and sends one observation per
// read to the worker (docs/PROTOCOL.md §1). Classic script, no modules, no wasm; it runs
// only on sites the user chose to track (registered per origin by background.js, or
// injected once with chrome.scripting.executeScript right after tracking).
//
// It judges nothing: it collects what the DOM says and the core decides. Page content is
// untrusted: it is only read (never evaluated) and sent as plain strings.
//
// When it reads:
//   - once when it starts (document_idle, or right away when injected);
//   - after DOM mutations that touch links (debounced, with a ceiling so a page that never
//     stops mutating is still read now and then); only sent when the link set changed;
//   - after same-document (SPA) navigations: content scripts live in an isolated world and
//     cannot see the page's history.pushState calls, so location.href is polled every
//     500 ms, plus popstate.
//
// Redirect detection (RawObservation.requestedUrl): a content script cannot see HTTP
// redirects. When the user clicks (or keyboard-activates, which fires `click` too) a
// same-origin link that navigates this tab, we remember its href in this origin's
// sessionStorage (private key, with a timestamp). On the next page load in the tab, if that
// href is less than 30 s old and differs from location.href (fragments stripped), and the
// Navigation Timing entry confirms the load went through at least one redirect
// (redirectCount > 0; if the browser gives no entry we trust the difference), we report it
// as requestedUrl. Cross-origin hops (http→https on another host) lose sessionStorage and
// are not reported. No webRequest / webNavigation permission is needed.
(() => {
  "use strict";

  const api = globalThis.browser?.runtime?.sendMessage ? globalThis.browser : globalThis.chrome;
  const GUARD = "__linkflowContentV1";
  const previous = globalThis[GUARD];
  if (previous && previous.alive()) {
    // Injected twice (registered script + executeScript): just read again.
    previous.readSoon(0, true);
    return;
  }
  // A copy left over from before an extension reload cannot talk to the worker: replace it.
  if (previous) previous.stop();

  const MAX_LINKS = 20000;
  const MAX_TEXT = 600; // the core keeps 512 bytes; do not ship megabytes of text
  const MAX_URL = 4096;
  const DEBOUNCE_MS = 750;
  const MAX_WAIT_MS = 4000;
  const POLL_MS = 500;
  const NAV_KEY = "__linkflow.lastClick";
  const NAV_MAX_AGE_MS = 30000;
  const MAX_RETRIES = 5;

  let stopped = false;
  let failures = 0; // observations the worker did not confirm, in a row
  let lastSignature = null;
  let lastUrl = stripHash(location.href);
  let requestedUrl = detectRedirect();
  let timer = 0;
  let viewport = null; // the initial viewport, in document coordinates

  // ---------------------------------------------------------------- helpers

  function stripHash(u) {
    const i = u.indexOf("#");
    return i < 0 ? u : u.slice(0, i);
  }

  function clip(s, max = MAX_TEXT) {
    if (typeof s !== "string") return undefined;
    const t = s.replace(/\s+/g, " ").trim();
    if (!t) return undefined;
    return t.length > max ? t.slice(0, max) : t;
  }

  function resolve(raw) {
    try {
      return new URL(raw, document.baseURI).href;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- redirects

  function detectRedirect() {
    let stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(NAV_KEY) || "null");
      sessionStorage.removeItem(NAV_KEY);
    } catch {
      return undefined;
    }
    if (!stored || typeof stored.href !== "string" || typeof stored.at !== "number") return undefined;
    if (Date.now() - stored.at > NAV_MAX_AGE_MS || Date.now() < stored.at) return undefined;
    const from = stripHash(stored.href);
    if (from === stripHash(location.href)) return undefined;
    let nav = null;
    try {
      nav = performance.getEntriesByType("navigation")[0] || null;
    } catch {
      nav = null;
    }
    if (nav && !(nav.redirectCount > 0)) return undefined;
    return stored.href.slice(0, MAX_URL);
  }

  function rememberClick(ev) {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    // composedPath() sees through (open) shadow roots, where ev.target is retargeted.
    const path = typeof ev.composedPath === "function" ? ev.composedPath() : [ev.target];
    const a = path.find((n) => n instanceof Element && (n.localName === "a" || n.localName === "area") && n.hasAttribute("href")) || null;
    if (!a) return;
    const href = linkHref(a);
    if (!href) return;
    const target = (a.getAttribute("target") || "").toLowerCase();
    if (target && target !== "_self" && target !== "_top" && target !== "_parent") return;
    if (a.hasAttribute("download")) return;
    let url;
    try {
      url = new URL(href);
    } catch {
      return;
    }
    if (url.origin !== location.origin) return;
    if (stripHash(url.href) === stripHash(location.href)) return; // in-page jump
    try {
      sessionStorage.setItem(NAV_KEY, JSON.stringify({ href: url.href, at: Date.now() }));
    } catch {
      return;
    }
    // A page script that cancels the click means no navigation: forget it again.
    setTimeout(() => {
      if (ev.defaultPrevented) {
        try {
          sessionStorage.removeItem(NAV_KEY);
        } catch {
          /* storage unavailable */
        }
      }
    }, 0);
  }

  // ---------------------------------------------------------------- reading

  function linkHref(el) {
    const h = el.href;
    if (typeof h === "string") return h;
    // SVG <a>: href is an SVGAnimatedString
    if (h && typeof h.baseVal === "string") return resolve(h.baseVal);
    const x = el.getAttribute("href") ?? el.getAttributeNS("http://www.w3.org/1999/xlink", "href");
    return x == null ? undefined : resolve(x);
  }

  const LANDMARK_ROLES = {
    navigation: "nav",
    banner: "header",
    contentinfo: "footer",
    complementary: "aside",
    main: "main",
  };
  // A <header>/<footer> is the page's banner/contentinfo only when it is not inside one of
  // these (the ARIA mapping rules).
  const SCOPING = "article, aside, main, nav, section, [role=article], [role=complementary], [role=main], [role=navigation], [role=region]";

  /** The parent element, crossing from a shadow root to its host. */
  function parentOf(n) {
    if (n.parentElement) return n.parentElement;
    const root = n.getRootNode?.();
    return root && root !== document && root.host ? root.host : null;
  }

  function insideScoping(n) {
    for (let p = parentOf(n); p; p = parentOf(p)) if (p.matches(SCOPING)) return true;
    return false;
  }

  function regionOf(el) {
    for (let n = parentOf(el); n; n = parentOf(n)) {
      const role = (n.getAttribute("role") || "").trim().toLowerCase().split(/\s+/)[0];
      if (role && LANDMARK_ROLES[role]) return LANDMARK_ROLES[role];
      switch (n.localName) {
        case "nav":
          return "nav";
        case "aside":
          return "aside";
        case "main":
        case "article":
          return "main";
        case "header":
          if (!insideScoping(n)) return "header";
          break;
        case "footer":
          if (!insideScoping(n)) return "footer";
          break;
        default:
          break;
      }
    }
    return "other";
  }

  function textOf(el) {
    // innerText gives the rendered text (it forces a layout, which we need anyway);
    // SVG elements have no innerText.
    const t = typeof el.innerText === "string" ? el.innerText : el.textContent;
    return clip(t || "");
  }

  function labelledBy(el) {
    const ids = (el.getAttribute("aria-labelledby") || "").trim();
    if (!ids) return undefined;
    const parts = [];
    for (const id of ids.split(/\s+/)) {
      const ref = document.getElementById(id);
      if (ref) parts.push(ref.textContent || "");
    }
    return clip(parts.join(" "));
  }

  function boxOf(el) {
    let target = el;
    if (el.localName === "area") {
      // An <area> has no box of its own: use the image that uses its map.
      const map = el.closest("map");
      const name = map && (map.getAttribute("name") || map.id);
      target = null;
      if (name) {
        for (const img of document.querySelectorAll("img[usemap], object[usemap]")) {
          if ((img.getAttribute("usemap") || "").replace(/^#/, "") === name) {
            target = img;
            break;
          }
        }
      }
      if (!target) return { rects: 0, left: 0, top: 0, right: 0, bottom: 0, el: null };
    }
    const rects = target.getClientRects();
    if (!rects.length) return { rects: 0, left: 0, top: 0, right: 0, bottom: 0, el: target };
    let left = Infinity,
      top = Infinity,
      right = -Infinity,
      bottom = -Infinity;
    for (const r of rects) {
      left = Math.min(left, r.left);
      top = Math.min(top, r.top);
      right = Math.max(right, r.right);
      bottom = Math.max(bottom, r.bottom);
    }
    // Block children (e.g. an <img> made display:block) may be bigger than the inline box.
    if (right - left === 0 || bottom - top === 0) {
      const b = target.getBoundingClientRect();
      left = b.left;
      top = b.top;
      right = b.right;
      bottom = b.bottom;
    }
    return { rects: rects.length, left, top, right, bottom, el: target };
  }

  function isVisible(box) {
    if (!box.el || box.rects === 0) return false;
    if (box.right - box.left <= 0 || box.bottom - box.top <= 0) return false;
    const el = box.el;
    if (typeof el.checkVisibility === "function") {
      if (!el.checkVisibility({ checkVisibilityCSS: true, checkOpacity: false })) return false;
    } else {
      if (el.closest("[hidden]")) return false;
      const cs = getComputedStyle(el);
      if (cs.visibility === "hidden" || cs.visibility === "collapse") return false;
    }
    return true;
  }

  // Links to the page's own origin are sent root-relative ("/path?query"), which the core
  // resolves against the page's address: a shorter text for the worker to read.
  const OWN_ORIGIN = location.origin + "/";
  function compactHref(href) {
    if (!href.startsWith(OWN_ORIGIN)) return href;
    const next = href[OWN_ORIGIN.length];
    return next === "/" || next === "\\" ? href : href.slice(OWN_ORIGIN.length - 1);
  }

  // A link as docs/PROTOCOL.md describes it, with every field at its default left out (the
  // text the worker reads is then about half as long): `order` is the link's index in the
  // list, `visible` is true, `region` "other", `inViewport`, `hasImage` and `area` false.
  function readLink(el) {
    const href = linkHref(el);
    if (!href) return null;
    const link = { href: compactHref(href.slice(0, MAX_URL)) };
    const isArea = el.localName === "area";
    if (isArea) {
      link.area = true;
      const alt = clip(el.getAttribute("alt") || "");
      if (alt) link.alt = alt;
    } else {
      const text = textOf(el);
      if (text) link.text = text;
      const imgs = el.getElementsByTagName("img");
      if (imgs.length) {
        link.hasImage = true;
        const alts = [];
        for (const img of imgs) {
          const a = img.getAttribute("alt");
          if (a != null && a.trim()) alts.push(a);
        }
        const alt = clip(alts.join(" "));
        if (alt) link.alt = alt;
      }
    }
    const aria = clip(el.getAttribute("aria-label") || "") || labelledBy(el);
    if (aria) link.ariaLabel = aria;
    const title = clip(el.getAttribute("title") || "");
    if (title) link.title = title;
    const rel = el.getAttribute("rel");
    if (rel != null && rel.trim()) link.rel = rel.trim().slice(0, 200);
    const region = regionOf(el);
    if (region !== "other") link.region = region;

    const box = boxOf(el);
    const visible = isVisible(box);
    if (!visible) link.visible = false;
    if (visible && box.rects && viewport) {
      // Document coordinates against the viewport of the first read ("above the fold").
      const top = box.top + scrollY;
      const left = box.left + scrollX;
      const bottom = box.bottom + scrollY;
      const right = box.right + scrollX;
      if (bottom > 0 && right > 0 && top < viewport.height && left < viewport.width) link.inViewport = true;
    }
    return link;
  }

  /**
   * Every a[href] / area[href] in tree order, including those inside open shadow roots
   * (web components). Without any shadow root this is querySelectorAll.
   */
  function collectLinks() {
    const out = [];
    const walk = (root) => {
      const w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
      for (let n = w.nextNode(); n; n = w.nextNode()) {
        const tag = n.localName;
        if ((tag === "a" || tag === "area") && n.hasAttribute("href")) out.push(n);
        else if (tag === "a" && n.hasAttributeNS("http://www.w3.org/1999/xlink", "href")) out.push(n);
        if (n.shadowRoot) {
          watchShadow(n.shadowRoot);
          walk(n.shadowRoot);
        }
      }
    };
    walk(document.documentElement);
    return out;
  }

  function metaContent(selector) {
    const m = document.querySelector(selector);
    const c = m && m.getAttribute("content");
    return c == null ? undefined : c;
  }

  function metaRefreshTarget() {
    for (const m of document.querySelectorAll("meta[http-equiv]")) {
      if ((m.getAttribute("http-equiv") || "").trim().toLowerCase() !== "refresh") continue;
      const c = m.getAttribute("content") || "";
      // "5; url=next.html", "0;URL='next.html'", "0, url=next.html"
      const match = /^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$/i.exec(c);
      let target = match ? match[1].trim() : "";
      if ((target.startsWith("'") && target.endsWith("'")) || (target.startsWith('"') && target.endsWith('"'))) {
        target = target.slice(1, -1);
      }
      if (!target) return undefined;
      const u = resolve(target);
      return u ? u.slice(0, MAX_URL) : undefined;
    }
    return undefined;
  }

  function read() {
    if (!viewport) viewport = { width: innerWidth, height: innerHeight };
    const els = collectLinks();
    const links = [];
    let truncated = 0;
    for (const el of els) {
      if (links.length >= MAX_LINKS) {
        truncated++;
        continue;
      }
      const l = readLink(el);
      if (l) links.push(l);
    }
    const obs = { url: location.href.slice(0, MAX_URL), links, observedAt: Date.now() };
    if (requestedUrl) obs.requestedUrl = requestedUrl;
    const title = clip(document.title || "");
    if (title) obs.title = title;
    const h1 = document.querySelector("h1");
    const h1Text = h1 && clip(h1.innerText ?? h1.textContent ?? "");
    if (h1Text) obs.h1 = h1Text;
    const lang = document.documentElement.getAttribute("lang");
    if (lang && lang.trim()) obs.lang = lang.trim().slice(0, 35);
    const canon = document.querySelector("link[rel~=canonical i][href]");
    if (canon && canon.href) obs.canonical = canon.href.slice(0, MAX_URL);
    const robots = metaContent('meta[name="robots" i]');
    if (robots && robots.trim()) obs.metaRobots = robots.trim().slice(0, 200);
    const refresh = metaRefreshTarget();
    if (refresh) obs.metaRefresh = refresh;
    if (truncated) obs.truncatedLinks = truncated;
    return obs;
  }

  // The observation as the JSON text the worker passes to the core: the links as columns
  // (docs/PROTOCOL.md, "Links as columns"), one list per field rather than one object per
  // link, about half the text for the core to copy and read. A column every link leaves at
  // its default is left out.
  const TEXT_COLUMNS = ["text", "alt", "ariaLabel", "title", "rel"];
  const FLAG_COLUMNS = [["hidden", (l) => l.visible === false], ["inViewport", (l) => l.inViewport === true],
    ["area", (l) => l.area === true], ["hasImage", (l) => l.hasImage === true]];
  const REGION_LETTER = { nav: "n", header: "h", footer: "f", aside: "a", main: "m" };
  function wireJson(obs) {
    const links = obs.links;
    const cols = { href: links.map((l) => l.href) };
    for (const name of TEXT_COLUMNS) {
      if (links.some((l) => l[name] !== undefined)) cols[name] = links.map((l) => l[name] ?? null);
    }
    if (links.some((l) => l.region !== undefined)) {
      cols.region = links.map((l) => REGION_LETTER[l.region] || "o").join("");
    }
    for (const [name, set] of FLAG_COLUMNS) {
      const at = [];
      links.forEach((l, i) => { if (set(l)) at.push(i); });
      if (at.length) cols[name] = at;
    }
    return JSON.stringify({ ...obs, links: cols });
  }

  // One runtime message carries the observation, and Chrome refuses a message over 64 MiB
  // (a page of 20,000 links with 4 KB addresses is over it): links past MAX_WIRE_CHARS of
  // wire text are dropped from the end and counted as truncated, as links past MAX_LINKS
  // are. At three UTF-8 bytes a character, and the message escaping the text's quotes, the
  // message stays under the limit. Returns the wire JSON of `obs` (trimmed in place).
  const MAX_WIRE_CHARS = 16 * 1024 * 1024;
  function fitWire(obs) {
    let json = wireJson(obs);
    while (json.length > MAX_WIRE_CHARS && obs.links.length > 0) {
      const keep = Math.floor(obs.links.length * (MAX_WIRE_CHARS / json.length) * 0.95);
      obs.truncatedLinks = (obs.truncatedLinks || 0) + (obs.links.length - keep);
      obs.links = obs.links.slice(0, keep);
      json = wireJson(obs);
    }
    return json;
  }

  // What decides "the link set changed": everything but timings and geometry.
  function signature(obs) {
    const parts = [obs.url, obs.requestedUrl, obs.title, obs.h1, obs.canonical, obs.metaRobots, obs.metaRefresh, obs.truncatedLinks];
    for (const l of obs.links) {
      parts.push(l.href, l.text, l.alt, l.ariaLabel, l.title, l.rel, l.region, l.visible === false ? 0 : 1);
    }
    return JSON.stringify(parts);
  }

  async function readAndSend(force) {
    timer = 0;
    if (stopped) return;
    let obs, json;
    try {
      obs = read();
      json = fitWire(obs);
    } catch (e) {
      console.warn("Linkflow: could not read the page", e);
      return;
    }
    const sig = signature(obs);
    if (!force && sig === lastSignature) return;
    lastSignature = sig;
    let answer = null;
    try {
      // JSON text, made here: the worker passes it to the core (and its journal) as it is.
      answer = await api.runtime.sendMessage({ type: "observe", url: obs.url, json });
    } catch (e) {
      // The extension was reloaded or removed: this script is orphaned.
      if (!api.runtime?.id) return stop();
      answer = null; // the worker died while handling it (it can be stopped at any time)
    }
    if (answer && answer.ok) {
      failures = 0;
      return;
    }
    if (answer && answer.notTracked) return stop();
    // Not stored: forget the signature so the page is sent again, a little later.
    lastSignature = null;
    if (failures < MAX_RETRIES) {
      failures++;
      readSoon(1000 * failures, true);
    }
  }

  // Debounced read: each call pushes the read back by `delay`, but never past `cap`
  // (MAX_WAIT_MS after the first pending call, or sooner when a caller asks for a
  // deadline), so a page that mutates all the time is still read regularly.
  let cap = 0;
  function readSoon(delay = DEBOUNCE_MS, deadline = false) {
    if (stopped) return;
    const now = Date.now();
    if (!cap) cap = now + MAX_WAIT_MS;
    if (deadline) cap = Math.min(cap, now + delay);
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(delay, cap - now));
    timer = setTimeout(() => {
      cap = 0;
      readAndSend(false);
    }, wait);
  }

  // ---------------------------------------------------------------- watching

  const LINK_SEL = "a[href], area[href]";
  const LINK_ATTRS = new Set(["href", "rel", "title", "aria-label", "aria-labelledby", "alt"]);

  function touchesLinks(node) {
    if (!(node instanceof Element)) {
      return !!(node && node.parentElement && node.parentElement.closest("a, area"));
    }
    // A custom element may render its links in a shadow root we cannot query from here.
    return node.matches(LINK_SEL) || !!node.querySelector(LINK_SEL) || !!node.closest("a") || node.localName.includes("-");
  }

  const OBSERVE_OPTIONS = {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["href", "rel", "title", "aria-label", "aria-labelledby", "alt", "hidden", "style", "class", "content"],
    characterData: true,
  };

  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") {
        for (const n of r.addedNodes) if (touchesLinks(n)) return readSoon();
        for (const n of r.removedNodes) if (touchesLinks(n)) return readSoon();
        if (r.target instanceof Element && r.target.closest("a, area, title, h1")) return readSoon();
      } else if (r.type === "attributes") {
        const t = r.target;
        if (!(t instanceof Element)) continue;
        if (LINK_ATTRS.has(r.attributeName) && t.matches("a, area, img, link")) return readSoon();
        if (r.attributeName === "content" && t.localName === "meta") return readSoon();
        // style/class/hidden can show or hide links
        if (t.matches(LINK_SEL) || t.querySelector(LINK_SEL)) return readSoon();
      } else if (r.type === "characterData") {
        if (touchesLinks(r.target) || r.target.parentElement?.closest("title, h1")) return readSoon();
      }
    }
  });

  function onLocationMaybeChanged() {
    const now = stripHash(location.href);
    if (now === lastUrl) return;
    lastUrl = now;
    requestedUrl = undefined; // a same-document navigation is not a redirect
    try {
      sessionStorage.removeItem(NAV_KEY);
    } catch {
      /* storage unavailable */
    }
    lastSignature = null;
    readSoon(600, true); // let the app render the new view, but read it within 600 ms
  }

  let poll = 0;
  function stop() {
    stopped = true;
    observer.disconnect();
    if (timer) clearTimeout(timer);
    if (poll) clearInterval(poll);
    removeEventListener("click", rememberClick, true);
    removeEventListener("popstate", onLocationMaybeChanged);
  }

  const watchedShadows = new WeakSet();
  function watchShadow(root) {
    if (watchedShadows.has(root)) return;
    watchedShadows.add(root);
    observer.observe(root, OBSERVE_OPTIONS);
  }

  globalThis[GUARD] = { readSoon, stop, alive: () => !stopped && !!api.runtime?.id };

  observer.observe(document.documentElement, OBSERVE_OPTIONS);
  addEventListener("click", rememberClick, true);
  addEventListener("popstate", onLocationMaybeChanged);
  poll = setInterval(onLocationMaybeChanged, POLL_MS);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => readAndSend(true), { once: true });
  } else {
    readAndSend(true);
  }
})();
