// The page the server's console sends the browser to after sign-in, with a one-time code.

import { finishConnect } from "./connect.js";
import { saveSettings, setToken } from "./settings.js";

const status = document.getElementById("status");
const params = new URLSearchParams(location.search);
history.replaceState(null, "", location.pathname); // the code leaves the address bar at once

try {
  const { origin, token, name } = await finishConnect(params.get("code"), params.get("state"));
  await saveSettings({ serverUrl: origin });
  await setToken(token);
  status.textContent = `Connected as ${name}. You can close this tab.`;
  document.body.dataset.state = "connected";
} catch (error) {
  status.textContent = error.message || "The connection failed. Start again from the settings.";
  document.body.dataset.state = "failed";
}
