// Options: connect to a server with a personal token, and choose when pages are read.
// Fields the administrator set through managed policy are shown but cannot be changed.

import { startConnect } from "./connect.js";
import { getToken, loadSettings, saveSettings, setToken } from "./settings.js";

const $ = (id) => document.getElementById(id);
const LINES = (text) => text.split(/\n/).map((s) => s.trim()).filter(Boolean);

/** "*.example.com" -> ["https://*.example.com/*", "http://*.example.com/*"] */
function origins(patterns) {
  return patterns.flatMap((p) => [`https://${p}/*`, `http://${p}/*`]);
}

async function fill() {
  const s = await loadSettings();
  $("serverUrl").value = s.serverUrl;
  $("token").value = (await getToken()) ? "••••••••" : "";
  for (const radio of document.querySelectorAll("input[name=mode]")) radio.checked = radio.value === s.mode;
  $("allowSites").value = s.allowSites.join("\n");
  $("denySites").value = s.denySites.join("\n");
  $("sendSnippet").checked = s.sendSnippet;
  $("dailyLimit").value = s.dailyLimit;
  const fields = { serverUrl: ["serverUrl"], mode: ["mode"], allowSites: ["allowSites"],
    denySites: ["denySites"], sendSnippet: ["sendSnippet"], dailyLimit: ["dailyLimit"] };
  for (const key of s.locked) {
    for (const name of fields[key] || []) {
      for (const input of document.querySelectorAll(`#${name}, input[name=${name}]`)) {
        input.disabled = true;
        input.title = "Set by your administrator";
      }
    }
  }
  $("locked").hidden = !s.locked.length;
}

/** The server address typed in, or null (and the status says why). */
function serverUrl() {
  try {
    const url = new URL($("serverUrl").value);
    if (/^https?:$/.test(url.protocol)) return url;
  } catch {
    // not a URL at all: said below
  }
  $("status").textContent = "That is not an http(s) address.";
  return null;
}

$("connect").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = $("status");
  const url = serverUrl();
  if (!url) return;
  const typed = $("token").value.trim();
  const token = typed && !typed.startsWith("•") ? typed : await getToken();
  if (!token) {
    status.textContent = "Paste your personal token first.";
    return;
  }
  status.textContent = "Connecting…";
  try {
    const response = await fetch(new URL("/api/v1/me", url), {
      headers: { Authorization: `Bearer ${token}` },
      credentials: "omit",
      signal: AbortSignal.timeout(8000),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = body.message || `The server answered ${response.status}.`;
      return;
    }
    await saveSettings({ serverUrl: url.origin });
    await setToken(token);
    status.textContent = `Connected as ${body.name}.`;
    $("token").value = "••••••••";
  } catch {
    status.textContent = `No answer from ${url.origin}.`;
  }
});

// Sign in on the server instead of pasting a token: the server's console hands this extension a
// one-time code (connected.html) that only the verifier kept here turns into a token (PKCE).
$("signin").addEventListener("click", async () => {
  const url = serverUrl();
  if (!url) return;
  const { state, challenge } = await startConnect(url.origin);
  const connect = new URL("/console/connect", url);
  connect.search = new URLSearchParams({
    redirect_uri: chrome.runtime.getURL("connected.html"),
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  await chrome.tabs.create({ url: connect.href });
  $("status").textContent = "Sign in in the new tab.";
});

$("prefs").addEventListener("submit", async (event) => {
  event.preventDefault();
  const checked = document.querySelector("input[name=mode]:checked");
  const allowSites = LINES($("allowSites").value);
  // Reading allowed sites needs the browser's permission, asked now while we have the click;
  // the settings are saved whatever the answer (an admin may grant the sites by policy).
  const granted = allowSites.length
    ? chrome.permissions.request({ origins: origins(allowSites) }).catch(() => false)
    : Promise.resolve(true);
  await saveSettings({
    mode: checked ? checked.value : "on-demand",
    allowSites,
    denySites: LINES($("denySites").value),
    sendSnippet: $("sendSnippet").checked,
    dailyLimit: Math.max(0, Number.parseInt($("dailyLimit").value, 10) || 0),
  });
  $("saved").textContent = "Saved.";
  await fill();
  if (!(await granted)) {
    $("saved").textContent = "Saved. The browser has not allowed jitlearn to read those sites yet.";
  }
});

fill();
