// Return to vendor (storekeeper): scan recalled or damaged boxes → a return to the vendor whose
// receipt brought each lot in, found by the server.
import { runDisposal } from "./disposal.js";

runDisposal({ name: "vendor-return", kind: "vendor_return", where: "source", words: { done: "returned to the vendor", title: "Return saved on this handheld" } });
