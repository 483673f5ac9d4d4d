// The side panel: decides whether to ask, captures the page, shows suggestions and their
// reasons, and sends feedback. Renders with textContent only: titles and summaries are data.

import "./redact.js";
import { ApiError, feedback, interested, search, suggest } from "./api.js";
import {
  getToken,
  giveConsent,
  hasConsent,
  loadSettings,
  pauseFor,
  pausedUntil,
  siteMatches,
  takeAutomaticBudget,
} from "./settings.js";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 500; // navigation and tab switches settle before we read the page
const FIRST = 3; // cards at first: a few good ones, not a list to read
const MORE = 5; // cards "Show more" adds each time
const MOST = 20; // the most the server gives in one answer
const ACTIONS = [
  ["helpful", "Helpful"],
  ["not_relevant", "Not relevant"],
  ["completed", "Done"],
  ["snoozed", "Snooze"],
];
let timer = null;
let running = Promise.resolve();
let onScreen = null; // the page whose suggestions are shown: { context }

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function announce(text) {
  $("announce").textContent = text;
}

/** The tab the panel speaks for: its own window's, or the last normal window's when detached. */
async function targetTab() {
  const here = await chrome.windows.getCurrent();
  let windowId = here.id;
  if (here.type !== "normal") {
    const normal = await chrome.windows.getLastFocused({ windowTypes: ["normal"] }).catch(() => null);
    if (!normal) return null;
    windowId = normal.id;
  }
  const [tab] = await chrome.tabs.query({ active: true, windowId });
  return tab || null;
}

/**
 * The public build may read no site until the person allows it: this asks the browser's own
 * question for the sites the manifest lists as optional. The browser learns the tab's address,
 * the extension does not (it has no "tabs" permission), so the question cannot name one site.
 * The request must start inside the click, before anything is awaited.
 */
function allowPages() {
  const origins = chrome.runtime.getManifest().optional_host_permissions || [];
  const answer = chrome.permissions.request({ origins }).catch(() => false);
  show("asking", {});
  answer.then((granted) => {
    if (granted) schedule("button", 0); // permissions.onAdded may say so too: the last one wins
    else show("not-allowed", {});
  });
}

const STATES = {
  consent: {
    title: "Before jitlearn reads anything",
    body: (s, connected) => [
      "When you ask (or, in automatic mode, on sites you allow), jitlearn sends " +
        (connected
          ? `your jitlearn server (${s.serverUrl})`
          : "your organisation's jitlearn server, once you connect to it,") +
        " what it needs to find learning for the page:",
      [
        "the page title and address, without the part after ? or #",
        "up to 20 headings and the page description",
        s.sendSnippet ? "up to 2,000 characters of visible text" : "no page text",
        "text you selected, only when you ask from the menu or with Alt+Shift+L",
      ],
      "Never form fields, passwords or hidden text. Email addresses, phone numbers and long " +
        "numbers are removed first. The server keeps topics, not your page.",
    ],
    button: ["I agree", async () => { await giveConsent(); schedule("open", 0); }],
  },
  "signed-out": {
    title: "Not connected",
    body: () => ["Connect the extension to your jitlearn server with your personal token."],
    button: ["Open settings", () => chrome.runtime.openOptionsPage()],
  },
  paused: {
    title: "Paused",
    body: (s, until) => [`jitlearn is paused until ${new Date(until).toLocaleTimeString()}.`],
    button: ["Resume now", async () => { await pauseFor(0); schedule("open", 0); }],
  },
  denied: {
    title: "Not on this site",
    body: (s, host) => [`jitlearn never reads ${host}: it is on the list of sites to leave alone.`],
  },
  "no-page": {
    title: "Nothing to read here",
    body: () => ["Open a web page, then ask again."],
  },
  "no-access": {
    title: "jitlearn may not read this page yet",
    body: () => [
      "Allow it to read pages, and it reads a page when you ask: never on its own, unless you " +
        "turn on automatic mode for sites you list in Settings.",
      "To let it read only this page, once, press Alt+Shift+L on the page.",
    ],
    buttons: [
      ["Allow reading pages", allowPages],
      ["Choose sites in Settings", () => chrome.runtime.openOptionsPage()],
    ],
  },
  asking: {
    title: "Answer your browser's question",
    body: () => ["Your browser asks whether jitlearn may read pages. Choose Allow, and it reads " +
      "this page straight away."],
  },
  "not-allowed": {
    title: "Not allowed",
    body: () => ["jitlearn reads no page. To let it read one page, once, press Alt+Shift+L on " +
      "that page."],
    buttons: [["Ask the browser again", allowPages]],
  },
  idle: {
    title: "Ready when you are",
    body: () => ["Ask for learning that fits this page with the button above."],
  },
  limit: {
    title: "Quiet for today",
    body: () => ["jitlearn reached today's number of automatic suggestions. Ask any time."],
  },
  loading: { title: "Looking…", body: () => [] },
  empty: {
    title: "Nothing matches this page",
    body: () => ["No policy, course or guide in the library fits what you are doing. That is fine."],
  },
  // quiet because of what the person did (or may see), not because the page is not work
  seen: {
    title: "Nothing new for this page",
    body: (s, answered) => [answered
      ? "You have marked everything that fits this page as done, not relevant or snoozed."
      : "You have hidden what was shown. Ask again for anything else that fits."],
    button: ["Ask again", () => schedule("button", 0)],
  },
  unreachable: {
    title: "Server unreachable",
    body: (s, message) => [message, "Suggestions will be back when the server is."],
    button: ["Try again", () => schedule("button", 0)],
  },
  refused: {
    title: "The server could not answer",
    body: (s, message) => [message],
  },
};

function show(name, settings, detail) {
  const spec = STATES[name];
  const box = $("state");
  box.replaceChildren();
  box.dataset.state = name;
  document.body.dataset.state = name;
  box.append(el("h2", {}, spec.title));
  for (const part of spec.body(settings, detail)) {
    if (Array.isArray(part)) {
      const list = el("ul");
      for (const item of part) list.append(el("li", {}, item));
      box.append(list);
    } else if (part) {
      box.append(el("p", {}, part));
    }
  }
  const buttons = spec.buttons || (spec.button ? [spec.button] : []);
  if (buttons.length) {
    const row = el("p", { class: "choices" });
    for (const [index, [label, action]] of buttons.entries()) {
      const button = el("button", { type: "button", class: index ? "" : "primary" }, label);
      button.addEventListener("click", action);
      row.append(button);
    }
    box.append(row);
  }
  box.hidden = false;
  $("suggestions").replaceChildren();
  $("others").replaceChildren();
  $("beside").hidden = true;
  $("more").hidden = true;
  $("topics").hidden = true;
  $("main").setAttribute("aria-busy", String(name === "loading"));
  if (name !== "loading") answered();
}

/** Counts the panel's answers, so anyone watching (a screen reader, a test) knows it settled. */
function answered() {
  document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
}

async function capture(tab, settings, withSelection) {
  await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ["src/redact.js", "src/capture.js"] });
  const [injection] = await chrome.scripting.executeScript({
    target: { tabId: tab.id },
    func: (options) => globalThis.jitlearnCapture(options),
    args: [{ withSelection, sendSnippet: settings.sendSnippet }],
  });
  // redact again here: the page could have tampered with the isolated world's result
  const context = injection.result || {};
  for (const key of ["title", "description", "selection", "text"]) {
    if (typeof context[key] === "string") context[key] = globalThis.jitlearnRedact(context[key]);
  }
  if (Array.isArray(context.headings)) context.headings = context.headings.map(globalThis.jitlearnRedact);
  return context;
}

function render(result, settings) {
  $("state").hidden = true;
  $("main").setAttribute("aria-busy", "false");
  const list = $("suggestions");
  list.replaceChildren();
  if (!result.suggestions.length) {
    // the server says why it is quiet: the page is not work, or the person hid what fits
    if (result.abstained && result.abstained.reason === "hidden") show("seen", settings, true);
    else show("empty", settings);
    beside(result, settings); // a colleague or an opportunity can answer where no document does
    return;
  }
  document.body.dataset.state = "results";
  const labels = result.topics
    .filter((t) => !t.id.startsWith("phrase:") && t.weight >= 0.5) // the page's main topics
    .map((t) => t.label);
  $("topics").textContent = labels.length ? `This page is about: ${labels.slice(0, 4).join(", ")}` : "";
  $("topics").hidden = !labels.length;
  for (const item of result.suggestions) list.append(card(item, result.request_id, settings));
  $("more").hidden = result.suggestions.length < FIRST; // fewer than asked: that was all
  beside(result, settings);
  announce(`${result.suggestions.length} suggestions`);
  answered();
}

/** An opportunity on the page's subject and colleagues who said they may be asked, below the
 * documents: what the server sends, nothing inferred here. */
function beside(result, settings) {
  const list = $("others");
  list.replaceChildren();
  for (const item of result.opportunities || []) list.append(opportunityCard(item, settings));
  for (const person of result.experts || []) list.append(expertCard(person));
  $("beside").hidden = !list.children.length;
}

function opportunityCard(item, settings) {
  const li = el("li", { class: "card other", "data-opportunity": String(item.id) });
  li.append(el("h3", {}, item.title));
  const badges = el("p", { class: "badges" });
  badges.append(el("span", { class: "badge" }, "opportunity"));
  if (item.kind && item.kind !== "other") badges.append(el("span", { class: "badge" }, item.kind));
  li.append(badges);
  const parts = [item.owner && `with ${item.owner}`, item.when, (item.places || []).join(", ")];
  const from = parts.filter(Boolean).join(" · ");
  if (from) li.append(el("p", { class: "provenance" }, from));
  if (item.why) {
    const reasons = el("ul", { class: "reasons", "aria-label": "Why" });
    reasons.append(el("li", {}, item.why));
    li.append(reasons);
  }
  const button = el("button", { type: "button", class: "primary" }, "I'm interested");
  button.setAttribute("aria-label", `I'm interested in ${item.title}`);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await interested(settings, await getToken(), item.id);
    } catch (error) {
      button.disabled = false;
      announce(error.message);
      return;
    }
    await chrome.storage.session.remove("cache"); // it is not offered again
    button.textContent = item.owner ? `Sent to ${item.owner}` : "Sent to the owner";
    announce(`${item.owner || "The owner"} sees you're interested in ${item.title}; nobody else does`);
  });
  const row = el("div", { class: "actions" });
  row.append(button);
  li.append(row);
  return li;
}

function expertCard(person) {
  const li = el("li", { class: "card other", "data-expert": String(person.user_id) });
  const heading = el("h3");
  if (/^[^\s@<>"]+@[^\s@<>"]+$/.test(person.email || "")) {
    heading.append(el("a", { href: `mailto:${person.email}` }, `Ask ${person.name}`));
  } else {
    heading.textContent = `Ask ${person.name}`;
  }
  li.append(heading);
  const badges = el("p", { class: "badges" });
  badges.append(el("span", { class: "badge" }, "colleague"));
  li.append(badges);
  const about = [person.department, (person.skills || []).map((s) => s.name.toLowerCase()).join(", ")];
  const line = about.filter(Boolean).join(": ");
  if (line) li.append(el("p", { class: "provenance" }, line));
  if ((person.evidence || []).length) {
    const reasons = el("ul", { class: "reasons", "aria-label": "Why them" });
    for (const part of person.evidence) reasons.append(el("li", {}, part));
    li.append(reasons);
  }
  return li;
}

/** "Show more": asks for the next ones and adds those not on screen yet, below the others. */
async function showMore() {
  const settings = await loadSettings();
  const list = $("suggestions");
  const have = new Set([...list.children].map((li) => li.dataset.id));
  const limit = Math.min(have.size + MORE, MOST);
  $("more").disabled = true;
  let result;
  try {
    result = await suggest(settings, await getToken(), onScreen.context, limit);
  } catch (error) {
    announce(error.message);
    return;
  } finally {
    $("more").disabled = false;
  }
  const fresh = result.suggestions.filter((item) => !have.has(item.id));
  for (const item of fresh) list.append(card(item, result.request_id, settings));
  $("more").hidden = !fresh.length || result.suggestions.length < limit || limit >= MOST;
  announce(fresh.length ? `${fresh.length} more suggestions` : "Nothing more fits this page");
  answered();
}

/** Where a card comes from, as people say it: "handbook · kept by Finance · 45 min · updated 3 months ago". */
function provenance(item, now = Date.now()) {
  const parts = [];
  if (item.source) parts.push(item.source);
  if (item.owner) parts.push(`kept by ${item.owner}`);
  if (item.duration) parts.push(`${item.duration} min`);
  if (item.changed) parts.push(`updated ${ago(item.changed, now)}`);
  return parts.join(" · ");
}

function ago(isoDate, now) {
  const days = Math.floor((now - Date.parse(isoDate)) / 86_400_000);
  if (!(days >= 0)) return `on ${isoDate}`;
  if (days < 1) return "today";
  if (days < 14) return days === 1 ? "yesterday" : `${days} days ago`;
  if (days < 60) return `${Math.round(days / 7)} weeks ago`;
  if (days < 730) return `${Math.round(days / 30.4)} months ago`;
  return `${Math.round(days / 365)} years ago`;
}

function card(item, requestId, settings) {
  const li = el("li", { class: "card", "data-id": item.id });
  const heading = el("h2");
  if (/^https?:\/\//.test(item.url || "")) {
    const link = el("a", { href: item.url, target: "_blank", rel: "noopener noreferrer" }, item.title);
    if (requestId) link.addEventListener("click", () => send(settings, requestId, item, "opened"));
    heading.append(link);
  } else {
    heading.textContent = item.title;
  }
  const badges = el("p", { class: "badges" });
  badges.append(el("span", { class: "badge" }, item.type || "guide"));
  if (item.mandatory) {
    const label = item.type === "policy" ? "Mandatory" : "Required";
    badges.append(el("span", { class: "badge mandatory" }, label));
  }
  li.append(heading, badges);
  const from = provenance(item);
  if (from) li.append(el("p", { class: "provenance" }, from));
  if (item.summary) li.append(el("p", { class: "summary" }, item.summary));
  if (item.reasons && item.reasons.length) {
    const reasons = el("ul", { class: "reasons", "aria-label": "Why" });
    // the badge already says mandatory; the list says why it fits this page
    for (const reason of item.reasons.filter((r) => !/^(Mandatory policy|Required for)/.test(r))) {
      reasons.append(el("li", {}, reason));
    }
    li.append(reasons);
  }
  if (!requestId) return li; // a search result: nothing was suggested, so nothing to rate
  const actions = el("div", { class: "actions", role: "group", "aria-label": `Feedback on ${item.title}` });
  const choices = item.mandatory ? [["acknowledged", "Acknowledge"], ...ACTIONS] : ACTIONS;
  for (const [action, label] of choices) {
    const button = el("button", { type: "button", "data-action": action }, label);
    if (action === "helpful") button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => onFeedback(settings, requestId, item, action, li, button));
    actions.append(button);
  }
  li.append(actions);
  return li;
}

async function send(settings, requestId, item, action) {
  return feedback(settings, await getToken(), requestId, item.id, action);
}

async function onFeedback(settings, requestId, item, action, li, button) {
  try {
    await send(settings, requestId, item, action);
  } catch (error) {
    announce(error.message);
    return;
  }
  await chrome.storage.session.remove("cache"); // the next answer must reflect this feedback
  if (action === "helpful") {
    button.setAttribute("aria-pressed", "true");
    announce("Thanks, noted as helpful");
    return;
  }
  li.remove();
  announce(`${item.title}: hidden`);
  if (!$("suggestions").children.length) show("seen", settings, false);
}

async function refresh(trigger, withSelection = false) {
  const started = performance.now();
  const settings = await loadSettings();
  const token = await getToken();
  if (!(await hasConsent())) return show("consent", settings, Boolean(token));
  if (!token) return show("signed-out", settings);
  const until = await pausedUntil();
  if (until) return show("paused", settings, until);
  const tab = await targetTab();
  if (!tab) return show("no-page", settings);
  if (tab.url && !/^https?:/.test(tab.url)) return show("no-page", settings);
  const host = tab.url ? new URL(tab.url).hostname : "";
  if (host && siteMatches(host, settings.denySites)) return show("denied", settings, host);
  const automatic = trigger === "navigate";
  if (automatic && (settings.mode !== "automatic" || !siteMatches(host, settings.allowSites))) {
    return show("idle", settings);
  }
  let context;
  try {
    context = await capture(tab, settings, withSelection);
  } catch {
    return show("no-access", settings);
  }
  onScreen = { context };
  const key = `${context.url}|${withSelection ? context.selection || "" : ""}`;
  const { cache = {} } = await chrome.storage.session.get("cache");
  const hit = cache[key];
  if (hit && Date.now() - hit.at < settings.cacheMinutes * 60_000) {
    const note = "Answered from this panel's memory of the page: nothing was sent again. Sent then:";
    showPayload(hit.payload, note);
    return finish(hit.result, settings, started);
  }
  if (automatic && !(await takeAutomaticBudget(settings.dailyLimit))) return show("limit", settings);
  show("loading", settings);
  const payload = { context, limit: FIRST };
  await chrome.storage.session.set({ lastPayload: payload });
  showPayload(payload);
  try {
    const result = await suggest(settings, token, context, FIRST);
    cache[key] = { at: Date.now(), result, payload };
    await chrome.storage.session.set({ cache });
    finish(result, settings, started);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    show(error.kind, settings, error.message);
  }
}

function finish(result, settings, started) {
  render(result, settings);
  document.body.dataset.latencyMs = String(Math.round(performance.now() - started));
}

function showPayload(payload, note = "") {
  $("payload").textContent = payload ? JSON.stringify(payload, null, 2) : "Nothing yet.";
  $("sent-note").textContent = payload ? note : "";
  $("sent-note").hidden = !(payload && note);
}

/** Runs refreshes one after another, the last request winning after a short debounce. */
function schedule(trigger, delay = DEBOUNCE_MS, withSelection = false) {
  clearTimeout(timer);
  timer = setTimeout(() => {
    running = running.then(() => refresh(trigger, withSelection)).catch((error) => {
      show("refused", {}, String(error && error.message ? error.message : error));
    });
  }, delay);
}

async function updatePauseButton() {
  const until = await pausedUntil();
  $("pause").textContent = until ? "Resume" : "Pause for an hour";
}

/** The search box: the library's own search, whatever the page; results below the form. */
async function onSearch() {
  const words = $("words").value.trim();
  if (!words) return;
  const settings = await loadSettings();
  let found;
  try {
    found = await search(settings, await getToken(), words);
  } catch (error) {
    if (error instanceof ApiError && error.kind !== "refused") show(error.kind, settings, error.message);
    else announce(error.message);
    return;
  }
  $("found-title").textContent = found.results.length
    ? `In the library for “${words}”`
    : `Nothing in the library matches “${words}”: try other words`;
  $("results").replaceChildren(...found.results.map((item) => card(item, null, settings)));
  $("found").hidden = false;
  announce(found.results.length ? `${found.results.length} results for ${words}` : "No results");
  answered();
}

$("search").addEventListener("submit", (event) => {
  event.preventDefault(); // the panel stays where it is: results appear below the box
  running = running.then(onSearch).catch((error) => announce(String(error.message || error)));
});
$("ask").addEventListener("click", () => schedule("button", 0));
$("more").addEventListener("click", () => {
  running = running.then(showMore).catch((error) => announce(String(error.message || error)));
});
$("settings").addEventListener("click", () => chrome.runtime.openOptionsPage());
$("pause").addEventListener("click", async () => {
  await pauseFor((await pausedUntil()) ? 0 : 60);
  await updatePauseButton();
  schedule("open", 0);
});

chrome.tabs.onActivated.addListener(() => schedule("navigate"));
chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (tab.active && (change.status === "complete" || change.url)) schedule("navigate");
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "session" && changes.request && changes.request.newValue) {
    schedule("ask", 0, Boolean(changes.request.newValue.withSelection));
  }
  // new settings or a new token: show the right state, but read the page only if automatic
  if (area === "local" && (changes.settings || changes.token)) schedule("navigate", 0);
  if (area === "local" && changes.pausedUntil) updatePauseButton();
});

// Allowed elsewhere (Settings, the browser's menu) while the panel waits for it: read the page.
chrome.permissions.onAdded.addListener(() => {
  if (["no-access", "asking", "not-allowed"].includes(document.body.dataset.state)) {
    schedule("button", 0);
  }
});

chrome.storage.session.get("lastPayload").then(({ lastPayload }) => showPayload(lastPayload));
updatePauseButton();
schedule("open", 0);
