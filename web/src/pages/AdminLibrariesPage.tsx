import { useState } from 'react';
import { api, describeError, ok } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { useResource } from '../hooks/use-resource';
import { plural } from '../lib/format';
import { notify } from '../state/notices';

/**
 * Which users may see which library (`PUT /api/v1/admin/libraries/{id}/users`). Admins see every library anyway;
 * each listener is a checkbox per library, saved as soon as it changes.
 */
export function AdminLibrariesPage() {
  const data = useResource(async () => {
    const [libraries, users] = await Promise.all([ok(api.GET('/api/v1/admin/libraries')), ok(api.GET('/api/v1/admin/users'))]);
    return { libraries: libraries.items, users: users.items };
  }, []);
  const [saving, setSaving] = useState<string | null>(null);
  // Shown at once while saving (and after, until the reload agrees); dropped again when the server refuses.
  const [pending, setPending] = useState<Record<string, boolean>>({});

  /** The library's grants as shown: the server's list with this page's unsaved or just-saved changes applied. */
  const grantedIds = (libraryId: string, serverIds: string[]): string[] => {
    const ids = new Set(serverIds);
    for (const [key, on] of Object.entries(pending)) {
      const [lib, userId] = key.split(':');
      if (lib !== libraryId || !userId) continue;
      if (on) ids.add(userId);
      else ids.delete(userId);
    }
    return [...ids];
  };

  if (data.error) return <ErrorState error={data.error} onRetry={data.reload} title="Could not load libraries" />;
  if (!data.data) return <Loading label="Loading libraries…" />;
  const { libraries, users } = data.data;
  const listeners = users.filter((user) => user.role !== 'admin');

  const toggle = async (libraryId: string, current: string[], userId: string, granted: boolean) => {
    const next = granted ? [...current, userId] : current.filter((id) => id !== userId);
    const key = `${libraryId}:${userId}`;
    setSaving(key);
    setPending((p) => ({ ...p, [key]: granted }));
    try {
      await ok(api.PUT('/api/v1/admin/libraries/{id}/users', { params: { path: { id: libraryId } }, body: { userIds: next } }));
      data.reload();
    } catch (error) {
      setPending(({ [key]: _dropped, ...rest }) => rest);
      notify(`Could not change access: ${describeError(error)}`, 'error');
    } finally {
      setSaving(null);
    }
  };

  return (
    <section className="page">
      <PageHeader title="Library access" subtitle="Admins see every library. Choose which listeners see each one." />
      {libraries.length === 0 ? (
        <Empty title="No libraries">Start the server with a music folder (`--music`) to create one.</Empty>
      ) : (
        <div className="library-grid">
          {[...libraries].sort((a, b) => Number(a.kind === 'upload') - Number(b.kind === 'upload')).map((library) => {
            const owner = users.find((u) => u.id === library.ownerUserId);
            return (
              <section key={library.id} className="panel" aria-labelledby={`lib-${library.id}`}>
                <h2 id={`lib-${library.id}`}>{library.name}</h2>
                <p className="muted small">
                  {library.kind === 'upload' ? `Uploads of ${owner?.username ?? 'a user'}` : 'Music folder'} · <span className="mono break">{library.rootPath}</span>
                </p>
                {library.kind === 'upload' ? (
                  <p className="muted">Only its owner (and admins) see an upload library.</p>
                ) : listeners.length === 0 ? (
                  <p className="muted">There are no listeners yet: every user is an admin.</p>
                ) : (
                  <fieldset className="checks">
                    <legend className="small muted">{plural(grantedIds(library.id, library.userIds).filter((id) => listeners.some((u) => u.id === id)).length, 'listener')} with access</legend>
                    {listeners.map((user) => {
                      const granted = pending[`${library.id}:${user.id}`] ?? library.userIds.includes(user.id);
                      return (
                        <label key={user.id} className="check">
                          <input
                            type="checkbox"
                            checked={granted}
                            disabled={saving === `${library.id}:${user.id}`}
                            onChange={(e) => void toggle(library.id, grantedIds(library.id, library.userIds), user.id, e.target.checked)}
                          />
                          {user.username}
                          {user.disabled && <span className="tag">Disabled</span>}
                        </label>
                      );
                    })}
                  </fieldset>
                )}
              </section>
            );
          })}
        </div>
      )}
    </section>
  );
}
