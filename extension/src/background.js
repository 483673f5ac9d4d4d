// Service worker: no state of its own (it may stop at any time); listeners at top level.
// Opens the side panel on the toolbar button, and turns the context menu and the keyboard
// shortcut into a request the panel answers ("ask/requested" in chrome.storage.session).

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
  chrome.contextMenus.create({
    id: "find-learning",
    title: "Find learning for the selected text",
    contexts: ["selection", "page"],
  });
});

async function ask(tab, withSelection) {
  if (!tab || tab.id === undefined) return;
  // Opening the panel needs the user gesture this handler carries; do it first.
  await chrome.sidePanel.open({ windowId: tab.windowId }).catch(() => {});
  await chrome.storage.session.set({
    request: { tabId: tab.id, withSelection, at: Date.now() },
  });
}

chrome.contextMenus.onClicked.addListener((info, tab) => ask(tab, true));

chrome.commands.onCommand.addListener(async (command, tab) => {
  if (command !== "find-learning") return;
  const active = tab || (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0];
  await ask(active, true);
});
