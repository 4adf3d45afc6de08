// A small HTTP server on 127.0.0.1 for the fetch tests: serves in-memory files and files under a folder with
// Range support, and can cut a connection after N bytes, answer with an error, redirect, or never answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** In-memory files by URL path (e.g. `/files/a.bin`). */
  files: Map<string, Buffer>;
  /** URL path prefix -> folder served under it (e.g. `/shared/` -> ../shared/data). */
  folders: Map<string, string>;
  /** URL path -> bytes to send before closing the connection, for the next request of that path only. */
  cutAfter: Map<string, number>;
  /** URL path -> HTTP status to answer with. */
  statuses: Map<string, number>;
  /** URL path -> where to redirect (302). */
  redirects: Map<string, string>;
  /** URL paths whose requests get no answer at all. */
  silent: Set<string>;
  /** Every request: its path and Range header. */
  log: { path: string; range?: string }[];
  close(): Promise<void>;
}

export async function startLocalServer(): Promise<LocalServer> {
  const state = {
    files: new Map<string, Buffer>(),
    folders: new Map<string, string>(),
    cutAfter: new Map<string, number>(),
    statuses: new Map<string, number>(),
    redirects: new Map<string, string>(),
    silent: new Set<string>(),
    log: [] as { path: string; range?: string }[],
  };
  const body = (path: string): Buffer | undefined => {
    const inMemory = state.files.get(path);
    if (inMemory) return inMemory;
    for (const [prefix, folder] of state.folders) {
      if (!path.startsWith(prefix)) continue;
      const file = join(folder, normalize(decodeURIComponent(path.slice(prefix.length))));
      if (file.startsWith(folder) && existsSync(file) && statSync(file).isFile()) return readFileSync(file);
    }
    return undefined;
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.log.push({ path, range: req.headers.range });
    if (state.silent.has(path)) return; // the client's timeout has to end this
    const status = state.statuses.get(path);
    if (status) {
      res.writeHead(status).end('error page');
      return;
    }
    const to = state.redirects.get(path);
    if (to) {
      res.writeHead(302, { location: to }).end();
      return;
    }
    const data = body(path);
    if (!data) {
      res.writeHead(404).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= data.length && range) {
      res.writeHead(416, { 'content-range': `bytes */${data.length}` }).end();
      return;
    }
    const slice = data.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': slice.length,
      ...(range ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    const cut = state.cutAfter.get(path);
    if (cut !== undefined) {
      state.cutAfter.delete(path);
      res.write(slice.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    res.end(slice);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...state,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
