// Ward replenishment's rules on the handheld, pure (tests/js/replenishment.test.mjs): what is low
// at a ward location, whether a product was already asked for, and which lot the store should pick.
// All from the offline catalog (its par_levels and replenishments) and this handheld's own outbox.
import { FINAL_SERVER } from "./outbox.js";

export const OPEN = "open";

/** A command this handheld still has to see applied: not yet sent, or sent and not settled on the server. */
function stillQueued(command) {
  return command.state === "pending" || (command.state === "sent" && !FINAL_SERVER.has(command.server_status));
}

/**
 * Done on the server, but possibly not in this handheld's catalog yet: done after the catalog the
 * server handed out was made (its version is when the server's copy last changed).
 */
function doneSinceCatalog(command, catalog) {
  if (command.state !== "sent" || command.server_status !== "done") return false;
  const made = Date.parse(catalog.version || "");
  const settled = Date.parse(command.settled_at || "");
  return !(Number.isFinite(made) && Number.isFinite(settled) && made > settled);
}

/** Units of a product consumed at a location (or under it) by commands this handheld has not seen applied yet. */
export function queuedConsumption(catalog, commands, productId, barcode) {
  let total = 0;
  for (const command of commands) {
    if (command.kind !== "consume" || !(stillQueued(command) || doneSinceCatalog(command, catalog))) continue;
    if (!catalog.path(command.payload.location).includes(barcode)) continue;
    for (const line of command.payload.lines || []) {
      if (catalog.product(line.gtin)?.id === productId) total += Number(line.quantity) || 0;
    }
  }
  return total;
}

/** The par level of a product at a location (its barcode), or null. */
export function parLevel(catalog, productId, barcode) {
  const location = catalog.location(barcode);
  if (!location) return null;
  return catalog.parLevels.find((p) => p.product_id === productId && p.location_id === location.id) || null;
}

/** On hand at a location and everything under it, every lot. */
export function onHandUnder(catalog, productId, barcode) {
  const ids = catalog.subtree(barcode);
  return catalog.stock.filter((s) => s.product_id === productId && ids.has(s.location_id)).reduce((sum, s) => sum + s.quantity, 0);
}

/** What a two-bin card asks for: the bin's refill, its par level's maximum − minimum. */
export const cardQuantity = (level) => Math.max(0, level.maximum - level.minimum);

/**
 * When a product was already asked for at a ward location and has not arrived yet: a request
 * queued on this handheld ({how: "queued", at: ISO time}) or a line on the ward's open
 * replenishment transfer in the catalog ({how: "open", reference}); else null.
 */
export function alreadyAsked(catalog, commands, productId, barcode) {
  const queued = commands
    .filter((c) => c.kind === "replenish_request" && c.payload.location === barcode && catalog.product(c.payload.gtin)?.id === productId)
    .filter((c) => stillQueued(c) || doneSinceCatalog(c, catalog))
    .sort((a, b) => a.captured_at.localeCompare(b.captured_at));
  if (queued.length) return { how: "queued", at: queued[0].captured_at, quantity: queued.reduce((sum, c) => sum + c.payload.quantity, 0) };
  const location = catalog.location(barcode);
  const transfer = location && openTransfers(catalog).find((t) => t.destination_id === location.id
    && t.lines.some((line) => line.product_id === productId && line.requested > line.picked));
  if (transfer) return { how: "open", reference: transfer.reference };
  return null;
}

/**
 * Products at or under their minimum at a ward location: on hand (the catalog's, minus consumption
 * still queued on this handheld) and the quantity that brings each back to its maximum.
 */
export function lowAt(catalog, commands, barcode) {
  const location = catalog.location(barcode);
  if (!location) return [];
  return catalog.parLevels
    .filter((level) => level.location_id === location.id)
    .map((level) => {
      const product = catalog.products.get(level.product_id);
      const onHand = onHandUnder(catalog, level.product_id, barcode) - queuedConsumption(catalog, commands, level.product_id, barcode);
      return { product, level, onHand, refill: Math.max(0, level.maximum - onHand), asked: alreadyAsked(catalog, commands, level.product_id, barcode) };
    })
    .filter((row) => row.product && row.onHand <= row.level.minimum)
    .sort((a, b) => a.onHand - a.level.minimum - (b.onHand - b.level.minimum) || a.product.name.localeCompare(b.product.name));
}

export function openTransfers(catalog) {
  return catalog.replenishments.filter((t) => t.state === OPEN);
}

/** Open replenishment transfers grouped by the ward they go to: [{ward, transfers}], wards by barcode. */
export function transfersByWard(catalog) {
  const groups = new Map();
  for (const transfer of openTransfers(catalog)) {
    const ward = catalog.locations.get(transfer.destination_id);
    const key = ward?.barcode || `location ${transfer.destination_id}`;
    if (!groups.has(key)) groups.set(key, { ward: key, name: ward?.name || "", transfers: [] });
    groups.get(key).transfers.push(transfer);
  }
  return [...groups.values()].sort((a, b) => a.ward.localeCompare(b.ward));
}

/**
 * First expiry, first out in the store: the usable lot of the product with stock in the store
 * (`storeBarcode` and under it) that expires first, or null.
 */
export function suggestedLot(catalog, productId, storeBarcode) {
  return catalog.fefo(productId, storeBarcode).find((entry) => entry.here > 0) || null;
}

/** How a picked lot compares with the suggestion: "first", "later" (allowed, amber) or "not_in_store". */
export function pickVerdict(catalog, productId, lotName, storeBarcode) {
  const entries = catalog.fefo(productId, storeBarcode).filter((entry) => entry.here > 0);
  const picked = entries.find((entry) => entry.lot.name === lotName);
  if (!picked) return { verdict: "not_in_store", suggestion: entries[0] || null };
  const first = entries[0];
  const earlier = (first.lot.expiry || "9999") < (picked.lot.expiry || "9999");
  return { verdict: earlier ? "later" : "first", suggestion: first };
}

/** Units of a transfer line still to pick: requested − picked in the backend − picked on this handheld. */
export function stillToPick(line, pickedHere = 0) {
  return Math.max(0, line.requested - line.picked - pickedHere);
}
