import { useEffect, useState } from 'react';
import { usePlayback } from '../hooks/use-playback';
import { useStore } from '../lib/store';
import { Link } from '../router';
import { needsGesture } from '../state/audio-engine';
import { currentItem, devices, sendCommand } from '../state/playback';
import { thisDeviceId } from '../state/device';
import { useTrack } from '../state/tracks';
import { Artwork } from './Artwork';
import { DevicesMenu } from './DevicesMenu';
import {
  MuteIcon,
  NextIcon,
  PauseIcon,
  PlayIcon,
  PreviousIcon,
  QueueIcon,
  RepeatIcon,
  RepeatOneIcon,
  ShuffleIcon,
  VolumeIcon,
} from './icons';
import { SeekBar } from './SeekBar';

const quietly = (promise: Promise<unknown>) => void promise.catch(() => undefined);

/**
 * The bar at the bottom: what is playing (artwork, title, artist), transport controls, the seek bar, volume, queue
 * and devices. When another device plays, says so ("Playing on …"): this tab is then a remote control.
 */
export function PlayerBar({ queueOpen, onToggleQueue }: { queueOpen: boolean; onToggleQueue: () => void }) {
  const state = usePlayback();
  const deviceList = useStore(devices);
  const gestureNeeded = useStore(needsGesture);
  const current = currentItem(state);
  const track = useTrack(state?.current?.trackId);
  const [volume, setVolume] = useState(state?.volume ?? 100);
  const [muted, setMuted] = useState<number | null>(null);
  useEffect(() => setVolume(state?.volume ?? 100), [state?.volume]);

  const playing = state?.playState === 'playing';
  const hasQueue = !!state?.queue.items.length;
  const activeId = state?.activeDeviceId ?? null;
  const remoteDevice = activeId && activeId !== thisDeviceId() ? deviceList.find((d) => d.id === activeId) : undefined;
  const durationMs = current?.item.durationMs ?? track?.durationMs ?? null;

  const setVolumeNow = (percent: number) => {
    setVolume(percent);
    quietly(sendCommand('volume', { percent }));
  };
  const cycleRepeat = () => quietly(sendCommand('repeat', { mode: state?.repeat === 'off' ? 'all' : state?.repeat === 'all' ? 'one' : 'off' }));
  const repeatLabel = state?.repeat === 'one' ? 'Repeat: one track' : state?.repeat === 'all' ? 'Repeat: whole queue' : 'Repeat: off';

  return (
    <footer className="player" aria-label="Player">
      <div className="player__now">
        {track ? (
          <>
            <Artwork artworkId={track.artworkId} name={track.album ?? track.title} size={56} className="player__art" />
            <div className="player__meta">
              {track.albumId ? (
                <Link to={`/albums/${track.albumId}`} className="player__title" data-testid="now-playing-title">
                  {track.title}
                </Link>
              ) : (
                <span className="player__title" data-testid="now-playing-title">
                  {track.title}
                </span>
              )}
              {track.artists[0] ? (
                <Link to={`/artists/${track.artists[0].id}`} className="player__artist">
                  {track.artist}
                </Link>
              ) : (
                <span className="player__artist">{track.artist}</span>
              )}
            </div>
          </>
        ) : (
          <div className="player__meta player__meta--idle">
            <span className="player__title">Nothing playing</span>
            <span className="player__artist">Pick an album or a track to start.</span>
          </div>
        )}
      </div>

      <div className="player__center">
        <div className="player__controls">
          <button
            type="button"
            className={`icon-button ${state?.shuffle ? 'is-on' : ''}`}
            aria-label="Shuffle"
            aria-pressed={!!state?.shuffle}
            disabled={!hasQueue}
            onClick={() => quietly(sendCommand('shuffle', { enabled: !state?.shuffle }))}
          >
            <ShuffleIcon />
          </button>
          <button type="button" className="icon-button" aria-label="Previous track" disabled={!hasQueue} onClick={() => quietly(sendCommand('previous'))}>
            <PreviousIcon />
          </button>
          <button
            type="button"
            className="play-button"
            aria-label={playing ? 'Pause' : 'Play'}
            disabled={!hasQueue}
            onClick={() => quietly(sendCommand(playing ? 'pause' : 'resume'))}
          >
            {playing ? <PauseIcon /> : <PlayIcon />}
          </button>
          <button type="button" className="icon-button" aria-label="Next track" disabled={!hasQueue} onClick={() => quietly(sendCommand('next'))}>
            <NextIcon />
          </button>
          <button
            type="button"
            className={`icon-button ${state?.repeat !== 'off' && state ? 'is-on' : ''}`}
            aria-label={repeatLabel}
            title={repeatLabel}
            disabled={!state}
            onClick={cycleRepeat}
          >
            {state?.repeat === 'one' ? <RepeatOneIcon /> : <RepeatIcon />}
          </button>
        </div>
        <SeekBar
          durationMs={durationMs}
          disabled={!state?.current}
          onSeek={(positionMs) => quietly(sendCommand('seek', { positionMs }))}
        />
        {remoteDevice && (
          <p className="player__remote" role="status">
            Playing on <strong>{remoteDevice.name}</strong>
          </p>
        )}
        {gestureNeeded && (
          <button type="button" className="button button--small player__gesture" onClick={() => quietly(sendCommand('resume'))}>
            Your browser blocked autoplay: click to play here
          </button>
        )}
      </div>

      <div className="player__side">
        <button
          type="button"
          className={`icon-button ${queueOpen ? 'is-on' : ''}`}
          aria-label="Queue"
          aria-pressed={queueOpen}
          onClick={onToggleQueue}
        >
          <QueueIcon />
        </button>
        <DevicesMenu />
        <div className="volume">
          <button
            type="button"
            className="icon-button"
            aria-label={volume === 0 ? 'Unmute' : 'Mute'}
            onClick={() => {
              if (volume === 0) setVolumeNow(muted ?? 80);
              else {
                setMuted(volume);
                setVolumeNow(0);
              }
            }}
          >
            {volume === 0 ? <MuteIcon /> : <VolumeIcon />}
          </button>
          <input
            type="range"
            className="volume__slider"
            aria-label="Volume"
            min={0}
            max={100}
            step={1}
            value={volume}
            style={{ '--fill': `${volume}%` } as React.CSSProperties}
            onChange={(event) => setVolume(Number(event.target.value))}
            onPointerUp={(event) => setVolumeNow(Number((event.target as HTMLInputElement).value))}
            onKeyUp={(event) => setVolumeNow(Number((event.target as HTMLInputElement).value))}
          />
        </div>
      </div>
    </footer>
  );
}
