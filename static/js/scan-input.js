// Keyboard-wedge scanners type a whole code into the focused field, usually ending with Enter.
// This captures one scan per code: Enter (or Tab) ends it; without a suffix, a pause after a
// burst of fast keys ends it. The same text twice within a moment (DataWedge sometimes injects a
// scan twice) is reported as a duplicate, not counted again.
const BURST_KEY_MS = 35; // scanners type faster than people
const END_GAP_MS = 120;
const MIN_LENGTH = 3;
const DUPLICATE_MS = 1200;

export function attachScanInput(field, onScan, { onDuplicate = () => {}, keepFocus = true } = {}) {
  let times = [];
  let timer = null;
  let last = { text: "", at: 0 };

  const finish = (how) => {
    clearTimeout(timer);
    const text = field.value;
    field.value = "";
    times = [];
    if (!text.trim()) return;
    performance.clearMarks("scan-received");
    performance.mark("scan-received");
    const now = performance.now();
    if (text === last.text && now - last.at < DUPLICATE_MS) {
      last.at = now;
      onDuplicate(text);
      return;
    }
    last = { text, at: now };
    onScan(text, { source: "wedge", ended: how });
  };

  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === "Tab") {
      if (!field.value) return;
      event.preventDefault();
      finish(event.key.toLowerCase());
    }
  });
  field.addEventListener("input", (event) => {
    const now = performance.now();
    times.push(now);
    clearTimeout(timer);
    // A burst: many characters at once (pasted by the scanner driver) or keys faster than a person types.
    const burst = (event.data && event.data.length >= MIN_LENGTH) ||
      (times.length >= MIN_LENGTH && (now - times[0]) / (times.length - 1) < BURST_KEY_MS);
    if (burst && field.value.length >= MIN_LENGTH) timer = setTimeout(() => finish("pause"), END_GAP_MS);
  });
  field.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    finish("enter");
  });

  if (keepFocus) {
    // The scan field keeps the focus unless the user is typing somewhere else.
    const refocus = () => {
      const active = document.activeElement;
      const typing = active && active !== field && (active.matches("input, textarea, select") || active.isContentEditable);
      if (!typing && !field.closest("[hidden]") && !document.hidden) field.focus({ preventScroll: true });
    };
    field.addEventListener("blur", () => setTimeout(refocus, 150));
    document.addEventListener("visibilitychange", refocus);
  }
  return { focus: () => field.focus({ preventScroll: true }), submit: (text, how = "manual") => { field.value = text; finish(how); } };
}
