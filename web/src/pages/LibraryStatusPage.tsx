import { useEffect, useState } from 'react';
import { api, describeError, ok } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { ErrorState, Loading } from '../components/States';
import { useResource } from '../hooks/use-resource';
import { formatTotal, plural } from '../lib/format';
import { useCurrentUser } from '../state/current-user';
import { onLiveEvent } from '../state/events';
import { notify } from '../state/notices';

interface ScanEvent {
  state: 'started' | 'progress' | 'finished';
  phase?: string;
  processed?: number;
  total?: number;
}

/** The scanner's phase names (src/library/scanner/scanner.ts) in words. */
const PHASES: Record<string, string> = {
  walk: 'Looking for files',
  'read-tags': 'Reading tags',
  'detect-moves': 'Matching moved files',
  group: 'Grouping albums and artists',
  artwork: 'Collecting artwork',
  finish: 'Finishing up',
};

function phaseWords(phase: string | undefined): string {
  if (!phase) return 'Scanning';
  return PHASES[phase] ?? phase.charAt(0).toUpperCase() + phase.slice(1).replace(/[-_]/g, ' ');
}

function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * How the library stands: a running scan's progress live (SSE `scan` events), files still waiting for their
 * fingerprint, the last scan's summary and every file it could not read with the reason. Admins start a scan here.
 */
export function LibraryStatusPage() {
  const user = useCurrentUser();
  const status = useResource(() => ok(api.GET('/api/v1/library/status', { cache: 'no-store' })), []);
  const [live, setLive] = useState<ScanEvent | null>(null);
  const [starting, setStarting] = useState(false);
  const { reload } = status;

  useEffect(
    () =>
      onLiveEvent((event) => {
        if (event.type !== 'scan') return;
        const data = event.data as ScanEvent;
        setLive(data.state === 'finished' ? null : data);
        if (data.state !== 'progress') reload();
      }),
    [reload],
  );

  if (status.error && !status.data) return <ErrorState error={status.error} onRetry={reload} title="Could not read the library status" />;
  if (!status.data) return <Loading label="Reading library status…" />;
  const data = status.data;
  const scanning = live !== null || data.state === 'scanning';
  const progress = live?.total ? { phase: live.phase ?? '', processed: live.processed ?? 0, total: live.total } : data.progress;
  const last = data.lastScan;
  const percent = progress && progress.total > 0 ? Math.min(100, Math.round((progress.processed / progress.total) * 100)) : null;

  const start = async () => {
    setStarting(true);
    try {
      await ok(api.POST('/api/v1/library/scans'));
      // The scan's own events may already have come and gone (small libraries scan in a blink): ask for the state.
      reload();
      notify('Scan started.');
    } catch (error) {
      notify(`Could not start a scan: ${describeError(error)}`, 'error');
    } finally {
      setStarting(false);
    }
  };

  return (
    <section className="page">
      <PageHeader title="Library status" subtitle="Scans, fingerprinting and files that could not be read">
        {user?.role === 'admin' && (
          <button type="button" className="button button--primary" disabled={scanning || starting} onClick={() => void start()}>
            {scanning ? 'Scanning…' : 'Start scan'}
          </button>
        )}
      </PageHeader>

      <div className="stat-grid">
        <div className="stat-card" aria-live="polite">
          <h2 className="stat-card__label">Scanner</h2>
          {scanning ? (
            <>
              <p className="stat-card__value">{phaseWords(progress?.phase)}</p>
              <div
                className="progress"
                role="progressbar"
                aria-label="Scan progress"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent ?? undefined}
                aria-valuetext={progress ? `${progress.processed} of ${progress.total} files` : 'Starting'}
              >
                <div className={`progress__fill ${percent === null ? 'is-indeterminate' : ''}`} style={{ width: `${percent ?? 30}%` }} />
              </div>
              <p className="muted">{progress ? `${progress.processed.toLocaleString()} of ${plural(progress.total, 'file')}` : 'Starting…'}</p>
            </>
          ) : (
            <>
              <p className="stat-card__value">Idle</p>
              <p className="muted">{last ? `Last scan finished ${when(last.finishedAt)}.` : 'No scan has run yet.'}</p>
            </>
          )}
        </div>
        <div className="stat-card">
          <h2 className="stat-card__label">Fingerprinting</h2>
          <p className="stat-card__value">{data.hashing.pending ? plural(data.hashing.pending, 'file') : 'Up to date'}</p>
          <p className="muted">{data.hashing.pending ? 'waiting for a content hash (finds duplicates and moved files).' : 'Every file has its content hash.'}</p>
        </div>
      </div>

      {last && (
        <section className="section" aria-labelledby="last-scan">
          <h2 id="last-scan">Last scan</h2>
          <p className="muted">
            {when(last.startedAt)} · took {last.durationMs < 60_000 ? `${(last.durationMs / 1000).toFixed(1)} s` : formatTotal(last.durationMs)}
            {last.scope?.length ? ` · only ${last.scope.join(', ')}` : ''}
          </p>
          <dl className="figures">
            {(
              [
                ['Added', last.added],
                ['Updated', last.updated],
                ['Moved', last.moved],
                ['Missing', last.missing],
                ['Back again', last.reactivated],
                ['Unchanged', last.unchanged],
                ['Duplicates', last.duplicates],
                ['Unreadable', last.broken.length],
              ] as const
            ).map(([label, value]) => (
              <div key={label} className={`figure ${label === 'Unreadable' && value > 0 ? 'figure--warn' : ''}`}>
                <dt>{label}</dt>
                <dd>{value.toLocaleString()}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}

      {last && (
        <section className="section" aria-labelledby="broken-files">
          <h2 id="broken-files">Files that could not be read</h2>
          {last.broken.length === 0 ? (
            <p className="muted">None: every file in the last scan was readable.</p>
          ) : (
            <>
              <p className="muted">
                These stay out of the library until they are fixed or replaced; the next scan tries them again.
              </p>
              <table className="data-table" aria-label="Unreadable files">
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {last.broken.map((file) => (
                    <tr key={file.path}>
                      <td className="mono break">{file.path}</td>
                      <td>{file.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
    </section>
  );
}
