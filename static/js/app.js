// Page behaviour that needs no server round trip. No inline script anywhere: the CSP forbids it.
"use strict";

// Keep the scan field focused so a keyboard-wedge scanner always has somewhere to type.
document.addEventListener("DOMContentLoaded", () => {
  const autofocus = document.querySelector("[autofocus]");
  if (autofocus) autofocus.focus();
});
