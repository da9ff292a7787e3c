import { useState } from 'react';
import { ApiError, api, describeError, ok } from '../api/client';
import { PageHeader } from '../components/PageHeader';
import { ConfirmDialog, Field, TextDialog } from '../components/PlaylistForms';
import { ErrorState, Loading } from '../components/States';
import { useResource } from '../hooks/use-resource';
import { useStore } from '../lib/store';
import { notify } from '../state/notices';
import { session } from '../state/session';

const date = (ms: number | null) => (ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never');

/** The signed-in user's own account: devices, password, and credentials for Subsonic apps. */
export function SettingsPage() {
  return (
    <section className="page">
      <PageHeader title="Settings" subtitle="Your devices, password and apps" />
      <div className="settings">
        <DevicesSection />
        <PasswordSection />
        <SubsonicSection />
        <ApiKeysSection />
      </div>
    </section>
  );
}

function DevicesSection() {
  const thisDevice = useStore(session, (s) => (s.status === 'signed-in' ? s.deviceId : null));
  const devices = useResource(() => ok(api.GET('/api/v1/devices')), []);
  const [dialog, setDialog] = useState<null | { kind: 'rename' | 'revoke'; id: string; name: string }>(null);
  return (
    <section className="panel" aria-labelledby="settings-devices">
      <h2 id="settings-devices">Your devices</h2>
      <p className="muted small">Every app and browser you signed in with. Revoke one you lost: it is signed out at once.</p>
      {devices.error ? (
        <ErrorState error={devices.error} onRetry={devices.reload} title="Could not load your devices" />
      ) : !devices.data ? (
        <Loading label="Loading devices…" />
      ) : (
        <ul className="plain-list" aria-label="Your devices">
          {devices.data.items.map((device) => (
            <li key={device.id} className="list-row">
              <span className="list-row__main">
                <span className="list-row__title">
                  {device.name}
                  {device.id === thisDevice && <span className="tag">This browser</span>}
                </span>
                <span className="muted small">
                  {device.platform} · last seen {date(device.lastSeenAt ?? device.lastUsedAt)}
                </span>
              </span>
              <span className="row-actions">
                <button type="button" className="button button--small button--ghost" aria-label={`Rename ${device.name}`} onClick={() => setDialog({ kind: 'rename', id: device.id, name: device.name })}>
                  Rename
                </button>
                {device.id !== thisDevice && (
                  <button type="button" className="button button--small button--ghost button--danger-text" aria-label={`Revoke ${device.name}`} onClick={() => setDialog({ kind: 'revoke', id: device.id, name: device.name })}>
                    Revoke
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {dialog?.kind === 'rename' && (
        <TextDialog
          title="Rename device"
          label="Name"
          initial={dialog.name}
          saveLabel="Save name"
          onClose={() => setDialog(null)}
          onSave={async (name) => {
            await ok(api.PATCH('/api/v1/devices/{id}', { params: { path: { id: dialog.id } }, body: { name } }));
            devices.reload();
          }}
        />
      )}
      {dialog?.kind === 'revoke' && (
        <ConfirmDialog
          title={`Revoke ${dialog.name}?`}
          confirmLabel="Revoke device"
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await ok(api.DELETE('/api/v1/devices/{id}', { params: { path: { id: dialog.id } } }));
            notify(`${dialog.name} is signed out.`);
            devices.reload();
          }}
        >
          It is signed out on its next request and must sign in again to play.
        </ConfirmDialog>
      )}
    </section>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ current?: string; next?: string; repeat?: string }>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const found: typeof errors = {};
    if (!current) found.current = 'Enter your current password.';
    if (next.length < 8) found.next = 'Use at least 8 characters.';
    if (repeat !== next) found.repeat = 'The two new passwords differ.';
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await ok(api.PUT('/api/v1/me/password', { body: { currentPassword: current, newPassword: next } }));
      notify('Password changed. Your other sessions were signed out.');
      setCurrent('');
      setNext('');
      setRepeat('');
    } catch (error) {
      if (error instanceof ApiError && error.code === 'current_password_wrong') setErrors({ current: 'That is not your current password.' });
      else setErrors({ next: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="settings-password">
      <h2 id="settings-password">Password</h2>
      <form
        className="stack-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field label="Current password" id="pw-current" error={errors.current}>
          <input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field label="New password" id="pw-new" error={errors.next} hint="At least 8 characters.">
          <input id="pw-new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </Field>
        <Field label="New password again" id="pw-repeat" error={errors.repeat}>
          <input id="pw-repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </Field>
        <div>
          <button type="submit" className="button button--primary" disabled={busy}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

function SubsonicSection() {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      notify(done);
      setPassword('');
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="settings-subsonic">
      <h2 id="settings-subsonic">Subsonic apps</h2>
      <p className="muted small">
        Apps such as DSub, Symfonium or play:Sub connect to <span className="mono">{window.location.origin}</span> with your username and a
        separate Subsonic password, kept apart from your sign-in password.
      </p>
      <form
        className="stack-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (password.length < 8 || password.length > 256) return setError('Use 8 to 256 characters.');
          void run(() => ok(api.PUT('/api/v1/me/subsonic-password', { body: { password } })), 'Subsonic password set.');
        }}
      >
        <Field label="Subsonic password" id="subsonic-password" error={error}>
          <input id="subsonic-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <div className="row-actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            Set Subsonic password
          </button>
          <button type="button" className="button button--ghost" disabled={busy} onClick={() => void run(() => ok(api.DELETE('/api/v1/me/subsonic-password')), 'Subsonic password removed.')}>
            Remove it
          </button>
        </div>
      </form>
    </section>
  );
}

function ApiKeysSection() {
  const keys = useResource(() => ok(api.GET('/api/v1/me/api-keys')), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  return (
    <section className="panel" aria-labelledby="settings-keys">
      <h2 id="settings-keys">API keys</h2>
      <p className="muted small">For OpenSubsonic apps that sign in with an API key instead of a password. A key is shown once, when created.</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim()) return setError('Name the key after the app that uses it.');
          setError(undefined);
          ok(api.POST('/api/v1/me/api-keys', { body: { name: name.trim() } })).then(
            (key) => {
              setCreated({ name: key.name, key: key.key });
              setName('');
              keys.reload();
            },
            (e: unknown) => setError(describeError(e)),
          );
        }}
      >
        <label className="visually-hidden" htmlFor="api-key-name">
          Key name
        </label>
        <input id="api-key-name" className="input" placeholder="Key name, e.g. Car stereo" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="button">
          Create key
        </button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="banner" role="status">
          <p>
            Key for <strong>{created.name}</strong> — copy it now, it will not be shown again:
          </p>
          <code className="secret">{created.key}</code>
          <div className="row-actions">
            <button type="button" className="button button--small" onClick={() => void navigator.clipboard?.writeText(created.key).then(() => notify('Copied.'))}>
              Copy
            </button>
            <button type="button" className="button button--small button--ghost" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {keys.error ? (
        <ErrorState error={keys.error} onRetry={keys.reload} title="Could not load your keys" />
      ) : !keys.data ? (
        <Loading label="Loading keys…" />
      ) : keys.data.items.length === 0 ? (
        <p className="muted">No keys yet.</p>
      ) : (
        <ul className="plain-list" aria-label="API keys">
          {keys.data.items.map((key) => (
            <li key={key.id} className="list-row">
              <span className="list-row__main">
                <span className="list-row__title">{key.name}</span>
                <span className="muted small">
                  created {date(key.createdAt)} · last used {date(key.lastUsedAt)}
                </span>
              </span>
              <button type="button" className="button button--small button--ghost button--danger-text" aria-label={`Revoke key ${key.name}`} onClick={() => setRevoking({ id: key.id, name: key.name })}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke key"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await ok(api.DELETE('/api/v1/me/api-keys/{id}', { params: { path: { id: revoking.id } } }));
            keys.reload();
          }}
        >
          Apps using this key stop working at once.
        </ConfirmDialog>
      )}
    </section>
  );
}
