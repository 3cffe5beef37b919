// Waste (every stock role; nurses in their wards): scan → quantity → reason → an Odoo scrap in the
// scanned lot, with the reason. Expired and recalled lots are taken: wasting them is the point.
import { runDisposal } from "./disposal.js";
import { nt, t } from "./i18n.js";

runDisposal({
  name: "waste", kind: "scrap", where: "location",
  words: {
    summary: ({ count, ...values }) => nt("%(count)s item wasted from %(location)s (%(reason)s): %(products)s",
      "%(count)s items wasted from %(location)s (%(reason)s): %(products)s", count, values),
    title: t("Waste saved on this handheld"),
  },
});
