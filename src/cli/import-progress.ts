import { createReadStream, statSync } from 'node:fs';

/** Counts of an upload in progress. */
export interface UploadProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
  startedAt: number;
}

/**
 * A file as a web ReadableStream that counts bytes and newlines as the server consumes it.
 * The upload is streamed with backpressure, so "sent" tracks what the server has parsed —
 * the rate and ETA are the import's, not just the network's.
 */
export function countingFileStream(path: string, progress: UploadProgress): ReadableStream<Uint8Array> {
  progress.totalBytes = statSync(path).size;
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  const chunks = file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) {
        controller.close();
        return;
      }
      progress.bytes += next.value.length;
      for (const byte of next.value) if (byte === 10) progress.rows++;
      controller.enqueue(new Uint8Array(next.value));
    },
    cancel() {
      file.destroy();
    },
  });
}

/** One progress line: rows, rows/s, percent and ETA. */
export function progressLine(p: UploadProgress, now = Date.now()): string {
  const seconds = Math.max((now - p.startedAt) / 1000, 0.001);
  const rate = p.rows / seconds;
  const fraction = p.totalBytes > 0 ? p.bytes / p.totalBytes : 1;
  const eta = fraction > 0 && fraction < 1 ? (seconds / fraction) * (1 - fraction) : 0;
  return `${p.rows} rows  ${Math.round(rate)} rows/s  ${Math.round(fraction * 100)}%  ETA ${eta.toFixed(1)} s`;
}

/** Redraws the progress line on stderr every 200 ms until stopped (only when asked: a TTY). */
export function showProgress(progress: UploadProgress, enabled: boolean): () => void {
  if (!enabled) return () => {};
  const draw = () => process.stderr.write(`\r\x1b[2K${progressLine(progress)}`);
  const timer = setInterval(draw, 200);
  return () => {
    clearInterval(timer);
    draw();
    process.stderr.write('\n');
  };
}
