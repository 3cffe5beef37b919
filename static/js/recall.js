// The recall form: a label scanned into its scan field fills in the GTIN and adds the lot, read on
// this page by the same GS1 reader as the handhelds (gs1.js).
import { DEFAULT_CONFIG, interpret } from "./gs1.js";
import { t } from "./i18n.js";
import { gsReplacements } from "./scanner-settings.js";

const scanField = document.getElementById("recall-scan");
const said = document.getElementById("recall-scan-result");

scanField?.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  event.preventDefault();
  const raw = scanField.value.trim();
  scanField.value = "";
  if (!raw) return;
  try {
    const scan = interpret(raw, { ...DEFAULT_CONFIG, gs_replacements: gsReplacements(DEFAULT_CONFIG.gs_replacements) });
    if (!scan.gtin) throw new Error(t("This label carries no GTIN (01)."));
    document.getElementById("gtin").value = scan.gtin;
    const lots = document.getElementById("lots");
    const named = lots.value.split(/[\s,;]+/).filter(Boolean);
    if (scan.lot && !named.includes(scan.lot)) lots.value = [...named, scan.lot].join("\n");
    said.textContent = scan.lot ? t("Read GTIN %(gtin)s, lot %(lot)s.", { gtin: scan.gtin, lot: scan.lot })
      : t("Read GTIN %(gtin)s (no lot on this label).", { gtin: scan.gtin });
  } catch (error) {
    said.textContent = t("Not read: %(why)s", { why: error.message || String(error) });
  }
});
