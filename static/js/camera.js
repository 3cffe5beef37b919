// Camera scanning: the browser's own BarcodeDetector where it reads DataMatrix (Android Chrome),
// else the barcode-detector polyfill (zxing-wasm) with its wasm served by us and precached by the
// service worker, never fetched from a CDN. Both give the symbol's exact text ("plain" text mode,
// so GS stays \x1d); gs1.js's cameraRaw adds the symbology identifier the decoder does not give.
import { cameraRaw } from "./gs1.js";
import { t } from "./i18n.js";

const FORMATS = ["data_matrix", "qr_code", "code_128", "ean_13", "ean_8", "upc_a", "upc_e", "itf", "databar", "databar_expanded"];
export const WASM_URL = "/static/vendor/zxing_reader.wasm";
const EVERY_MS = 120;
const SAME_CODE_MS = 2000;
let session = null;

/** A detector for the formats on medical labels: native when it can read DataMatrix, else the polyfill. */
export async function makeDetector({ preferNative = true } = {}) {
  if (preferNative && "BarcodeDetector" in globalThis) {
    try {
      const supported = await globalThis.BarcodeDetector.getSupportedFormats();
      if (supported.includes("data_matrix")) {
        return { detector: new globalThis.BarcodeDetector({ formats: FORMATS.filter((f) => supported.includes(f)) }), native: true };
      }
    } catch {
      /* fall through to the polyfill */
    }
  }
  const { BarcodeDetector, setZXingModuleOverrides } = await import("../vendor/barcode-detector/ponyfill.js");
  setZXingModuleOverrides({ locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path) });
  const supported = await BarcodeDetector.getSupportedFormats();
  return { detector: new BarcodeDetector({ formats: FORMATS.filter((f) => supported.includes(f)) }), native: false };
}

/** Codes in an image, video frame or bitmap, as the raw text a handheld would type. */
export async function detect(detector, source) {
  const codes = await detector.detect(source);
  return codes.map((code) => ({ raw: cameraRaw(code.format, code.rawValue), format: code.format, text: code.rawValue }));
}

export async function startCamera(container, onRead) {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error(t("This browser cannot open the camera here (it needs HTTPS and permission)."));
  }
  stopCamera();
  const { detector, native } = await makeDetector();
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
  });
  const video = container.querySelector("video");
  video.srcObject = stream;
  container.hidden = false;
  container.dataset.engine = native ? "native" : "polyfill";
  await video.play();
  const state = { stream, video, container, stopped: false, last: { raw: "", at: 0 } };
  session = state;
  const loop = async () => {
    if (state.stopped) return;
    try {
      if (video.readyState >= 2) {
        const [first] = await detect(detector, video);
        const now = performance.now();
        if (first && (first.raw !== state.last.raw || now - state.last.at > SAME_CODE_MS)) {
          state.last = { raw: first.raw, at: now };
          navigator.vibrate?.(30);
          onRead(first);
        }
      }
    } catch (error) {
      console.warn("camera detection", error);
    }
    setTimeout(loop, EVERY_MS);
  };
  loop();
  return native ? "native" : "polyfill";
}

export function stopCamera() {
  if (!session) return;
  session.stopped = true;
  for (const track of session.stream.getTracks()) track.stop();
  session.video.srcObject = null;
  session.container.hidden = true;
  session = null;
}
