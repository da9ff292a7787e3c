/**
 * A counting (and optionally throttling) HTTP proxy between the sync client and the server, so end-to-end tests can
 * see how many body bytes each path was served and slow downloads down enough to kill the server in the middle of
 * one. While the server is down it answers 502, as a reverse proxy would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  url: string;
  /** Response body bytes written to clients, per request path (query string excluded). */
  served: Map<string, number>;
  /** Every request: method, path, `Range` header and the status answered. */
  requests: { method: string; path: string; range: string | undefined; status: number }[];
  /** Limits download bodies (`…/download`) to this many bytes per second; null = unthrottled. */
  throttle(bytesPerSecond: number | null): void;
  /**
   * Breaks every response in flight, as the connections of a killed server break. (Without it the proxy would go on
   * relaying what the dead server had already written into socket buffers: megabytes on loopback.)
   */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: () => number): Promise<CountingProxy> {
  const served = new Map<string, number>();
  const requests: CountingProxy['requests'] = [];
  let rate: number | null = null;
  const inFlight = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const pathOnly = (req.url ?? '/').split('?')[0]!;
    const entry = { method: req.method ?? 'GET', path: pathOnly, range: req.headers.range, status: 0 };
    requests.push(entry);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    const upstream = http.request({ host: '127.0.0.1', port: targetPort(), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const throttled = pathOnly.endsWith('/download');
      answer.on('data', (chunk: Buffer) => {
        served.set(pathOnly, (served.get(pathOnly) ?? 0) + chunk.length);
        const flowing = res.write(chunk);
        if ((throttled && rate !== null) || !flowing) {
          answer.pause();
          const wait = throttled && rate !== null ? new Promise((resolve) => setTimeout(resolve, (chunk.length / rate!) * 1000)) : Promise.resolve();
          const drained = flowing ? Promise.resolve() : new Promise((resolve) => res.once('drain', resolve));
          void Promise.all([wait, drained]).then(() => answer.resume());
        }
      });
      answer.on('end', () => res.end());
      answer.on('aborted', () => res.destroy());
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => {
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      } else {
        res.destroy();
      }
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    requests,
    throttle(bytesPerSecond) {
      rate = bytesPerSecond;
    },
    cutAll() {
      for (const res of inFlight) res.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
