// Service worker: no state of its own (it may stop at any time); listeners at top level.
// The toolbar button, the context menu and the keyboard shortcut each open the side panel and
// leave a request the panel answers ("request" in chrome.storage.session). Handling the click
// here, rather than letting the browser open the panel, is what grants activeTab: the page may
// then be read once, without any standing site access.

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => {});
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

chrome.action.onClicked.addListener((tab) => ask(tab, false));

chrome.contextMenus.onClicked.addListener((info, tab) => ask(tab, true));

chrome.commands.onCommand.addListener(async (command, tab) => {
  if (command !== "find-learning") return;
  const active = tab || (await chrome.tabs.query({ active: true, lastFocusedWindow: true }))[0];
  await ask(active, true);
});
