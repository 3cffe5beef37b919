// The handheld's scanner settings, kept on the device (localStorage: one scanner per handheld,
// whoever is logged in). Today one setting: the key the scanner sends at the end of every scan
// ("enter" or "tab"), or "none" when the scanner-setup page saw a whole test label arrive without
// one. Not set yet: Enter or Tab ends a scan, the two suffixes scanners ship with.
const KEY = "wardstock.scanner";
export const TERMINATORS = ["enter", "tab", "none"];

export function scannerSettings() {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) || "{}");
    return TERMINATORS.includes(stored.terminator) ? stored : { terminator: null };
  } catch {
    return { terminator: null };
  }
}

export function saveTerminator(terminator) {
  if (!TERMINATORS.includes(terminator)) throw new Error(`Unknown end of scan: ${terminator}`);
  localStorage.setItem(KEY, JSON.stringify({ terminator, checked_at: new Date().toISOString() }));
}

/** Does this key end a scan on this handheld? */
export function endsScan(key, terminator = scannerSettings().terminator) {
  const name = key.toLowerCase();
  if (name !== "enter" && name !== "tab") return false;
  return terminator === null || terminator === "none" || terminator === name;
}
