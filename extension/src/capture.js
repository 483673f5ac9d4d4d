// Capture of the page a person works on. Injected on demand (never declared for all pages);
// reads only what is visible and never form fields. Defines globalThis.jitlearnCapture.
(() => {
  const MAX_HEADINGS = 20;
  const MAX_HEADING = 200;
  const MAX_SNIPPET = 2000; // spaCy reads ~2,000 characters in under 10 ms on the server
  const MAX_SELECTION = 2000;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "INPUT", "SELECT",
    "OPTION", "BUTTON", "IFRAME", "OBJECT", "SVG", "CANVAS", "NAV", "FOOTER", "HEADER", "FORM"]);

  function clean(text, max) {
    return cut(globalThis.jitlearnRedact(String(text || "").replace(/\s+/g, " ").trim()), max);
  }

  // At most max characters, cut between characters: String.slice counts UTF-16 units and would
  // cut an emoji in half, leaving a lone surrogate that is not Unicode (the server refuses it).
  function cut(text, max) {
    if (text.length <= max) return text;
    return Array.from(text.slice(0, 2 * max)).slice(0, max).join("");
  }

  function hidden(el) {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      if (SKIP.has(e.tagName) || e.isContentEditable || e.getAttribute("aria-hidden") === "true" ||
          e.hidden || e.type === "password") return true;
    }
    return typeof el.checkVisibility === "function"
      ? !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
      : el.offsetParent === null;
  }

  function snippet() {
    const root = document.querySelector("main, [role=main], article") || document.body;
    if (!root) return "";
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const parts = [];
    let length = 0;
    for (let node = walker.nextNode(); node && length < MAX_SNIPPET; node = walker.nextNode()) {
      const text = node.nodeValue.replace(/\s+/g, " ").trim();
      if (!text || hidden(node.parentElement)) continue;
      parts.push(text);
      length += text.length + 1;
    }
    return clean(parts.join(" "), MAX_SNIPPET);
  }

  function selection() {
    const active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) return "";
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.anchorNode) return "";
    const holder = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
    return holder && hidden(holder) ? "" : clean(sel.toString(), MAX_SELECTION);
  }

  globalThis.jitlearnCapture = (options = {}) => {
    const url = new URL(location.href);
    const headings = [...document.querySelectorAll("h1, h2, h3")]
      .filter((h) => !hidden(h))
      .map((h) => clean(h.textContent, MAX_HEADING))
      .filter(Boolean)
      .slice(0, MAX_HEADINGS);
    const meta = document.querySelector("meta[name=description]");
    const context = {
      title: clean(document.title, 1000),
      url: url.origin + url.pathname, // never the query string or fragment: tokens and ids live there
      headings,
      description: clean(meta && meta.getAttribute("content"), 1000),
    };
    if (options.withSelection) context.selection = selection();
    if (options.sendSnippet !== false) context.text = snippet();
    for (const key of Object.keys(context)) if (context[key] === "") delete context[key];
    return context;
  };
})();
