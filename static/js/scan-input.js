// Keyboard-wedge scanners type a whole code into the focused field and end it with a suffix key.
// Only that key (Enter or Tab, the handheld's setting: scanner-settings.js) ends a scan, whatever
// the pauses inside it: a Bluetooth link or a busy handheld can stall a code for hundreds of
// milliseconds, and the first half of a GS1 code is itself a valid code with a shorter lot. So a
// pause never ends a scan; text left without its end is only pointed out (onWaiting), never used.
//
// DataWedge sometimes injects one scan twice, back to back: both copies come from one decode and
// are typed with no key delay (its default), so the second starts a few milliseconds after the
// first one's Enter. The same text starting within DUPLICATE_WINDOW_MS of the previous scan's end is
// that echo and is dropped. 60 ms: above a busy handheld's event-loop stall between the two copies,
// and far below what a person needs to release the trigger, aim at the next box and decode it
// (well over 250 ms), so identical boxes scanned one after the other all count. (Chosen, not
// measured on Zebra hardware; the journeys inject the echo in one task, tests/e2e/journey.py.)
import { endsScan, scannerSettings } from "./scanner-settings.js";

export const DUPLICATE_WINDOW_MS = 60;
export const WAITING_HINT_MS = 1500; // only for the hint: text sitting in the field without its end

/**
 * `ends(key)` says whether Enter/Tab ends a scan (the handheld's setting; the setup page takes both,
 * to learn which one this scanner sends).
 */
export function attachScanInput(field, onScan, { onDuplicate = () => {}, onWaiting = () => {}, keepFocus = true, ends = endsScan } = {}) {
  let startedAt = null; // the first character of the scan being typed
  let last = { text: "", endedAt: -Infinity };
  let waitingTimer = null;

  const finish = (how) => {
    clearTimeout(waitingTimer);
    onWaiting(null);
    const text = field.value;
    const started = startedAt ?? performance.now();
    field.value = "";
    startedAt = null;
    if (!text.trim()) return;
    performance.clearMarks("scan-received");
    performance.mark("scan-received");
    const now = performance.now();
    const echo = how !== "manual" && text === last.text && started - last.endedAt < DUPLICATE_WINDOW_MS;
    last = { text, endedAt: now };
    if (echo) {
      onDuplicate(text);
      return;
    }
    onScan(text, { source: how === "manual" ? "manual" : "wedge", ended: how });
  };

  field.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== "Tab") return;
    if (!field.value) return;
    event.preventDefault(); // a Tab must not move the focus away mid-workflow
    if (field.dataset.typing === "true") finish("manual");
    else if (ends(event.key)) finish(event.key.toLowerCase());
  });
  field.addEventListener("input", () => {
    if (startedAt === null && field.value) startedAt = performance.now();
    if (!field.value) startedAt = null;
    clearTimeout(waitingTimer);
    onWaiting(null);
    if (field.value && field.dataset.typing !== "true") {
      waitingTimer = setTimeout(() => onWaiting(field.value, scannerSettings().terminator), WAITING_HINT_MS);
    }
  });
  field.form?.addEventListener("submit", (event) => {
    // The form's own submit is the typing path's "Use" button (or a soft keyboard's Enter).
    event.preventDefault();
    if (field.value) finish("manual");
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
