// The scanner check: scan the test label and learn whether this scanner sends GS (or a
// replacement Wardstock accepts), an AIM symbology prefix, and which key ends a scan. That key is
// stored on the handheld (scanner-settings.js): on the workflows only it ends a scan. Here, and
// only here, the text is known in advance, so a whole test label that sits in the field without
// an end is recognised as "this scanner sends no Enter".
import { show } from "./feedback.js";
import { formatDate, t } from "./i18n.js";
import { DEFAULT_CONFIG, GS, interpret } from "./gs1.js";
import { attachScanInput } from "./scan-input.js";
import { saveSeparator, saveTerminator, scannerSettings } from "./scanner-settings.js";

const LOT = "TEST-LOT";
const panel = document.getElementById("check-result");
const field = document.getElementById("scan-field");

export function analyse(raw, ended) {
  const findings = [];
  let level = "ok";
  const prefix = /^\][A-Za-z][0-9A-Za-z]/.exec(raw)?.[0];
  findings.push(prefix ? t("Symbology prefix %(prefix)s received: good.", { prefix }) : t("No symbology prefix: it works; AIM prefixes are better (DataMatrix and Code 128 can be told apart)."));
  const afterLot = raw.slice(raw.indexOf(LOT) + LOT.length, raw.indexOf("21SN42") >= 0 ? raw.indexOf("21SN42") : undefined);
  let separator = null; // what this scanner sends for GS, when Wardstock can use it
  if (!raw.includes(LOT)) {
    level = "error";
    findings.push(t("This is not the test label: scan the label on this page."));
  } else if (afterLot === GS) {
    separator = GS;
    findings.push(t("Separators: GS arrives as the real control character: good."));
  } else if (DEFAULT_CONFIG.gs_replacements.includes(afterLot) && afterLot) {
    separator = afterLot;
    findings.push(t("Separators: GS arrives as '%(text)s', which Wardstock accepts: good.", { text: afterLot }));
  } else if (afterLot === "") {
    level = "error";
    separator = "";
    findings.push(t("Separators: MISSING. Your scanner drops GS, so lot and serial run together; set it to send GS as '~' (see below)."));
  } else {
    level = "error";
    findings.push(t("Separators: GS arrives as '%(text)s', which Wardstock does not know; set it to send '~' or '|'.", { text: afterLot }));
  }
  if (ended === "none") {
    level = "error";
    findings.push(t("End of scan: NONE. Your scanner sends no Enter after a scan, so Wardstock cannot tell where a scan ends; the workflows take no scan until you add Enter as its suffix (see below)."));
  } else {
    findings.push(ended === "tab" ? t("End of scan: Tab: good. This handheld now ends scans only at Tab.") : t("End of scan: Enter: good. This handheld now ends scans only at Enter."));
  }
  let reading = "";
  try {
    const scan = interpret(raw);
    reading = t("Read: GTIN %(gtin)s, lot %(lot)s, serial %(serial)s, expiry %(date)s.", { gtin: scan.gtin, lot: scan.lot, serial: scan.serial, date: formatDate(scan.expiry) });
  } catch (error) {
    level = "error";
    reading = error.message;
  }
  return { level, findings, reading, separator };
}

const SETTING_TEXT = { enter: () => t("Enter"), tab: () => t("Tab"), none: () => t("none: scans cannot be taken") };

function showSetting() {
  const node = document.getElementById("terminator-setting");
  if (node) node.textContent = SETTING_TEXT[scannerSettings().terminator]?.() || t("not checked yet (Enter or Tab)");
}

function report(raw, ended) {
  const { level, findings, reading, separator } = analyse(raw, ended);
  if (raw.includes(LOT) && ["enter", "tab", "none"].includes(ended)) saveTerminator(ended);
  if (separator !== null) saveSeparator(separator);
  showSetting();
  show(panel, { level, title: level === "ok" ? t("Your scanner is set up right") : t("Your scanner needs a setting changed"), lines: [...findings, reading] });
}

if (panel && field) {
  showSetting();
  attachScanInput(field, (raw, { ended }) => report(raw, ended), {
    ends: () => true, // learn which key this scanner sends
    onWaiting: (text) => {
      // The whole test label arrived and no end followed: this scanner sends none.
      if (text && /SN42$/.test(text)) {
        field.value = "";
        report(text, "none");
      }
    },
    onDuplicate: () => show(panel, { level: "warn", title: t("The same scan arrived twice"),
      lines: [t("Turn off the second output (intent or keystroke) in the scanner profile; Wardstock drops the echo anyway.")] }),
  });
}
