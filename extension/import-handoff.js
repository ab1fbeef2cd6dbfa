// Linkflow import hand-off: the file to import (a File, which is a Blob) goes from the popup
// to the worker over a BroadcastChannel, not in the runtime message. Chrome serialises
// runtime messages as JSON and refuses one over 64 MiB, and a 1M-link export is ~250 MB of
// text; a Blob posted on a channel crosses by reference, and the worker reads its bytes
// straight into a Uint8Array (no JS string of the whole file on either side). Only pages of
// our own extension origin can use the channel. The worker asks for the file once it has
// the request, so a worker woken by the request still gets it. Nothing is stored.
//
//   popup:  const offer = offerImport(id, file); await send({type: "import", origin, id});
//           offer.close() (also when the request failed)
//   worker: const blob = await takeImport(id)

const CHANNEL = "linkflow-import";

/**
 * Answers the worker's request for the file of request `id` (call it before sending the
 * request). Returns {close()}.
 */
export function offerImport(id, file) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (ev) => {
    const d = ev.data;
    if (d && d.want === id) channel.postMessage({ id, blob: file });
  };
  return { close: () => channel.close() };
}

/** The file of request `id`, asked for on the channel; rejects after `ms` without it. */
export function takeImport(id, ms = 15000) {
  const channel = new BroadcastChannel(CHANNEL);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(new Error("the file did not reach Linkflow (was the window that sent it closed?); try the import again"));
    }, ms);
    channel.onmessage = (ev) => {
      const d = ev.data;
      if (d && d.id === id && d.blob instanceof Blob) {
        clearTimeout(timer);
        channel.close();
        resolve(d.blob);
      }
    };
    channel.postMessage({ want: id });
  });
}
