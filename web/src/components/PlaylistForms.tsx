import { useState } from 'react';
import { api, describeError, ok } from '../api/client';
import { EMPTY_RULES_FORM, rulesFromForm, type RuleSort, type RulesForm } from '../lib/playlist-rules';
import { Dialog } from './Dialog';

type Errors = Partial<Record<keyof RulesForm | 'form' | 'name', string>>;

/** Dialog to create an ordinary playlist or, with `smart`, one chosen by rules; `onCreated` gets the new id. */
export function NewPlaylistDialog({ smart, onClose, onCreated }: { smart: boolean; onClose: () => void; onCreated: (id: string) => void }) {
  const [name, setName] = useState('');
  const [form, setForm] = useState<RulesForm>(EMPTY_RULES_FORM);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof RulesForm>(key: K, value: RulesForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A corrected field stops showing its old error; the rest wait for the next try.
    setErrors(({ [key]: _fixed, form: _form, ...rest }) => rest);
  };

  const submit = async () => {
    const trimmed = name.trim();
    const next: Errors = {};
    if (!trimmed) next.name = 'Give the playlist a name.';
    const parsed = smart ? rulesFromForm(form) : null;
    if (parsed && 'errors' in parsed) Object.assign(next, parsed.errors);
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    try {
      const body = parsed && 'rules' in parsed ? { name: trimmed, rules: parsed.rules } : { name: trimmed };
      const created = await ok(api.POST('/api/v1/playlists', { body }));
      onCreated(created.id);
    } catch (error) {
      setErrors({ form: describeError(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={smart ? 'New smart playlist' : 'New playlist'} onClose={onClose}>
      <form
        className="stack-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field label="Name" error={errors.name} id="playlist-name">
          <input id="playlist-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={200} />
        </Field>
        {smart && (
          <>
            <p className="muted small">Its tracks are picked live from your library whenever you open or play it.</p>
            <label className="check">
              <input type="checkbox" checked={form.lossless} onChange={(e) => set('lossless', e.target.checked)} /> Lossless only
            </label>
            <label className="check">
              <input type="checkbox" checked={form.favorites} onChange={(e) => set('favorites', e.target.checked)} /> Favorites only
            </label>
            <Field label="Genre" error={errors.genre} id="rules-genre">
              <input id="rules-genre" value={form.genre} onChange={(e) => set('genre', e.target.value)} placeholder="e.g. Jazz" />
            </Field>
            <Field label="Added in the last … days" error={errors.addedInLastDays} id="rules-days">
              <input id="rules-days" inputMode="numeric" value={form.addedInLastDays} onChange={(e) => set('addedInLastDays', e.target.value)} placeholder="e.g. 30" />
            </Field>
            <div className="form-row">
              <Field label="Sort by" id="rules-sort">
                <select id="rules-sort" value={form.sort} onChange={(e) => set('sort', e.target.value as RuleSort | '')}>
                  <option value="">Best match</option>
                  <option value="added">Recently added</option>
                  <option value="plays">Most played</option>
                  <option value="title">Title</option>
                  <option value="artist">Artist</option>
                  <option value="album">Album</option>
                  <option value="year">Year</option>
                </select>
              </Field>
              <Field label="At most … tracks" error={errors.limit} id="rules-limit">
                <input id="rules-limit" inputMode="numeric" value={form.limit} onChange={(e) => set('limit', e.target.value)} placeholder="e.g. 100" />
              </Field>
            </div>
          </>
        )}
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
            Create playlist
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A labelled form field with its error under it (linked by `aria-describedby`). */
export function Field({ label, error, id, children, hint }: { label: string; error?: string; id: string; children: React.ReactElement; hint?: string }) {
  return (
    <div className={`form-field ${error ? 'has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && <small className="muted">{hint}</small>}
      {error && (
        <small className="form-error" id={`${id}-error`} role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** Asks before something that cannot be undone; `confirmLabel` is the button's name (e.g. "Delete playlist"). */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={title} onClose={onClose}>
      <p>{children}</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog__actions">
        <button type="button" className="button button--ghost" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            onConfirm().then(onClose, (e: unknown) => {
              setError(describeError(e));
              setBusy(false);
            });
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** Asks for one line of text (a new name); `onSave` may throw, and its error shows in the dialog. */
export function TextDialog({
  title,
  label,
  initial,
  saveLabel,
  onSave,
  onClose,
}: {
  title: string;
  label: string;
  initial: string;
  saveLabel: string;
  onSave: (value: string) => Promise<void>;
  onClose: () => void;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="stack-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!value.trim()) return setError(`${label} cannot be empty.`);
          setBusy(true);
          onSave(value.trim()).then(onClose, (e: unknown) => {
            setError(describeError(e));
            setBusy(false);
          });
        }}
      >
        <Field label={label} error={error} id="text-dialog-input">
          <input id="text-dialog-input" value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
        </Field>
        <div className="dialog__actions">
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {saveLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
