// What the user sees, hears and feels after each scan: a large colour-coded result, a tone and a
// vibration (ok / warn / error). The time from the scan to the painted result is measured with the
// Performance API ("scan-to-feedback"), which tests/bench/bench_pwa.py reads.
let audio = null;

function unlockAudio() {
  if (audio || !globalThis.AudioContext) return;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}
// Browsers only start sound after a gesture; a key from the scanner or a tap counts.
for (const type of ["pointerdown", "keydown"]) addEventListener(type, unlockAudio, { once: true, capture: true });

const TONES = {
  ok: [[1046, 0.09]],
  warn: [[784, 0.09], [0, 0.05], [784, 0.09]],
  error: [[220, 0.18], [0, 0.06], [196, 0.28]],
};
const VIBRATIONS = { ok: [40], warn: [60, 60, 60], error: [200, 80, 200] };

export function tone(level) {
  if (!audio) return;
  let at = audio.currentTime;
  for (const [frequency, seconds] of TONES[level] || TONES.ok) {
    if (frequency) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = level === "error" ? "square" : "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + seconds);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + seconds);
    }
    at += seconds;
  }
}

export function vibrate(level) {
  try {
    navigator.vibrate?.(VIBRATIONS[level] || VIBRATIONS.ok);
  } catch {
    /* not allowed before a gesture */
  }
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Show a result in the panel. `result`: {level: ok|warn|error|idle, title, big?, lines?: [..], hint?, actions?: [Node]}.
 * Returns when the panel is painted; measures scan-to-feedback when a scan started it.
 */
export function show(panel, result, { sound = true } = {}) {
  const level = result.level || "idle";
  panel.className = `result result-${level}`;
  const parts = [
    el("p", { class: "result-title" }, result.title || ""),
    result.big ? el("p", { class: "result-big" }, result.big) : null,
    // The decision buttons come right under the product, before the explanation: on a small screen
    // the pinned top may cut the end of a long result, never the button it asks for.
    result.actions ? el("div", { class: "result-actions" }, result.actions) : null,
    ...(result.lines || []).filter(Boolean).map((line) => el("p", { class: "result-line" }, line)),
    result.hint ? el("p", { class: "result-hint" }, result.hint) : null,
  ];
  panel.replaceChildren(...parts.filter(Boolean));
  panel.dataset.level = level;
  if (sound && level !== "idle") {
    tone(level);
    vibrate(level);
  }
  requestAnimationFrame(() => {
    if (performance.getEntriesByName("scan-received", "mark").length) {
      performance.mark("feedback-shown");
      performance.measure("scan-to-feedback", "scan-received", "feedback-shown");
      performance.clearMarks("scan-received");
    }
  });
}
