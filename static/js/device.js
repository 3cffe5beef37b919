// Who is logged in on this page (from the body's data- attributes, never inline script) and the
// device's registration: POST /api/v1/devices once per user while logged in, token kept in IndexedDB.
import { getMeta, setMeta } from "./db.js";
import * as outbox from "./outbox.js";

export function currentUser() {
  const data = document.body.dataset;
  if (!data.userId) return null;
  return {
    id: Number(data.userId),
    name: data.userName || "",
    role: data.userRole || "",
    wards: (data.userWards || "").split(" ").filter(Boolean),
  };
}

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

/**
 * Make sure the device has a token and that `user` is linked to it (a command is accepted only
 * from users who logged in on the device). Registering again links the new user; the token changes.
 */
export async function ensureRegistered(user, { force = false } = {}) {
  if (!user || !navigator.onLine) return false;
  const me = await outbox.device();
  if (!force && me.token && me.linked_users.includes(user.id)) return true;
  let response;
  try {
    response = await fetch("/api/v1/devices", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device_id: me.device_id, name: navigator.userAgent.slice(0, 120) }),
    });
  } catch {
    return false;
  }
  if (response.status !== 201) return false;
  const { token, user_id: userId } = await response.json();
  await outbox.updateDevice({ token, linked_users: [...new Set([...me.linked_users, userId])] });
  const sync = await getMeta("sync", {});
  await setMeta("sync", { ...sync, needs_login: false, last_error: "" });
  return true;
}
