// Calls to the jitlearn server. The token is read from chrome.storage at call time and sent
// only to the configured server.

export class ApiError extends Error {
  constructor(kind, message, status = 0) {
    super(message);
    this.kind = kind; // "signed-out" | "unreachable" | "refused"
    this.status = status;
  }
}

async function call(settings, token, path, body, method = body === undefined ? "GET" : "POST") {
  if (!token) throw new ApiError("signed-out", "Connect the extension to your jitlearn server.");
  let response;
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    response = await fetch(new URL(path, settings.serverUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      signal: AbortSignal.timeout(8000),
    });
  } catch {
    throw new ApiError("unreachable", `The jitlearn server at ${settings.serverUrl} does not answer.`);
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) throw new ApiError("signed-out", data.message || "Sign in again.", 401);
  if (!response.ok) {
    throw new ApiError("refused", data.message || `The server answered ${response.status}.`, response.status);
  }
  return data;
}

/** The best `limit` suggestions for the page: 3 at first, more when the person asks. */
export function suggest(settings, token, context, limit = 3) {
  return call(settings, token, "/api/v1/suggestions", { context, limit });
}

export function feedback(settings, token, requestId, contentId, action) {
  return call(settings, token, "/api/v1/feedback", {
    request_id: requestId,
    content_id: contentId,
    action,
  });
}

/** The library's own search, for when the page is not enough: only the words typed are sent. */
export function search(settings, token, words, limit = 10) {
  const query = new URLSearchParams({ q: words, limit: String(limit) });
  return call(settings, token, `/api/v1/search?${query}`);
}

/** "I'm interested" in an opportunity: only its owner sees it. */
export function interested(settings, token, opportunityId) {
  return call(settings, token, `/api/v1/opportunities/${encodeURIComponent(opportunityId)}/interest`, {}, "PUT");
}
