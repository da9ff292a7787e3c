/**
 * Progress of an import of several files, each uploaded by its own request: per-file state as the UI shows it and
 * the overall figure for the progress bar, weighted by bytes so one large file is not "half done" when a tiny one is.
 */

export type UploadPhase = 'waiting' | 'uploading' | 'processing' | 'added' | 'duplicate' | 'rejected' | 'failed';

export interface UploadEntry {
  id: number;
  name: string;
  /** File size, bytes. */
  size: number;
  /** Bytes sent so far. */
  sent: number;
  phase: UploadPhase;
  /** Why a file was rejected or failed, in the server's words. */
  reason: string | null;
  trackId: string | null;
}

const FINISHED: ReadonlySet<UploadPhase> = new Set(['added', 'duplicate', 'rejected', 'failed']);

export function isFinished(entry: UploadEntry): boolean {
  return FINISHED.has(entry.phase);
}

/** Overall progress 0–1 by bytes (finished files count whole), and counts per result for the summary line. */
export function summarize(entries: readonly UploadEntry[]): {
  fraction: number;
  done: number;
  total: number;
  added: number;
  duplicate: number;
  rejected: number;
} {
  let bytes = 0;
  let sent = 0;
  const counts = { added: 0, duplicate: 0, rejected: 0 };
  for (const entry of entries) {
    // An empty file still counts as one byte, so a batch of empty files moves the bar too.
    const size = Math.max(1, entry.size);
    bytes += size;
    sent += isFinished(entry) ? size : Math.min(size, Math.max(0, entry.sent));
    if (entry.phase === 'added') counts.added += 1;
    else if (entry.phase === 'duplicate') counts.duplicate += 1;
    else if (entry.phase === 'rejected' || entry.phase === 'failed') counts.rejected += 1;
  }
  return {
    fraction: bytes ? sent / bytes : 0,
    done: entries.filter(isFinished).length,
    total: entries.length,
    ...counts,
  };
}

/** Percent (0–100, whole) of one file: sent bytes while uploading, 100 once the server has it. */
export function filePercent(entry: UploadEntry): number {
  if (entry.phase === 'waiting') return 0;
  if (entry.phase !== 'uploading') return 100;
  return entry.size > 0 ? Math.min(100, Math.floor((entry.sent / entry.size) * 100)) : 0;
}

/** The line shown under a file's name. */
export function phaseLabel(entry: UploadEntry): string {
  switch (entry.phase) {
    case 'waiting':
      return 'Waiting';
    case 'uploading':
      return `Uploading ${filePercent(entry)}%`;
    case 'processing':
      return 'Reading tags…';
    case 'added':
      return 'Added to your library';
    case 'duplicate':
      return 'Already in your library';
    case 'rejected':
      return `Rejected: ${entry.reason ?? 'not a playable audio file'}`;
    case 'failed':
      return `Failed: ${entry.reason ?? 'the upload did not finish'}`;
  }
}
