import { useRef, useState, type DragEvent } from 'react';
import { PageHeader } from '../components/PageHeader';
import { UploadIcon } from '../components/icons';
import { plural } from '../lib/format';
import { useStore } from '../lib/store';
import { filePercent, isFinished, phaseLabel, summarize } from '../lib/upload-progress';
import { Link } from '../router';
import { clearFinishedImports, importFiles, imports } from '../state/import-files';

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Adds music from this computer: drop files on the zone or pick them; each file shows its progress and then
 * whether it was added, was already in the library, or was rejected (and why).
 */
export function ImportPage() {
  const entries = useStore(imports);
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const summary = summarize(entries);
  const busy = summary.done < summary.total;

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    importFiles(event.dataTransfer.files);
  };

  return (
    <section className="page">
      <PageHeader title="Import music" subtitle="Add files from this device to your own upload library." />
      <div
        className={`dropzone ${over ? 'is-over' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <UploadIcon className="dropzone__icon" />
        <p className="dropzone__title">Drop audio files here</p>
        <p className="muted">FLAC, MP3, AAC/M4A, Ogg, Opus, WAV and more. Several at once is fine.</p>
        <button type="button" className="button button--primary" onClick={() => picker.current?.click()}>
          Choose files…
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          accept="audio/*,.flac,.mp3,.m4a,.ogg,.opus,.wav,.aiff,.wv,.ape,.dsf"
          className="visually-hidden"
          aria-label="Choose audio files to import"
          tabIndex={-1}
          onChange={(event) => {
            if (event.target.files) importFiles(event.target.files);
            event.target.value = '';
          }}
        />
      </div>

      {entries.length > 0 && (
        <section className="section" aria-labelledby="import-results">
          <div className="section__head">
            <h2 id="import-results">{busy ? `Importing ${summary.done} of ${plural(summary.total, 'file')}…` : 'Import finished'}</h2>
            {!busy && (
              <button type="button" className="button button--ghost button--small" onClick={clearFinishedImports}>
                Clear list
              </button>
            )}
          </div>
          <div className="progress" role="progressbar" aria-label="Overall import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(summary.fraction * 100)}>
            <div className="progress__fill" style={{ width: `${summary.fraction * 100}%` }} />
          </div>
          <p className="muted" aria-live="polite">
            {summary.added} added · {summary.duplicate} already there · {summary.rejected} rejected
            {summary.added > 0 && !busy && (
              <>
                {' · '}
                <Link to="/tracks?sort=added">See recently added</Link>
              </>
            )}
          </p>
          <ul className="uploads" aria-label="Files">
            {entries.map((entry) => (
              <li key={entry.id} className={`upload upload--${entry.phase}`} aria-label={entry.name}>
                <div className="upload__line">
                  <span className="upload__name truncate" title={entry.name}>
                    {entry.name}
                  </span>
                  <span className="muted nowrap">{formatSize(entry.size)}</span>
                </div>
                {!isFinished(entry) && (
                  <div className="progress progress--thin" aria-hidden="true">
                    <div className="progress__fill" style={{ width: `${filePercent(entry)}%` }} />
                  </div>
                )}
                <span className="upload__status">
                  {entry.phase === 'added' && entry.trackId ? (
                    <Link to={`/tracks/${entry.trackId}`}>{phaseLabel(entry)}</Link>
                  ) : (
                    phaseLabel(entry)
                  )}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
