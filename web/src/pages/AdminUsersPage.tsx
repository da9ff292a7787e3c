import { useState } from 'react';
import { ApiError, api, describeError, ok } from '../api/client';
import type { Response } from '../api/types';
import { Dialog } from '../components/Dialog';
import { PlusIcon } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { ConfirmDialog, Field, TextDialog } from '../components/PlaylistForms';
import { Empty, ErrorState, Loading } from '../components/States';
import { useResource } from '../hooks/use-resource';
import { useStore } from '../lib/store';
import { useCurrentUser } from '../state/current-user';
import { notify } from '../state/notices';
import { session } from '../state/session';

type UserRow = Response<'/api/v1/admin/users'>['items'][number];

/** Words for a refused admin change; the last-admin rule gets a sentence that says what to do instead. */
function explain(error: unknown): string {
  if (error instanceof ApiError && error.code === 'last_admin') {
    return 'This is the last admin who can sign in. Make another user an admin first, then try again.';
  }
  if (error instanceof ApiError && error.code === 'username_taken') return 'That username is taken. Choose another.';
  return describeError(error);
}

function date(ms: number | null): string {
  return ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never';
}

/** Accounts on this server: create users, change roles, disable, reset passwords, see and revoke devices, delete. */
export function AdminUsersPage() {
  const me = useCurrentUser();
  const users = useResource(() => ok(api.GET('/api/v1/admin/users')), []);
  const [problem, setProblem] = useState<string | null>(null);
  const [dialog, setDialog] = useState<null | { kind: 'create' } | { kind: 'password' | 'delete' | 'devices'; user: UserRow }>(null);

  const change = async (user: UserRow, body: { role?: 'admin' | 'user'; disabled?: boolean }, done: string) => {
    setProblem(null);
    try {
      await ok(api.PATCH('/api/v1/admin/users/{id}', { params: { path: { id: user.id } }, body }));
      notify(done);
      users.reload();
    } catch (error) {
      setProblem(`Could not change ${user.username}: ${explain(error)}`);
    }
  };

  return (
    <section className="page">
      <PageHeader title="Users" subtitle="Who may sign in, and what they may do">
        <button type="button" className="button button--primary" onClick={() => setDialog({ kind: 'create' })}>
          <PlusIcon /> New user
        </button>
      </PageHeader>
      {problem && (
        <div className="banner banner--error" role="alert">
          {problem}
          <button type="button" className="link-button" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      )}
      {users.error ? (
        <ErrorState error={users.error} onRetry={users.reload} title="Could not load users" />
      ) : !users.data ? (
        <Loading label="Loading users…" />
      ) : users.data.items.length === 0 ? (
        <Empty title="No users">Create the first one with “New user”.</Empty>
      ) : (
        <div className="table-scroll">
          <table className="data-table data-table--cards" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <tr key={user.id} aria-label={user.username}>
                  <td>
                    <span className="user-cell">
                      <span className="avatar" aria-hidden="true">
                        {user.username[0]?.toUpperCase()}
                      </span>
                      {user.username}
                      {user.id === me?.id && <span className="tag">You</span>}
                    </span>
                  </td>
                  <td>{user.role === 'admin' ? 'Admin' : 'Listener'}</td>
                  <td>{user.disabled ? <span className="tag tag--warn">Disabled</span> : 'Active'}</td>
                  <td className="hide-narrow muted">{date(user.createdAt)}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        aria-label={user.role === 'admin' ? `Make ${user.username} a listener` : `Make ${user.username} an admin`}
                        onClick={() =>
                          void change(user, { role: user.role === 'admin' ? 'user' : 'admin' }, `${user.username} is now ${user.role === 'admin' ? 'a listener' : 'an admin'}.`)
                        }
                      >
                        {user.role === 'admin' ? 'Make listener' : 'Make admin'}
                      </button>
                      <button
                        type="button"
                        className="button button--small button--ghost"
                        aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
                        onClick={() => void change(user, { disabled: !user.disabled }, `${user.username} is ${user.disabled ? 'enabled' : 'disabled'}.`)}
                      >
                        {user.disabled ? 'Enable' : 'Disable'}
                      </button>
                      <button type="button" className="button button--small button--ghost" aria-label={`Reset password of ${user.username}`} onClick={() => setDialog({ kind: 'password', user })}>
                        Reset password
                      </button>
                      <button type="button" className="button button--small button--ghost" aria-label={`Devices of ${user.username}`} onClick={() => setDialog({ kind: 'devices', user })}>
                        Devices
                      </button>
                      <button type="button" className="button button--small button--ghost button--danger-text" aria-label={`Delete ${user.username}`} onClick={() => setDialog({ kind: 'delete', user })}>
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {dialog?.kind === 'create' && (
        <CreateUserDialog
          onClose={() => setDialog(null)}
          onCreated={(name) => {
            notify(`Created ${name}. Grant them a library under Library access.`);
            users.reload();
          }}
        />
      )}
      {dialog?.kind === 'password' && (
        <TextDialog
          title={`Reset password of ${dialog.user.username}`}
          label="New password"
          initial=""
          saveLabel="Set password"
          onClose={() => setDialog(null)}
          onSave={async (password) => {
            await ok(api.PATCH('/api/v1/admin/users/{id}', { params: { path: { id: dialog.user.id } }, body: { password } })).catch((e: unknown) => {
              throw new Error(explain(e));
            });
            notify(`New password set for ${dialog.user.username}; their sessions ended.`);
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.user.username}?`}
          confirmLabel="Delete user"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ok(api.DELETE('/api/v1/admin/users/{id}', { params: { path: { id: dialog.user.id } } })).catch((e: unknown) => {
              throw new Error(explain(e));
            });
            notify(`Deleted ${dialog.user.username}.`);
            users.reload();
          }}
        >
          Their playlists, favorites, history, uploads and devices are deleted with them. This cannot be undone.
        </ConfirmDialog>
      )}
      {dialog?.kind === 'devices' && <UserDevicesDialog user={dialog.user} onClose={() => setDialog(null)} />}
    </section>
  );
}

function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (username: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [errors, setErrors] = useState<{ username?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title="New user" onClose={onClose}>
      <form
        className="stack-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const next: typeof errors = {};
          if (!username.trim()) next.username = 'Enter a username.';
          if (password.length < 8) next.password = 'Use at least 8 characters.';
          setErrors(next);
          if (Object.keys(next).length) return;
          setBusy(true);
          ok(api.POST('/api/v1/admin/users', { body: { username: username.trim(), password, role } })).then(
            () => {
              onCreated(username.trim());
              onClose();
            },
            (error: unknown) => {
              setErrors({ form: explain(error) });
              setBusy(false);
            },
          );
        }}
      >
        <Field label="Username" id="new-user-name" error={errors.username}>
          <input id="new-user-name" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        </Field>
        <Field label="Password" id="new-user-password" error={errors.password} hint="At least 8 characters. They can change it later.">
          <input id="new-user-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Role" id="new-user-role">
          <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as 'user' | 'admin')}>
            <option value="user">Listener</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            Create user
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function UserDevicesDialog({ user, onClose }: { user: UserRow; onClose: () => void }) {
  const thisDevice = useStore(session, (s) => (s.status === 'signed-in' ? s.deviceId : null));
  const devices = useResource(() => ok(api.GET('/api/v1/admin/users/{id}/devices', { params: { path: { id: user.id } } })), [user.id]);
  const revoke = async (deviceId: string, name: string) => {
    try {
      await ok(api.DELETE('/api/v1/admin/users/{id}/devices/{deviceId}', { params: { path: { id: user.id, deviceId } } }));
      notify(`Revoked ${name}; it is signed out now.`);
      devices.reload();
    } catch (error) {
      notify(`Could not revoke ${name}: ${describeError(error)}`, 'error');
    }
  };
  return (
    <Dialog title={`Devices of ${user.username}`} onClose={onClose} wide>
      {devices.error ? (
        <ErrorState error={devices.error} onRetry={devices.reload} title="Could not load devices" />
      ) : !devices.data ? (
        <Loading label="Loading devices…" />
      ) : devices.data.items.length === 0 ? (
        <p className="muted">{user.username} has not signed in on any device yet.</p>
      ) : (
        <ul className="plain-list" aria-label={`Devices of ${user.username}`}>
          {devices.data.items.map((device) => (
            <li key={device.id} className="list-row">
              <span className="list-row__main">
                <span className="list-row__title">
                  {device.name}
                  {device.id === thisDevice && <span className="tag">This browser</span>}
                </span>
                <span className="muted small">
                  {device.platform} · app {device.appVersion} · last seen {date(device.lastSeenAt ?? device.lastUsedAt)}
                  {device.createdIp ? ` · from ${device.createdIp}` : ''}
                </span>
              </span>
              {device.id !== thisDevice && (
                <button type="button" className="button button--small button--ghost button--danger-text" aria-label={`Revoke ${device.name}`} onClick={() => void revoke(device.id, device.name)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
