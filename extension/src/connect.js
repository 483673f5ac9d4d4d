// Connecting by signing in on the server (RFC 7636, PKCE): the options page starts it, the
// server's console sends the browser back to connected.html with a one-time code, and that
// page trades the code and the verifier kept here for a personal token.

const PENDING = "connect";

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function random() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A new connect attempt for the server at origin: its state and S256 challenge. */
export async function startConnect(origin) {
  const state = random();
  const verifier = random();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  // session storage: in memory, gone with the browser, never on disk
  await chrome.storage.session.set({ [PENDING]: { origin, state, verifier, at: Date.now() } });
  return { state, challenge: base64url(new Uint8Array(digest)) };
}

/** The server's answer (code, state) turned into a token: { origin, token, name }. */
export async function finishConnect(code, state) {
  const { [PENDING]: pending } = await chrome.storage.session.get(PENDING);
  await chrome.storage.session.remove(PENDING); // one answer per attempt, whatever happens
  if (!pending || !state || state !== pending.state || Date.now() - pending.at > 10 * 60 * 1000) {
    throw new Error("This answer does not match a connection started here. Start again from the settings.");
  }
  const response = await fetch(new URL("/api/v1/connect", pending.origin), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "omit",
    body: JSON.stringify({
      code,
      code_verifier: pending.verifier,
      redirect_uri: chrome.runtime.getURL("connected.html"),
    }),
    signal: AbortSignal.timeout(8000),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `The server answered ${response.status}.`);
  return { origin: pending.origin, token: body.token, name: body.name };
}
