/**
 * One HTTP(S) download into a `.part` file, resumable: when the `.part` file already holds bytes, asks for the rest
 * with a Range request and appends (a server that answers 200 instead sends the whole file again, which replaces
 * the part). Follows redirects, gives up on a connection that stays silent for `timeoutMs`, and treats a body
 * shorter than its Content-Length as a cut connection: the bytes received stay in the `.part` file for the next try.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface DownloadOptions {
  /** Milliseconds without any byte (connecting or receiving) before giving up. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Called as bytes arrive: bytes now in the `.part` file, and the full size when the server said it. */
  onBytes?: (received: number, total: number | undefined) => void;
}

/** Why a download failed, in words for a one-line message (the caller adds the data set and URL). */
export class DownloadFailure extends Error {}

/** Downloads `url` into `partPath`, resuming from the bytes already there. Resolves when the body is complete. */
export async function downloadToPart(url: string, partPath: string, options: DownloadOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let redirects = options.maxRedirects ?? 10;
  let current = new URL(url);
  for (;;) {
    const have = existsSync(partPath) ? statSync(partPath).size : 0;
    const response = await request(current, have, timeoutMs);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (redirects-- <= 0) throw new DownloadFailure('too many redirects');
      current = new URL(response.headers.location, current);
      continue;
    }
    if (status === 416 && have > 0) {
      // Nothing after the bytes we have: the part is already whole (the checksum decides).
      response.resume();
      options.onBytes?.(have, have);
      return;
    }
    if (status !== 200 && status !== 206) {
      response.resume();
      throw new DownloadFailure(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
    }
    const append = status === 206 && have > 0;
    const start = append ? have : 0;
    const length = Number(response.headers['content-length']);
    const total =
      Number.isFinite(length) && response.headers['content-length'] !== undefined ? start + length : undefined;
    let received = start;
    options.onBytes?.(received, total);
    // Synchronous writes: every byte received is in the file when a cut connection ends the loop, ready to resume.
    const fd = openSync(partPath, append ? 'a' : 'w');
    try {
      for await (const chunk of response) {
        writeSync(fd, chunk as Buffer);
        received += (chunk as Buffer).length;
        options.onBytes?.(received, total);
      }
    } catch (e) {
      throw new DownloadFailure(
        `connection lost after ${received} bytes (${(e as Error).message}); run again to resume`,
      );
    } finally {
      closeSync(fd);
    }
    if (total !== undefined && received < total)
      throw new DownloadFailure(`connection lost after ${received} of ${total} bytes; run again to resume`);
    return;
  }
}

function request(url: URL, from: number, timeoutMs: number): Promise<http.IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!client) return Promise.reject(new DownloadFailure(`unsupported protocol ${url.protocol}`));
  return new Promise((resolvePromise, reject) => {
    const req = client.get(url, {
      headers: { 'user-agent': 'medattn', ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
    });
    // The socket timeout covers connecting and every silence while the body streams.
    req.setTimeout(timeoutMs, () => req.destroy(new DownloadFailure(`no response for ${timeoutMs / 1000} s`)));
    req.on('response', resolvePromise);
    req.on('error', (e: NodeJS.ErrnoException) =>
      reject(e instanceof DownloadFailure ? e : new DownloadFailure(e.code ? `${e.code} (${e.message})` : e.message)),
    );
  });
}
