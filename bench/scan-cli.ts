import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ScanSummary as ScannerSummary } from '../src/library/scanner/scanner.js';

/**
 * The one JSON line `omnisonic scan --json` prints on stdout: the scanner's summary (`durationMs` is measured by the
 * CLI itself, without process start-up or database opening) plus the process's peak resident set size in bytes.
 */
export type ScanSummary = ScannerSummary & { peakRssBytes: number };

export interface TimedScan {
  summary: ScanSummary;
  /** From spawn to exit, ms: includes Node start-up, opening and migrating the database, and shutdown. */
  wallMs: number;
}

/** Enough of stderr to explain a failure, without holding minutes of progress lines. */
const STDERR_TAIL_CHARS = 8000;

/**
 * Runs `node <cli> scan --music <musicDir> --data <dataDir> --json` and returns its summary and wall time.
 * Rejects when the process exits non-zero or its last stdout line is not a scan summary; the message carries the
 * end of stderr.
 */
export function runScan(cli: string, musicDir: string, dataDir: string): Promise<TimedScan> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [cli, 'scan', '--music', musicDir, '--data', dataDir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - startedAt;
      if (code !== 0) {
        reject(new Error(`scan exited with ${signal ?? `code ${code}`}:\n${stderr.trim()}`));
        return;
      }
      const lastLine = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ summary: parseSummary(lastLine), wallMs });
      } catch (error) {
        reject(new Error(`scan printed no summary (${(error as Error).message}); last stdout line: ${lastLine.slice(0, 500)}`));
      }
    });
  });
}

function parseSummary(line: string): ScanSummary {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const record = value as Record<string, unknown>;
  const counts = ['added', 'updated', 'moved', 'missing', 'reactivated', 'unchanged', 'durationMs', 'peakRssBytes'];
  for (const key of counts) {
    if (typeof record[key] !== 'number') throw new Error(`"${key}" is not a number`);
  }
  if (!Array.isArray(record.broken)) throw new Error('"broken" is not an array');
  return value as ScanSummary;
}
