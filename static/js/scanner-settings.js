// The handheld's scanner settings, kept on the device (localStorage: one scanner per handheld,
// whoever is logged in), both learnt from the test label on the scanner-setup page:
// - `terminator`: the key the scanner sends at the end of every scan ("enter" or "tab"), or "none"
//   when a whole test label arrived without one. Not set yet: Enter or Tab ends a scan.
// - `separator`: how the scanner passes on GS1's separator (FNC1): the GS character itself, or a
//   replacement such as "~", or "" when it drops it. Not set yet: it may drop it.
// A scanner known to pass separators on lets a label whose last field is a lot be read whole:
// no separator in the text then means there was none in the code. Otherwise a separator-less text
// that can be cut in more than one way is refused (gs1.js), as GS1 asks.
const KEY = "wardstock.scanner";
export const TERMINATORS = ["enter", "tab", "none"];

function stored() {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

export function scannerSettings() {
  const value = stored();
  return {
    terminator: TERMINATORS.includes(value.terminator) ? value.terminator : null,
    separator: typeof value.separator === "string" ? value.separator : null,
  };
}

function save(changes) {
  localStorage.setItem(KEY, JSON.stringify({ ...stored(), ...changes, checked_at: new Date().toISOString() }));
}

export function saveTerminator(terminator) {
  if (!TERMINATORS.includes(terminator)) throw new Error(`Unknown end of scan: ${terminator}`);
  save({ terminator });
}

/** `separator`: what the test label's GS arrived as ("" when the scanner drops it). */
export function saveSeparator(separator) {
  if (typeof separator !== "string") throw new Error(`Unknown separator: ${separator}`);
  save({ separator });
}

/** The GS replacements to accept: without "" (dropped separators) once this scanner is known to pass them on. */
export function gsReplacements(defaults, separator = scannerSettings().separator) {
  return separator ? defaults.filter((replacement) => replacement !== "") : defaults;
}

/** Does this key end a scan on this handheld? */
export function endsScan(key, terminator = scannerSettings().terminator) {
  const name = key.toLowerCase();
  if (name !== "enter" && name !== "tab") return false;
  return terminator === null || terminator === "none" || terminator === name;
}
