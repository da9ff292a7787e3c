import cliProgress from 'cli-progress';
import type { SyncEvent, SyncSummary } from './sync-engine.js';

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

/**
 * Renders the engine's events on `stream` (stderr): a download bar (files, MB, ETA) on a terminal, otherwise plain
 * lines — phases, retries and warnings at once, download progress at most every 2 s.
 */
export function createProgressView(stream: NodeJS.WritableStream & { isTTY?: boolean }, now: () => number = Date.now) {
  const line = (text: string) => stream.write(`sync: ${text}\n`);
  let files = 0;
  let totalFiles = 0;
  let bytes = 0;
  let totalBytes = 0;
  let records = 0;
  let lastLine = 0;
  let lastPhase: string | null = null;
  const bar = stream.isTTY
    ? new cliProgress.SingleBar(
        { format: 'download [{bar}] {percentage}% | {files}/{totalFiles} files | {mb}/{totalMb} MB | ETA {eta_formatted}', stream, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let barRunning = false;
  const payload = () => ({ files, totalFiles, mb: mb(bytes), totalMb: mb(totalBytes) });
  const stopBar = () => {
    if (barRunning) bar!.stop();
    barRunning = false;
  };

  return {
    onEvent(event: SyncEvent): void {
      switch (event.type) {
        case 'phase':
          if (event.phase !== 'download') stopBar();
          // A retry re-enters the phase it failed in: say so once.
          if (event.phase === 'bootstrap' && lastPhase !== 'bootstrap') line('loading the library snapshot');
          if (event.phase !== 'reconcile') lastPhase = event.phase;
          break;
        case 'records':
          records += event.count;
          if (now() - lastLine >= 2000) {
            lastLine = now();
            line(`${records} records`);
          }
          break;
        case 'download-plan':
          files = 0;
          bytes = 0;
          totalFiles = event.files;
          totalBytes = event.bytes;
          line(`downloading ${event.files} files (${mb(event.bytes)} MB)`);
          if (bar) {
            bar.start(totalBytes, 0, payload());
            barRunning = true;
          }
          break;
        case 'bytes':
          bytes += event.count;
          if (barRunning) bar!.update(bytes, payload());
          break;
        case 'file-done':
          files += 1;
          if (barRunning) bar!.update(bytes, payload());
          else if (now() - lastLine >= 2000) {
            lastLine = now();
            line(`${files}/${totalFiles} files, ${mb(bytes)}/${mb(totalBytes)} MB`);
          }
          break;
        case 'retry':
          stopBar();
          line(`server unavailable (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s`);
          break;
        case 'warning':
          stopBar();
          line(`warning: ${event.message}`);
          break;
      }
    },
    stop: stopBar,
  };
}

/** The summary as a few human lines. */
export function formatSummary(summary: SyncSummary): string {
  const parts = [
    `${summary.localFiles}/${summary.tracks} tracks in place`,
    `${summary.downloaded} downloaded (${mb(summary.downloadedBytes)} MB${summary.resumed ? `, ${summary.resumed} resumed` : ''})`,
    `${summary.removed} removed`,
  ];
  if (summary.moved) parts.push(`${summary.moved} renamed`);
  if (summary.missing + summary.changed) parts.push(`${summary.missing + summary.changed} repaired`);
  if (summary.adopted) parts.push(`${summary.adopted} found in place`);
  if (summary.waitingForHash) parts.push(`${summary.waitingForHash} waiting for the server to hash them`);
  if (summary.rebootstraps) parts.push(`${summary.rebootstraps} fresh snapshot(s) after an expired cursor`);
  const lines = [`synced in ${(summary.durationMs / 1000).toFixed(1)} s: ${parts.join(', ')}`];
  for (const item of summary.refused) lines.push(`refused ${item.id}: ${item.reason}`);
  for (const item of summary.failed) lines.push(`failed ${item.id} (${item.fileName}): ${item.reason}`);
  return `${lines.join('\n')}\n`;
}
