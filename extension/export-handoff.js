// Linkflow export hand-off: the export file (a Blob) goes from the worker to the popup over
// a BroadcastChannel, not in the runtime message's answer. Chrome serialises runtime
// messages as JSON and refuses one over 64 MiB, and a 1M-link export is ~250 MB of text;
// a Blob posted on a channel crosses by reference (its bytes are not copied), and only
// pages of our own extension origin can listen. Nothing is stored: a popup closed before
// the file arrives just misses it.
//
//   popup:  const incoming = expectExport(id); await send({type: "export", origin, id});
//           then await incoming.file (posted before the answer; allow for delivery)
//   worker: offerExport(id, blob)

const CHANNEL = "linkflow-export";

/** Posts the export file for the request `id`. */
export function offerExport(id, blob) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ id, blob });
  channel.close();
}

/**
 * Starts listening for the file of request `id` (call it before sending the request).
 * Returns {file: Promise<Blob>, close()}.
 */
export function expectExport(id) {
  const channel = new BroadcastChannel(CHANNEL);
  const file = new Promise((resolve) => {
    channel.onmessage = (ev) => {
      const d = ev.data;
      if (d && d.id === id && d.blob instanceof Blob) {
        channel.close();
        resolve(d.blob);
      }
    };
  });
  return { file, close: () => channel.close() };
}
