// Return to vendor (storekeeper): scan recalled or damaged boxes → a return to the vendor whose
// receipt brought each lot in, found by the server.
import { runDisposal } from "./disposal.js";
import { nt, t } from "./i18n.js";

runDisposal({
  name: "vendor-return", kind: "vendor_return", where: "source",
  words: {
    summary: ({ count, ...values }) => nt("%(count)s item returned to the vendor from %(location)s (%(reason)s): %(products)s",
      "%(count)s items returned to the vendor from %(location)s (%(reason)s): %(products)s", count, values),
    title: t("Return saved on this handheld"),
  },
});
