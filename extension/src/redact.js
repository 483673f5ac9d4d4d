// Redaction of personal data before anything leaves the browser (the server redacts again with
// the same patterns: nlp/redact.py).
// A classic script: injected into pages before capture.js, and imported by extension pages.
(() => {
  const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  // a phone number: optional +, then 7 or more digits split by spaces, dots, dashes, brackets
  const PHONE = /(?:\+|\b)\d(?:[\s().-]*\d){6,}\b/g;
  const LONG_DIGITS = /\d{6,}/g; // card, account and ID numbers
  function redact(text) {
    if (typeof text !== "string") return "";
    return text.replace(EMAIL, "[REDACTED]").replace(PHONE, "[REDACTED]").replace(LONG_DIGITS, "[REDACTED]");
  }
  globalThis.jitlearnRedact = redact;
})();
