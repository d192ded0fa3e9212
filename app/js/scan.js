// Reading a specimen label's QR code with the camera, where the browser has BarcodeDetector (Chrome on Android and
// ChromeOS, Safari on recent iPadOS). The frames never leave the page; only the decoded text is returned.

let active = null;

export function scanSupported() {
  return "BarcodeDetector" in window && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

/** Shows the back camera in <video id=videoId> and resolves with the first QR code's text. Rejects with the
 * DOMException name (NotAllowedError: permission refused, NotFoundError: no camera, …) or "stopped". */
export async function scanStart(videoId) {
  scanStop();
  const video = document.getElementById(videoId);
  if (!video) throw "NotFoundError";
  let detector;
  try {
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch (e) {
    throw "NotSupportedError";
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    throw e && e.name ? e.name : String(e);
  }
  const me = { stream, video, stopped: false, reject: null };
  active = me;
  video.muted = true;
  video.setAttribute("playsinline", "");
  video.srcObject = stream;
  await video.play().catch(() => {});
  return new Promise((resolve, reject) => {
    me.reject = reject;
    const tick = async () => {
      if (me.stopped) return;
      try {
        if (video.readyState >= 2) {
          const found = (await detector.detect(video)).find((c) => c.rawValue);
          if (found && !me.stopped) {
            me.reject = null;
            resolve(found.rawValue);
            scanStop();
            return;
          }
        }
      } catch {
        // a frame that could not be read: try the next one
      }
      setTimeout(tick, 150);
    };
    tick();
  });
}

/** Stops the camera (the pending scan rejects with "stopped"). */
export function scanStop() {
  const a = active;
  active = null;
  if (!a) return;
  a.stopped = true;
  for (const t of a.stream.getTracks()) t.stop();
  a.video.srcObject = null;
  if (a.reject) a.reject("stopped");
}
