import { api, ok } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { usePagedList } from '../hooks/use-paged-list';
import { useResource } from '../hooks/use-resource';

/** "device.revoked" → "Device revoked". */
function actionWords(action: string): string {
  const text = action.replace(/[._]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A details object as short `key: value` pairs (the server never logs secrets). */
function detailWords(details: Record<string, unknown> | null): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/** The audit log, newest first, 100 entries at a time: who did what, to what, from where. */
export function AdminAuditPage() {
  const users = useResource(() => ok(api.GET('/api/v1/admin/users')), []);
  const log = usePagedList('audit', (cursor) => ok(api.GET('/api/v1/admin/audit', { params: { query: { limit: 100, cursor } } })));
  // Targets are user ids or device ids; only users have a name to show.
  const targetName = (id: string) => users.data?.items.find((u) => u.id === id)?.username;
  const nameOf = (id: string | null) => (id ? (users.data?.items.find((u) => u.id === id)?.username ?? 'deleted user') : 'system');

  return (
    <section className="page">
      <PageHeader title="Audit log" subtitle="Sign-ins, devices and account changes, newest first" />
      {log.error && !log.items.length ? (
        <ErrorState error={log.error} onRetry={log.reload} title="Could not load the audit log" />
      ) : log.loading && !log.items.length ? (
        <Loading label="Loading the audit log…" />
      ) : !log.items.length ? (
        <Empty title="Nothing logged yet">Sign-ins and account changes appear here as they happen.</Empty>
      ) : (
        <>
          <div className="table-scroll">
            <table className="data-table" aria-label="Audit log">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col" className="hide-narrow">Details</th>
                  <th scope="col" className="hide-narrow">From</th>
                </tr>
              </thead>
              <tbody>
                {log.items.map((entry) => (
                  <tr key={entry.id}>
                    <td className="nowrap muted">{new Date(entry.at).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' })}</td>
                    <td>{nameOf(entry.actorUserId)}</td>
                    <td>
                      {actionWords(entry.action)}
                      {entry.target && entry.target !== entry.actorUserId && targetName(entry.target) && <span className="muted small"> · {targetName(entry.target)}</span>}
                    </td>
                    <td className="hide-narrow muted small break">{detailWords(entry.details)}</td>
                    <td className="hide-narrow muted mono small">{entry.ip ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {log.hasMore && (
            <div className="load-more">
              <button type="button" className="button" disabled={log.loading} onClick={log.loadMore}>
                {log.loading ? 'Loading…' : 'Show older entries'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
