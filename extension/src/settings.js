// Settings: defaults, then the person's choices, then the admin's managed policy, which wins
// and locks whatever it sets. Everything lives in chrome.storage; nothing in the page.

export const DEFAULTS = Object.freeze({
  serverUrl: "http://127.0.0.1:8000",
  mode: "on-demand", // "on-demand": when the panel opens or the person asks; "automatic": allowed sites
  allowSites: [],
  denySites: [],
  sendSnippet: true,
  dailyLimit: 20, // automatic requests a day; on-demand requests are not counted
  cacheMinutes: 5,
});

export const CONSENT_VERSION = 1; // bump when what is sent changes, to ask again

async function managed() {
  try {
    return (await chrome.storage.managed.get(null)) || {};
  } catch {
    return {}; // no policy (or managed storage unavailable): nothing is locked
  }
}

export async function loadSettings() {
  const [admin, local] = await Promise.all([managed(), chrome.storage.local.get("settings")]);
  const known = Object.keys(DEFAULTS);
  const pick = (obj) => Object.fromEntries(Object.entries(obj || {}).filter(([k]) => known.includes(k)));
  const locked = Object.keys(pick(admin));
  return { ...DEFAULTS, ...pick(local.settings), ...pick(admin), locked };
}

export async function saveSettings(changes) {
  const current = await loadSettings();
  const allowed = Object.fromEntries(
    Object.entries(changes).filter(([k]) => k in DEFAULTS && !current.locked.includes(k)),
  );
  const { settings = {} } = await chrome.storage.local.get("settings");
  await chrome.storage.local.set({ settings: { ...settings, ...allowed } });
  return loadSettings();
}

export async function getToken() {
  const { token } = await chrome.storage.local.get("token");
  return token || "";
}

export async function setToken(token) {
  await chrome.storage.local.set({ token });
}

export async function hasConsent() {
  const { consent } = await chrome.storage.local.get("consent");
  return Boolean(consent && consent.version === CONSENT_VERSION);
}

export async function giveConsent() {
  await chrome.storage.local.set({ consent: { version: CONSENT_VERSION, at: Date.now() } });
}

export async function pausedUntil() {
  const { pausedUntil: until = 0 } = await chrome.storage.local.get("pausedUntil");
  return until > Date.now() ? until : 0;
}

export async function pauseFor(minutes) {
  await chrome.storage.local.set({ pausedUntil: minutes ? Date.now() + minutes * 60_000 : 0 });
}

/** "*.example.com" matches example.com and any subdomain; "example.com" matches itself. */
export function siteMatches(host, patterns) {
  host = (host || "").toLowerCase();
  return (patterns || []).some((raw) => {
    const p = String(raw).trim().toLowerCase();
    if (!p) return false;
    if (p.startsWith("*.")) return host === p.slice(2) || host.endsWith(p.slice(1));
    return host === p;
  });
}

/** Counts automatic requests per calendar day; true while under the limit. */
export async function takeAutomaticBudget(limit) {
  const today = new Date().toISOString().slice(0, 10);
  const { budget = { day: today, used: 0 } } = await chrome.storage.local.get("budget");
  const used = budget.day === today ? budget.used : 0;
  if (used >= limit) return false;
  await chrome.storage.local.set({ budget: { day: today, used: used + 1 } });
  return true;
}
