import { createStore } from '../lib/store';
import { isFinished, type UploadEntry } from '../lib/upload-progress';

/**
 * The files being imported and how each fared, kept outside the page so an import goes on (and its results stay)
 * while the user browses elsewhere. Each file goes up in its own `POST /api/v1/library/import` request (multipart,
 * one part) through XMLHttpRequest, whose upload events give per-file progress; two at a time.
 */
export const imports = createStore<UploadEntry[]>([]);

const CONCURRENCY = 2;
const files = new Map<number, File>();
let nextId = 1;
let running = 0;

function update(id: number, change: Partial<UploadEntry>): void {
  imports.set((list) => list.map((entry) => (entry.id === id ? { ...entry, ...change } : entry)));
}

interface ImportAnswer {
  items?: { fileName: string; result: 'added' | 'duplicate' | 'rejected'; trackId: string | null; reason: string | null }[];
  error?: { message?: string };
}

function upload(id: number, file: File): Promise<void> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/library/import');
    xhr.withCredentials = true;
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => update(id, { sent: event.loaded });
    // Sent: the server now reads tags, hashes and files the track.
    xhr.upload.onload = () => update(id, { sent: file.size, phase: 'processing' });
    xhr.onload = () => {
      const body = xhr.response as ImportAnswer | null;
      const item = body?.items?.[0];
      if (xhr.status === 200 && item) update(id, { phase: item.result, reason: item.reason, trackId: item.trackId });
      else update(id, { phase: 'failed', reason: body?.error?.message ?? `the server answered ${xhr.status}` });
      resolve();
    };
    xhr.onerror = () => {
      update(id, { phase: 'failed', reason: 'the connection dropped' });
      resolve();
    };
    const form = new FormData();
    form.append('file', file, file.name);
    update(id, { phase: 'uploading', sent: 0 });
    xhr.send(form);
  });
}

function pump(): void {
  while (running < CONCURRENCY) {
    const next = imports.get().find((entry) => entry.phase === 'waiting' && files.has(entry.id));
    if (!next) return;
    const file = files.get(next.id)!;
    files.delete(next.id);
    running += 1;
    void upload(next.id, file).finally(() => {
      running -= 1;
      pump();
    });
  }
}

/** Queues files for import; they start at once, two at a time. */
export function importFiles(list: Iterable<File>): void {
  const added: UploadEntry[] = [];
  for (const file of list) {
    const id = nextId++;
    files.set(id, file);
    added.push({ id, name: file.name, size: file.size, sent: 0, phase: 'waiting', reason: null, trackId: null });
  }
  if (!added.length) return;
  imports.set((current) => [...current, ...added]);
  pump();
}

/** Forgets finished files (the list keeps those still going). */
export function clearFinishedImports(): void {
  imports.set((list) => list.filter((entry) => !isFinished(entry)));
}
