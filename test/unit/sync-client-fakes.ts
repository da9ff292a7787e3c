/**
 * Fakes for the sync client's adapters: an in-memory file system and an in-memory server speaking the sync protocol
 * (bootstrap pages, a change log with compaction, Range downloads) whose faults a test switches on.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FetchLike } from '../../src/sync-client/api-client.js';
import type { SyncFileSystem } from '../../src/sync-client/file-system.js';

export const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export function memoryFileSystem() {
  const files = new Map<string, { data: Buffer; mtimeMs: number }>();
  let tick = 1_000;
  const fs: SyncFileSystem = {
    async readText(file) {
      return files.get(file)?.data.toString('utf8') ?? null;
    },
    async writeAtomic(file, text) {
      files.set(file, { data: Buffer.from(text), mtimeMs: (tick += 1) });
    },
    async stat(file) {
      const entry = files.get(file);
      return entry ? { size: entry.data.length, mtimeMs: entry.mtimeMs } : null;
    },
    async *read(file) {
      const entry = files.get(file);
      if (!entry) throw Object.assign(new Error(`ENOENT ${file}`), { code: 'ENOENT' });
      for (let i = 0; i < entry.data.length; i += 1000) yield entry.data.subarray(i, i + 1000);
    },
    async openAppend(file, truncate) {
      const entry = files.get(file);
      const chunks: Buffer[] = truncate || !entry ? [] : [entry.data];
      files.set(file, { data: Buffer.concat(chunks), mtimeMs: (tick += 1) });
      return {
        async write(chunk) {
          chunks.push(Buffer.from(chunk));
          files.set(file, { data: Buffer.concat(chunks), mtimeMs: (tick += 1) });
        },
        async close() {},
      };
    },
    async rename(from, to) {
      const entry = files.get(from);
      if (!entry) throw Object.assign(new Error(`ENOENT ${from}`), { code: 'ENOENT' });
      files.delete(from);
      files.set(to, entry);
    },
    async remove(file) {
      files.delete(file);
    },
    async removeEmptyFolders() {},
  };
  return {
    fs,
    files,
    /** Writes a file as a user would (new mtime). */
    put(file: string, data: Buffer) {
      files.set(file, { data, mtimeMs: (tick += 1) });
    },
    /** Files under `dir` other than the client's own folder, relative, sorted. */
    mirrored(dir: string): Record<string, Buffer> {
      const out: Record<string, Buffer> = {};
      for (const [file, entry] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
        const rel = path.relative(dir, file);
        if (!rel.startsWith('..') && !rel.startsWith('.omnisonic-sync')) out[rel.split(path.sep).join('/')] = entry.data;
      }
      return out;
    },
  };
}

interface FakeTrack {
  fileName: string;
  bytes: Buffer;
  hashed: boolean;
}

/** An in-memory server: `fetch` answers `/api/v1/sync/*` and `/api/v1/tracks/{id}/download` like the contract says. */
export function fakeServer() {
  const tracks = new Map<string, FakeTrack>();
  const log: { seq: number; id: string }[] = [];
  let seq = 0;
  let compactedSeq = 0;
  const requests: { method: string; url: URL; headers: Record<string, string> }[] = [];
  const served = new Map<string, number>();
  const faults = {
    /** Requests that fail with a network error before any answer. */
    unreachable: 0,
    /** Download bodies that break after this many bytes (then the fault clears). */
    breakDownloadAfter: null as number | null,
    /** Track ids whose next downloads serve flipped bytes, how many times. */
    corrupt: new Map<string, number>(),
  };
  const acked: string[] = [];

  function record(id: string) {
    const track = tracks.get(id);
    if (!track) return { type: 'track', id, op: 'delete' };
    return {
      type: 'track',
      id,
      op: 'upsert',
      data: { id, title: id, fileName: track.fileName, size: track.bytes.length, sha256: track.hashed ? sha(track.bytes) : null },
    };
  }
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  function download(id: string, headers: Record<string, string>): Response {
    const track = tracks.get(id);
    if (!track) return json(404, { error: { code: 'track_not_found', message: 'no' } });
    let bytes = track.bytes;
    const left = faults.corrupt.get(id) ?? 0;
    if (left > 0) {
      faults.corrupt.set(id, left - 1);
      bytes = Buffer.from(bytes.map((b) => b ^ 0xff));
    }
    const range = /^bytes=(\d+)-$/.exec(headers.range ?? '');
    const ifRange = headers['if-range'];
    let start = 0;
    let status = 200;
    if (range && (!ifRange || ifRange === `"${sha(track.bytes)}"`)) {
      start = Number(range[1]);
      if (start >= bytes.length) return new Response(null, { status: 416, headers: { 'content-range': `bytes */${bytes.length}` } });
      status = 206;
    }
    const body = bytes.subarray(start);
    const cut = faults.breakDownloadAfter;
    faults.breakDownloadAfter = null;
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= body.length) return controller.close();
        if (cut !== null && at >= cut) return controller.error(new TypeError('terminated'));
        const chunk = body.subarray(at, Math.min(at + 512, body.length));
        at += chunk.length;
        served.set(id, (served.get(id) ?? 0) + chunk.length);
        controller.enqueue(new Uint8Array(chunk));
      },
    });
    const headersOut: Record<string, string> = { etag: `"${sha(track.bytes)}"` };
    if (status === 206) headersOut['content-range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    return new Response(stream, { status, headers: headersOut });
  }

  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    requests.push({ method: init.method ?? 'GET', url, headers });
    if (faults.unreachable > 0) {
      faults.unreachable -= 1;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    }
    if (headers.authorization !== 'Bearer omd_test') return json(401, { error: { code: 'unauthorized', message: 'no' } });
    const limit = Number(url.searchParams.get('limit') ?? 500);
    const cursor = url.searchParams.get('cursor');
    if (url.pathname === '/api/v1/sync/bootstrap') {
      const ids = [...tracks.keys()].sort();
      const offset = cursor ? Number(cursor.split(':')[1]) : 0;
      const at = cursor ? Number(cursor.split(':')[2]) : seq;
      if (at < compactedSeq) return json(410, { error: { code: 'cursor_expired', message: 'too old' } });
      const page = ids.slice(offset, offset + limit);
      const next = offset + limit < ids.length ? `b:${offset + limit}:${at}` : null;
      return json(200, { items: page.map(record), nextCursor: next, changesCursor: `c:${at}` });
    }
    if (url.pathname === '/api/v1/sync/changes') {
      const from = Number(cursor!.split(':')[1]);
      if (from < compactedSeq) return json(410, { error: { code: 'cursor_expired', message: 'too old' } });
      const after = log.filter((e) => e.seq > from);
      const page = after.slice(0, limit);
      const latest = new Map(page.map((e) => [e.id, e.seq]));
      const upTo = page.length ? page[page.length - 1]!.seq : from;
      return json(200, { changes: [...latest.keys()].map(record), nextCursor: `c:${upTo}`, hasMore: after.length > page.length });
    }
    if (url.pathname === '/api/v1/sync/ack') {
      acked.push((JSON.parse(init.body!) as { cursor: string }).cursor);
      return new Response(null, { status: 204 });
    }
    const downloadPath = /^\/api\/v1\/tracks\/([^/]+)\/download$/.exec(url.pathname);
    if (downloadPath) return download(decodeURIComponent(downloadPath[1]!), headers);
    return json(404, { error: { code: 'not_found', message: url.pathname } });
  };

  return {
    fetch,
    requests,
    acked,
    faults,
    /** Body bytes of downloads served per track id. */
    served,
    upsert(id: string, fileName: string, bytes: Buffer, hashed = true) {
      tracks.set(id, { fileName, bytes, hashed });
      log.push({ seq: (seq += 1), id });
    },
    remove(id: string) {
      tracks.delete(id);
      log.push({ seq: (seq += 1), id });
    },
    /** Drops the log up to now: every older cursor answers 410. */
    compact() {
      compactedSeq = seq;
      log.length = 0;
    },
    downloads: () => requests.filter((r) => r.url.pathname.endsWith('/download')),
  };
}
