import { useEffect } from 'react';
import { api, ok } from '../api/client';
import type { Query } from '../api/types';
import { Artwork } from '../components/Artwork';
import { PlayIcon } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, Loading } from '../components/States';
import { TrackHeader, TrackRow } from '../components/TrackTable';
import { usePagedList } from '../hooks/use-paged-list';
import { useResource } from '../hooks/use-resource';
import { groupByDay } from '../lib/history-days';
import { plural } from '../lib/format';
import { Link, setQuery, useLocation } from '../router';
import { onLiveEvent } from '../state/events';
import { playSource } from '../state/queue-actions';
import { rememberTracks } from '../state/tracks';

type Period = NonNullable<Query<'/api/v1/history/top'>['period']>;
type TopType = Query<'/api/v1/history/top'>['type'];
const PERIODS: { value: Period; label: string }[] = [
  { value: 'week', label: 'Last 7 days' },
  { value: 'month', label: 'Last 30 days' },
  { value: 'year', label: 'Last year' },
  { value: 'all', label: 'All time' },
];
const TYPES: { value: TopType; label: string }[] = [
  { value: 'track', label: 'Tracks' },
  { value: 'album', label: 'Albums' },
  { value: 'artist', label: 'Artists' },
];
const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

/** What you listened to: recent plays grouped by day, and most played tracks, albums and artists per period. */
export function HistoryPage() {
  const { search } = useLocation();
  const view = search.get('view') === 'top' ? 'top' : 'recent';
  return (
    <section className="page">
      <PageHeader title="History" subtitle="What you played, and what you play most">
        <div className="segmented" role="tablist" aria-label="History view">
          <button type="button" role="tab" aria-selected={view === 'recent'} onClick={() => setQuery({ view: null })}>
            Recently played
          </button>
          <button type="button" role="tab" aria-selected={view === 'top'} onClick={() => setQuery({ view: 'top' })}>
            Most played
          </button>
        </div>
      </PageHeader>
      <div role="tabpanel">{view === 'recent' ? <RecentPlays /> : <MostPlayed />}</div>
    </section>
  );
}

function RecentPlays() {
  const list = usePagedList('history', async (cursor) => {
    const page = await ok(api.GET('/api/v1/history', { params: { query: { limit: 100, cursor } } }));
    rememberTracks(page.items.map((play) => play.track));
    return page;
  });
  const { reload } = list;
  useEffect(() => onLiveEvent((event) => event.type === 'collection' && reload()), [reload]);
  if (list.error && !list.items.length) return <ErrorState error={list.error} onRetry={reload} title="Could not load your history" />;
  if (list.loading && !list.items.length) return <Loading label="Loading history…" />;
  if (!list.items.length) {
    return (
      <Empty title="Nothing played yet" action={<Link to="/albums" className="button">Find something to play</Link>}>
        Tracks you listen to past the halfway mark (or four minutes) are recorded here.
      </Empty>
    );
  }
  const columns = { number: 'index' as const, artwork: true, album: true };
  const ids = list.items.map((play) => play.trackId);
  let offset = 0;
  return (
    <>
      {groupByDay(list.items, Date.now()).map((group) => {
        const start = offset;
        offset += group.plays.length;
        return (
          <section key={`${group.label}-${start}`} className="section section--tight" aria-label={group.label}>
            <h2 className="day-title">{group.label}</h2>
            <div className="track-table" role="table" aria-label={`Played ${group.label}`}>
              <TrackHeader columns={columns} />
              {group.plays.map((play, i) => (
                <TrackRow
                  key={play.id}
                  track={play.track}
                  index={start + i}
                  columns={columns}
                  onPlay={() => quietly(playSource({ trackIds: ids }, start + i))}
                />
              ))}
            </div>
          </section>
        );
      })}
      {list.hasMore && (
        <div className="load-more">
          <button type="button" className="button" disabled={list.loading} onClick={list.loadMore}>
            {list.loading ? 'Loading…' : 'Show earlier plays'}
          </button>
        </div>
      )}
    </>
  );
}

function MostPlayed() {
  const { search } = useLocation();
  const period = (PERIODS.some((p) => p.value === search.get('period')) ? search.get('period') : 'month') as Period;
  const type = (TYPES.some((t) => t.value === search.get('type')) ? search.get('type') : 'track') as TopType;
  const top = useResource(() => ok(api.GET('/api/v1/history/top', { params: { query: { type, period, limit: 50 } } })), [type, period]);

  const rows =
    top.data?.items.map((item) =>
      item.type === 'track'
        ? { id: item.track.id, name: item.track.title, sub: item.track.artist, artworkId: item.track.artworkId, to: `/tracks/${item.track.id}`, plays: item.playCount, round: false }
        : item.type === 'album'
          ? { id: item.album.id, name: item.album.title, sub: item.album.albumArtist, artworkId: item.album.artworkId, to: `/albums/${item.album.id}`, plays: item.playCount, round: false }
          : { id: item.artist.id, name: item.artist.name, sub: plural(item.artist.albumCount, 'album'), artworkId: item.artist.artworkId, to: `/artists/${item.artist.id}`, plays: item.playCount, round: true },
    ) ?? [];
  const play = (index: number) => {
    const item = top.data!.items[index]!;
    if (item.type === 'track') quietly(playSource({ trackIds: top.data!.items.flatMap((i) => (i.type === 'track' ? [i.track.id] : [])) }, index));
    else if (item.type === 'album') quietly(playSource({ albumId: item.album.id }));
  };

  return (
    <>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Show">
          {TYPES.map((t) => (
            <button key={t.value} type="button" aria-pressed={type === t.value} onClick={() => setQuery({ type: t.value === 'track' ? null : t.value })}>
              {t.label}
            </button>
          ))}
        </div>
        <label className="select">
          <span className="visually-hidden">Period</span>
          <select aria-label="Period" value={period} onChange={(e) => setQuery({ period: e.target.value === 'month' ? null : e.target.value })}>
            {PERIODS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {top.error ? (
        <ErrorState error={top.error} onRetry={top.reload} title="Could not load your most played" />
      ) : !top.data ? (
        <Loading label="Counting plays…" />
      ) : !rows.length ? (
        <Empty title="No plays in this period">Pick a longer period, or play some music and come back.</Empty>
      ) : (
        <ol className="ranked" aria-label={`Most played ${TYPES.find((t) => t.value === type)!.label.toLowerCase()}`}>
          {rows.map((row, index) => (
            <li key={row.id} className="list-row">
              <span className="ranked__n" aria-hidden="true">
                {index + 1}
              </span>
              <Artwork artworkId={row.artworkId} name={row.name} size={48} round={row.round} />
              <span className="list-row__main">
                <Link to={row.to} className="list-row__title">
                  {row.name}
                </Link>
                <span className="muted truncate">{row.sub}</span>
              </span>
              <span className="muted nowrap">{plural(row.plays, 'play')}</span>
              {type !== 'artist' && (
                <button type="button" className="icon-button icon-button--small" aria-label={`Play ${row.name}`} onClick={() => play(index)}>
                  <PlayIcon />
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
