import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../src/sync-client/file-system.js';
import { createStateStore, freshState, StateFileError } from '../../src/sync-client/state-store.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-sync-state-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the sync client state file', () => {
  it('starts fresh without a file, and reads back exactly what it saved, leaving no temporary file', async () => {
    const file = path.join(work, 'a', '.omnisonic-sync', 'state.json');
    const store = createStateStore(nodeFileSystem, file);
    expect(await store.load('http://s')).toEqual(freshState('http://s'));
    const state = { ...freshState('http://s'), phase: 'incremental' as const, cursor: 'c1.9', tracks: { t: { fileName: 'A/b.mp3', sha256: 'ab'.repeat(32), size: 3, local: null } } };
    await store.save(state);
    await store.save({ ...state, cursor: 'c1.10' });
    expect(await store.load('http://s')).toEqual({ ...state, cursor: 'c1.10' });
    expect(readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('refuses a damaged file or one of another server with a message that says what to do', async () => {
    const file = path.join(work, 'b.json');
    writeFileSync(file, '{"version": 1, "server": "http://s", "pha');
    await expect(createStateStore(nodeFileSystem, file).load('http://s')).rejects.toThrow(/delete it to sync from scratch/);
    writeFileSync(file, JSON.stringify(freshState('http://other')));
    await expect(createStateStore(nodeFileSystem, file).load('http://s')).rejects.toThrow(StateFileError);
  });
});
