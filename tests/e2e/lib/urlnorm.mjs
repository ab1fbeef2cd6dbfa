// The URL normalisation rules of src/url_norm.rs (docs), re-implemented independently for
// the tests, for the default settings: fragment dropped, percent-escapes normalised,
// tracking parameters removed, a last `index.html`/`index.htm` segment dropped, trailing
// slash kept. (www/scheme aliasing does not arise on 127.0.0.1.)
const TRACKING = new Set(["gclid", "fbclid", "msclkid", "dclid", "gbraid", "wbraid"]);
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function normEscapes(s) {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (m, hex) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/** The normalised URL, or null when `href` is not an http(s) page. */
export function normalizeUrl(href) {
  let u;
  try {
    u = new URL(href);
  } catch {
    return null;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return null;
  let path = normEscapes(u.pathname);
  path = path.replace(/\/index\.html?$/, "/");
  let query = "";
  if (u.search.length > 1) {
    const kept = u.search
      .slice(1)
      .split("&")
      .filter((kv) => {
        if (kv === "") return false;
        const name = decodeURIComponent(kv.split("=")[0].replace(/\+/g, " "));
        return !(name.startsWith("utm_") || TRACKING.has(name));
      })
      .map(normEscapes);
    if (kept.length) query = `?${kept.join("&")}`;
  }
  return `${u.protocol}//${u.host}${path}${query}`;
}
