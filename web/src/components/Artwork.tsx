import { useState } from 'react';
import { artworkUrl } from '../state/tracks';

/** A stable, pleasant gradient per name, for items without artwork. */
function gradientFor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  const hue = Math.abs(hash) % 360;
  return `linear-gradient(135deg, hsl(${hue} 45% 32%), hsl(${(hue + 40) % 360} 50% 18%))`;
}

/**
 * Album or artist artwork at about `size` CSS px (fetched at twice that for sharp screens), lazily loaded. Without
 * artwork, or when it fails to load, shows the name's initial on a gradient. Decorative: `alt=""` by default, since
 * the title next to it names the item.
 */
export function Artwork({
  artworkId,
  name,
  size,
  round = false,
  className = '',
}: {
  artworkId: string | null | undefined;
  name: string;
  size: number;
  round?: boolean;
  className?: string;
}) {
  const [failed, setFailed] = useState(false);
  const src = failed ? null : artworkUrl(artworkId, Math.min(2048, Math.max(64, Math.round(size * 2))));
  const shape = `artwork ${round ? 'artwork--round' : ''} ${className}`;
  if (!src) {
    return (
      <div className={`${shape} artwork--placeholder`} style={{ background: gradientFor(name), fontSize: Math.max(12, Math.round(size * 0.38)) }} aria-hidden="true">
        <span>{(name.trim()[0] ?? '♪').toUpperCase()}</span>
      </div>
    );
  }
  return <img className={shape} src={src} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />;
}
