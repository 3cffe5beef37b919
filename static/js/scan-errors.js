// The one family of errors a scan can end in (the same classes as scanners/scan.py): each message says what was
// read, what was expected and what was found, in sentences a storekeeper can act on.
import { t } from "./i18n.js";

export const GS = "\x1d";

export function shown(text) {
  const visible = String(text).replaceAll(GS, "<GS>").replaceAll("\x1e", "<RS>").replaceAll("\x04", "<EOT>");
  return `'${visible.length > 80 ? visible.slice(0, 77) + "..." : visible}'`;
}

export class ScanError extends Error {
  constructor(read, expected, found, hint = "") {
    const sentence = t("Read %(read)s: expected %(expected)s, but found %(found)s.", { read: shown(read), expected, found });
    super(hint ? `${sentence} ${hint}` : sentence);
    Object.assign(this, { read, expected, found, hint });
    this.name = new.target.name;
  }
}
export class UnrecognizedCode extends ScanError {}
export class InvalidGS1 extends ScanError {}
export class AmbiguousCode extends ScanError {}
export class CheckDigitError extends ScanError {}
export class InvalidHIBC extends ScanError {}
