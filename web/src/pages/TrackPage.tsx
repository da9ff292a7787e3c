import { useState } from 'react';
import { ApiError, api, describeError, ok } from '../api/client';
import type { Track } from '../api/types';
import { Artwork } from '../components/Artwork';
import { FavoriteButton, StarRating } from '../components/Favorite';
import { PlayIcon, PlayNextIcon, PlusIcon } from '../components/icons';
import { Field } from '../components/PlaylistForms';
import { openPlaylistPicker } from '../components/PlaylistPicker';
import { Empty, ErrorState, Loading } from '../components/States';
import { useResource } from '../hooks/use-resource';
import { formatClock } from '../lib/format';
import { formFromTrack, patchFromForm, type TrackForm } from '../lib/track-edit';
import { Link } from '../router';
import { useCurrentUser } from '../state/current-user';
import { notify } from '../state/notices';
import { playSource, queueSource } from '../state/queue-actions';
import { artworkUrl, rememberTracks } from '../state/tracks';

function bytes(size: number): string {
  if (size >= 1024 ** 3) return `${(size / 1024 ** 3).toFixed(2)} GB`;
  if (size >= 1024 ** 2) return `${(size / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(size / 1024))} KB`;
}

const gain = (db: number | null) => (db === null ? null : `${db > 0 ? '+' : ''}${db.toFixed(2)} dB`);
const peak = (value: number | null) => (value === null ? null : value.toFixed(6));
const channelWords = (n: number | null) => (n === null ? null : n === 1 ? 'Mono' : n === 2 ? 'Stereo' : `${n} channels`);
const date = (ms: number | null) => (ms ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : null);

/** A definition list that leaves out unknown values. */
function Facts({ label, rows }: { label: string; rows: [string, React.ReactNode][] }) {
  const known = rows.filter(([, value]) => value !== null && value !== undefined && value !== '');
  if (!known.length) return null;
  return (
    <section className="panel" aria-labelledby={`facts-${label}`}>
      <h2 id={`facts-${label}`}>{label}</h2>
      <dl className="facts">
        {known.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/**
 * Everything known about one track: catalog tags, the file's technical facts, ReplayGain, identifiers and your
 * listening; admins also see its path and may edit the catalog tags (stored as overrides, `PATCH /tracks/{id}`).
 */
export function TrackPage({ id }: { id: string }) {
  const user = useCurrentUser();
  const isAdmin = user?.role === 'admin';
  const resource = useResource(() => ok(api.GET('/api/v1/tracks/{id}', { params: { path: { id } } })), [id]);
  const [edited, setEdited] = useState<Track | null>(null);
  const [editing, setEditing] = useState(false);

  if (resource.error) {
    return resource.error instanceof ApiError && resource.error.status === 404 ? (
      <Empty title="Track not found" action={<Link to="/tracks" className="button">All tracks</Link>}>
        It may have been removed, or it is in a library you cannot see.
      </Empty>
    ) : (
      <ErrorState error={resource.error} onRetry={resource.reload} title="Could not load this track" />
    );
  }
  const track = edited?.id === id ? edited : resource.data;
  if (!track) return <Loading label="Loading track…" />;
  const backdrop = artworkUrl(track.artworkId, 64);
  const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);
  const playable = track.status === 'ok';
  const rg = track.replayGain;

  return (
    <article className="page detail">
      {backdrop && <div className="detail__backdrop" style={{ backgroundImage: `url("${backdrop}")` }} aria-hidden="true" />}
      <header className="detail__hero">
        <Artwork artworkId={track.artworkId} name={track.album ?? track.title} size={240} className="detail__art" />
        <div className="detail__facts">
          <p className="eyebrow">Track</p>
          <h1>{track.title}</h1>
          <p className="detail__line">
            {track.artists.length
              ? track.artists.map((artist, i) => (
                  <span key={artist.id}>
                    {i > 0 && ', '}
                    <Link to={`/artists/${artist.id}`} className="detail__artist">
                      {artist.name}
                    </Link>
                  </span>
                ))
              : track.artist}
            {track.album && (
              <span>
                {' · '}
                {track.albumId ? <Link to={`/albums/${track.albumId}`}>{track.album}</Link> : track.album}
              </span>
            )}
            {track.year && <span> · {track.year}</span>}
            <span> · {formatClock(track.durationMs)}</span>
          </p>
          {track.status !== 'ok' && (
            <p className="banner banner--error" role="status">
              {track.status === 'missing' ? 'The file is missing from the music folder.' : `The file cannot be read: ${track.brokenReason ?? 'unknown reason'}.`}
            </p>
          )}
          <div className="detail__rate">
            <FavoriteButton type="track" id={track.id} name={track.title} favorite={track.favorite} size="large" />
            <StarRating type="track" id={track.id} name={track.title} rating={track.rating} />
          </div>
          <div className="detail__actions">
            <button type="button" className="button button--primary" aria-label="Play track" disabled={!playable} onClick={() => quietly(playSource({ trackIds: [track.id] }))}>
              <PlayIcon /> Play
            </button>
            <button type="button" className="button button--ghost" disabled={!playable} onClick={() => quietly(queueSource({ trackIds: [track.id] }, 'next', `“${track.title}”`))}>
              <PlayNextIcon /> Play next
            </button>
            <button type="button" className="button button--ghost" onClick={() => openPlaylistPicker([track.id], `“${track.title}”`)}>
              <PlusIcon /> Add to playlist
            </button>
            {isAdmin && track.status !== 'broken' && (
              <button type="button" className="button button--ghost" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
                {editing ? 'Close editor' : 'Edit details'}
              </button>
            )}
          </div>
        </div>
      </header>

      {editing && (
        <TrackEditor
          track={track}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            rememberTracks([saved]);
            setEdited(saved);
            setEditing(false);
          }}
        />
      )}

      <div className="facts-grid">
        <Facts
          label="Catalog"
          rows={[
            ['Title', track.title],
            ['Artists', track.artists.map((a) => a.name).join(', ') || track.artist],
            ['Album', track.album],
            ['Album artist', track.albumArtist],
            ['Track', track.trackNumber ? `${track.trackNumber}${track.trackTotal ? ` of ${track.trackTotal}` : ''}` : null],
            ['Disc', track.discNumber ? `${track.discNumber}${track.discTotal ? ` of ${track.discTotal}` : ''}` : null],
            ['Year', track.year],
            ['Date', track.date],
            ['Original date', track.originalDate],
            ['Genres', track.genres.join(', ')],
            ['Compilation', track.compilation ? 'Yes' : null],
            ['BPM', track.bpm],
            ['Key', track.musicalKey],
            ['Comment', track.comment],
          ]}
        />
        <Facts
          label="File"
          rows={[
            ['Codec', track.codec ? `${track.codec}${track.lossless ? ' (lossless)' : ''}` : null],
            ['Container', track.container],
            ['Bitrate', track.bitrate ? `${Math.round(track.bitrate / 1000)} kbps` : null],
            ['Sample rate', track.sampleRate ? `${(track.sampleRate / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} kHz` : null],
            ['Bit depth', track.bitDepth ? `${track.bitDepth}-bit` : null],
            ['Channels', channelWords(track.channels)],
            ['Duration', track.durationMs ? formatClock(track.durationMs) : null],
            ['Size', bytes(track.size)],
            ['Lyrics', track.hasLyrics ? 'Yes' : null],
            ...(isAdmin ? ([['Path', <span className="mono break">{track.path}</span>]] as [string, React.ReactNode][]) : []),
          ]}
        />
        <Facts
          label="ReplayGain"
          rows={[
            ['Track gain', gain(rg.trackGain)],
            ['Track peak', peak(rg.trackPeak)],
            ['Album gain', gain(rg.albumGain)],
            ['Album peak', peak(rg.albumPeak)],
          ]}
        />
        <Facts
          label="Listening"
          rows={[
            ['Plays', track.playCount.toLocaleString()],
            ['Last played', date(track.lastPlayedAt)],
            ['Added', date(track.addedAt)],
          ]}
        />
        <Facts
          label="Identifiers"
          rows={[
            ['ISRC', track.isrc],
            ['MusicBrainz recording', track.mbRecordingId],
            ['MusicBrainz track', track.mbTrackId],
            ['MusicBrainz release', track.mbReleaseId],
            ['Content hash', track.contentHash ? <span className="mono break">{track.contentHash.slice(0, 16)}…</span> : null],
          ]}
        />
      </div>
    </article>
  );
}

const FIELDS: { key: keyof TrackForm; label: string; hint?: string; numeric?: boolean }[] = [
  { key: 'title', label: 'Title' },
  { key: 'artists', label: 'Artists', hint: 'Separate several with “;”.' },
  { key: 'album', label: 'Album' },
  { key: 'albumArtist', label: 'Album artist' },
  { key: 'year', label: 'Year', numeric: true },
  { key: 'genres', label: 'Genres', hint: 'Separate several with “;”.' },
  { key: 'trackNumber', label: 'Track number', numeric: true },
  { key: 'discNumber', label: 'Disc number', numeric: true },
];

/** The catalog editor: validates as a person would expect, sends only changed fields, shows the server's refusals. */
function TrackEditor({ track, onCancel, onSaved }: { track: Track; onCancel: () => void; onSaved: (track: Track) => void }) {
  const [form, setForm] = useState<TrackForm>(() => formFromTrack(track));
  const [errors, setErrors] = useState<Partial<Record<keyof TrackForm, string>>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const result = patchFromForm(track, form);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    if (!Object.keys(result.patch).length) {
      onCancel();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const saved = await ok(api.PATCH('/api/v1/tracks/{id}', { params: { path: { id: track.id } }, body: result.patch }));
      notify('Saved. The change shows everywhere and survives rescans.');
      onSaved(saved);
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel editor" aria-labelledby="editor-title">
      <h2 id="editor-title">Edit details</h2>
      <p className="muted small">Edits are kept apart from the file’s tags and win over them; the file itself is not changed.</p>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="editor__grid">
          {FIELDS.map((field) => (
            <Field key={field.key} id={`edit-${field.key}`} label={field.label} error={errors[field.key]} hint={field.hint}>
              <input
                id={`edit-${field.key}`}
                inputMode={field.numeric ? 'numeric' : undefined}
                value={form[field.key]}
                aria-invalid={Boolean(errors[field.key])}
                aria-describedby={errors[field.key] ? `edit-${field.key}-error` : undefined}
                onChange={(e) => setForm((f) => ({ ...f, [field.key]: e.target.value }))}
              />
            </Field>
          ))}
        </div>
        {problem && (
          <p className="form-error" role="alert">
            The server refused the change: {problem}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button button--ghost" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            Save changes
          </button>
        </div>
      </form>
    </section>
  );
}
