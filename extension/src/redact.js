// Redaction of personal data before anything leaves the browser (the server redacts again with
// the same patterns: nlp/redact.py).
// A classic script: injected into pages before capture.js, and imported by extension pages.
(() => {
  // any script's letters; tests/data/redaction.json holds the cases both sides must agree on
  const EMAIL = /[\p{L}\p{N}_\p{M}.%+-]+@[\p{L}\p{N}_\p{M}-]+(?:\.[\p{L}\p{N}_\p{M}-]+)*\.\p{L}{2,}/gu;
  // a phone number: optional +, then 7 or more digits split by spaces, dots, dashes, brackets
  const PHONE = /(?:\+|\b)\d(?:[\s().-]*\d){6,}\b/g;
  const LONG_DIGITS = /\d{6,}/g; // card, account and ID numbers
  function redact(text) {
    if (typeof text !== "string") return "";
    return text.replace(EMAIL, "[REDACTED]").replace(PHONE, "[REDACTED]").replace(LONG_DIGITS, "[REDACTED]");
  }
  globalThis.jitlearnRedact = redact;
})();
