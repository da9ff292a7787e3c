import { useState, type FormEvent, type ReactNode } from 'react';
import { describeError } from '../api/client';

/**
 * The centred card of the setup and sign-in pages: a username and a password field, a submit button, and the
 * server's error message under them.
 */
export function AuthForm({
  title,
  intro,
  submitLabel,
  passwordHint,
  newPassword = false,
  notice,
  onSubmit,
}: {
  title: string;
  intro: ReactNode;
  submitLabel: string;
  passwordHint?: string;
  newPassword?: boolean;
  notice?: string;
  onSubmit: (username: string, password: string) => Promise<void>;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(username.trim(), password);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="auth-title">
        <div className="auth__brand">
          <img src="/favicon.svg" alt="" width={44} height={44} />
          <span>Omnisonic</span>
        </div>
        <h1 id="auth-title">{title}</h1>
        <p className="muted">{intro}</p>
        {notice && (
          <p className="auth__notice" role="status">
            {notice}
          </p>
        )}
        <label className="field">
          <span>Username</span>
          <input value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" required autoFocus maxLength={64} />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={newPassword ? 'new-password' : 'current-password'}
            required
            minLength={newPassword ? 8 : undefined}
            aria-describedby={passwordHint ? 'password-hint' : undefined}
          />
          {passwordHint && (
            <small id="password-hint" className="muted">
              {passwordHint}
            </small>
          )}
        </label>
        {error && (
          <p className="auth__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--wide" disabled={busy}>
          {busy ? 'One moment…' : submitLabel}
        </button>
      </form>
    </div>
  );
}
