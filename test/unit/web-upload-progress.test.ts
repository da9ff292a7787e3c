import { describe, expect, it } from 'vitest';
import { filePercent, phaseLabel, summarize, type UploadEntry } from '../../web/src/lib/upload-progress.js';

const entry = (over: Partial<UploadEntry>): UploadEntry => ({ id: 1, name: 'a.flac', size: 100, sent: 0, phase: 'waiting', reason: null, trackId: null, ...over });

describe('import progress', () => {
  it('weighs the overall bar by bytes, counting finished files whole', () => {
    const summary = summarize([
      entry({ id: 1, size: 900, sent: 450, phase: 'uploading' }),
      entry({ id: 2, size: 100, sent: 0, phase: 'added' }),
    ]);
    expect(summary.fraction).toBeCloseTo(0.55);
    expect(summary).toMatchObject({ done: 1, total: 2, added: 1, duplicate: 0, rejected: 0 });
  });

  it('counts duplicates and rejections (failed uploads among them) for the summary line', () => {
    const summary = summarize([entry({ phase: 'duplicate' }), entry({ phase: 'rejected', reason: 'not audio' }), entry({ phase: 'failed' })]);
    expect(summary).toMatchObject({ fraction: 1, done: 3, duplicate: 1, rejected: 2 });
  });

  it('moves for empty files too, and is zero with nothing queued', () => {
    expect(summarize([entry({ size: 0, phase: 'added' }), entry({ size: 0 })]).fraction).toBe(0.5);
    expect(summarize([]).fraction).toBe(0);
  });

  it('shows a file at 100% once sent, while the server still reads it', () => {
    expect(filePercent(entry({ size: 200, sent: 50, phase: 'uploading' }))).toBe(25);
    expect(filePercent(entry({ phase: 'processing' }))).toBe(100);
    expect(phaseLabel(entry({ size: 200, sent: 50, phase: 'uploading' }))).toBe('Uploading 25%');
    expect(phaseLabel(entry({ phase: 'rejected', reason: 'File is not audio' }))).toBe('Rejected: File is not audio');
    expect(phaseLabel(entry({ phase: 'duplicate' }))).toBe('Already in your library');
  });
});
