// Translated UI strings: everything the popup says comes from _locales/*/messages.json.
// Static text is marked in HTML with data-i18n (textContent), data-i18n-title,
// data-i18n-aria-label and data-i18n-placeholder, filled once at load.

const api = globalThis.browser?.i18n ? globalThis.browser : globalThis.chrome;

/** The message `name` with $1…$9 substituted; the name itself if it is missing. */
export function t(name, ...subs) {
  const s = api.i18n.getMessage(name, subs.map((x) => String(x)));
  return s || name;
}

/** Fills every data-i18n* attribute under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  document.documentElement.lang = api.i18n.getUILanguage?.() || "en";
}
