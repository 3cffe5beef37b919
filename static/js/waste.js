// Waste (every stock role; nurses in their wards): scan → quantity → reason → an Odoo scrap in the
// scanned lot, with the reason. Expired and recalled lots are taken: wasting them is the point.
import { runDisposal } from "./disposal.js";

runDisposal({ name: "waste", kind: "scrap", where: "location", words: { done: "wasted", title: "Waste saved on this handheld" } });
