import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const music = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-config-'));
const other = mkdtempSync(path.join(os.tmpdir(), 'omnisonic-config-'));

describe('configuration', () => {
  it('takes flags over environment variables over defaults', () => {
    const config = loadConfig({ port: '9000' }, { OMNISONIC_PORT: '8000', OMNISONIC_HOST: '0.0.0.0', HOME: '/home/x' });
    expect(config.port).toBe(9000);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe('/home/x/.local/share/omnisonic');
    expect(config.watch).toBe(true);
    expect(config.scanIntervalMinutes).toBe(0);
  });

  it('reads several music folders from OMNISONIC_MUSIC separated by ":"', () => {
    expect(loadConfig({}, { OMNISONIC_MUSIC: `${music}:${other}` }).musicDirs).toEqual([music, other]);
  });

  it.each([
    [{ port: 'abc' }, {}, /--port \/ OMNISONIC_PORT/],
    [{}, { OMNISONIC_PORT: '70000' }, /OMNISONIC_PORT/],
    [{ music: ['/definitely/not/here'] }, {}, /--music .*does not exist/],
    [{}, { OMNISONIC_WATCH: 'maybe' }, /OMNISONIC_WATCH/],
    [{}, { OMNISONIC_LOG_LEVEL: 'loud' }, /OMNISONIC_LOG_LEVEL/],
    [{}, { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{}, { OMNISONIC_SCAN_INTERVAL: '-5' }, /OMNISONIC_SCAN_INTERVAL/],
  ])('refuses a bad setting with a message naming it (%j %j)', (input, env, message) => {
    expect(() => loadConfig(input, env)).toThrow(ConfigError);
    expect(() => loadConfig(input, env)).toThrow(message);
  });

  it('refuses a music "folder" that is a file', () => {
    const file = path.join(music, 'song.mp3');
    writeFileSync(file, '');
    expect(() => loadConfig({ music: [file] }, {})).toThrow(/is not a folder/);
  });
});
