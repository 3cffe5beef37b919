// The scanner check: scan the test label and learn whether this scanner sends GS (or a
// replacement Wardstock accepts), an AIM symbology prefix, and Enter at the end.
import { show } from "./feedback.js";
import { DEFAULT_CONFIG, GS, interpret } from "./gs1.js";
import { attachScanInput } from "./scan-input.js";

const LOT = "TEST-LOT";
const panel = document.getElementById("check-result");
const field = document.getElementById("scan-field");

export function analyse(raw, ended) {
  const findings = [];
  let level = "ok";
  const prefix = /^\][A-Za-z][0-9A-Za-z]/.exec(raw)?.[0];
  findings.push(prefix ? `Symbology prefix ${prefix} received: good.` : "No symbology prefix: it works; AIM prefixes are better (DataMatrix and Code 128 can be told apart).");
  const afterLot = raw.slice(raw.indexOf(LOT) + LOT.length, raw.indexOf("21SN42") >= 0 ? raw.indexOf("21SN42") : undefined);
  if (!raw.includes(LOT)) {
    level = "error";
    findings.push("This is not the test label: scan the label on this page.");
  } else if (afterLot === GS) {
    findings.push("Separators: GS arrives as the real control character: good.");
  } else if (DEFAULT_CONFIG.gs_replacements.includes(afterLot) && afterLot) {
    findings.push(`Separators: GS arrives as '${afterLot}', which Wardstock accepts: good.`);
  } else if (afterLot === "") {
    level = "error";
    findings.push("Separators: MISSING. Your scanner drops GS, so lot and serial run together; set it to send GS as '~' (see below).");
  } else {
    level = "error";
    findings.push(`Separators: GS arrives as '${afterLot}', which Wardstock does not know; set it to send '~' or '|'.`);
  }
  findings.push(ended === "pause" ? "No Enter at the end: Wardstock noticed the pause, but set Enter as the suffix." : "Enter at the end: good.");
  let reading = "";
  try {
    const scan = interpret(raw);
    reading = `Read: GTIN ${scan.gtin}, lot ${scan.lot}, serial ${scan.serial}, expiry ${scan.expiry}.`;
  } catch (error) {
    level = "error";
    reading = error.message;
  }
  return { level, findings, reading };
}

if (panel && field) {
  attachScanInput(field, (raw, { ended }) => {
    const { level, findings, reading } = analyse(raw, ended);
    show(panel, { level, title: level === "ok" ? "Your scanner is set up right" : "Your scanner needs a setting changed", lines: [...findings, reading] });
  }, {
    onDuplicate: () => show(panel, { level: "warn", title: "The same scan arrived twice",
      lines: ["Turn off the second output (intent or keystroke) in the scanner profile; Wardstock counts it once anyway."] }),
  });
}
