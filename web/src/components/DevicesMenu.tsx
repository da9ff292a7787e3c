import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, describeError, ok } from '../api/client';
import { usePlayback } from '../hooks/use-playback';
import { useStore } from '../lib/store';
import { thisDeviceId } from '../state/device';
import { notify } from '../state/notices';
import { devices, sendCommand } from '../state/playback';
import { DevicesIcon, SpeakerIcon } from './icons';

/** Renames this browser's device (`PATCH /devices/{id}`), so two browsers of one kind can be told apart. */
function RenameThisDevice({ id, name, onDone }: { id: string; name: string; onDone: () => void }) {
  const [value, setValue] = useState(name);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const renamed = await ok(api.PATCH('/api/v1/devices/{id}', { params: { path: { id } }, body: { name: value.trim() } }));
      devices.set((list) => list.map((device) => (device.id === id ? { ...device, name: renamed.name } : device)));
      onDone();
    } catch (error) {
      notify(describeError(error), 'error');
    }
  };
  return (
    <form className="devices__rename" onSubmit={submit}>
      <input className="input" aria-label="Name of this browser" value={value} maxLength={100} required onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="button button--small" disabled={!value.trim()}>
        Save
      </button>
    </form>
  );
}

/**
 * Lists the user's devices (online first), marks the one playing and this browser, and moves playback to the one
 * chosen (`transfer`, keeping play or pause). Offline devices are shown but cannot be chosen.
 */
export function DevicesMenu() {
  const [open, setOpen] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const list = useStore(devices);
  const state = usePlayback();
  const panel = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const me = thisDeviceId();
  const activeId = state?.activeDeviceId ?? null;
  const sorted = [...list].sort((a, b) => Number(b.id === me) - Number(a.id === me) || Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));

  useEffect(() => {
    if (!open) return;
    // Presence events carry names only when a device comes or goes; pick up renames made elsewhere.
    ok(api.GET('/api/v1/devices')).then(
      ({ items }) => devices.set((list) => list.map((device) => ({ ...device, name: items.find((item) => item.id === device.id)?.name ?? device.name }))),
      () => undefined,
    );
    panel.current?.querySelector<HTMLElement>('button:not([disabled])')?.focus();
    const close = (event: MouseEvent) => {
      if (!panel.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const choose = (deviceId: string) => {
    setOpen(false);
    if (deviceId !== activeId) void sendCommand('transfer', { deviceId }).catch(() => undefined);
  };

  return (
    <div className="popover-anchor">
      <button
        ref={button}
        type="button"
        className={`icon-button ${activeId && activeId !== me ? 'is-on' : ''}`}
        aria-label="Devices"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => setOpen((value) => !value)}
      >
        <DevicesIcon />
      </button>
      {open && (
        <div
          ref={panel}
          className="popover devices"
          role="dialog"
          aria-label="Play on a device"
          data-own-keys
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setOpen(false);
              button.current?.focus();
            }
          }}
        >
          <h2 className="popover__title">Play on</h2>
          {sorted.length === 0 && <p className="muted">No devices yet. Each browser or app you sign in with shows up here.</p>}
          <ul className="devices__list">
            {sorted.map((device) => {
              const active = device.id === activeId;
              return (
                <li key={device.id}>
                  <button
                    type="button"
                    className={`devices__item ${active ? 'is-active' : ''}`}
                    disabled={!device.online && device.id !== me}
                    aria-current={active ? 'true' : undefined}
                    onClick={() => choose(device.id)}
                  >
                    <SpeakerIcon className="devices__icon" />
                    <span className="devices__text">
                      <span className="devices__name">
                        {device.name}
                        {device.id === me && <span className="tag">This browser</span>}
                      </span>
                      <span className="devices__status">
                        {active ? (state?.playState === 'playing' ? 'Playing' : 'Active, paused') : device.online ? 'Online' : 'Offline'}
                      </span>
                    </span>
                    {active && state?.playState === 'playing' && <span className="eq" aria-hidden="true"><i /><i /><i /></span>}
                  </button>
                  {device.id === me &&
                    (renaming ? (
                      <RenameThisDevice id={device.id} name={device.name} onDone={() => setRenaming(false)} />
                    ) : (
                      <button type="button" className="link-button devices__rename-link" onClick={() => setRenaming(true)}>
                        Rename this browser
                      </button>
                    ))}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
