import type { SVGProps } from 'react';

/** Icons are decorative (`aria-hidden`): the button or link around them carries the accessible name. */
function icon(paths: React.ReactNode, viewBox = '0 0 24 24') {
  return function Icon(props: SVGProps<SVGSVGElement>) {
    return (
      <svg viewBox={viewBox} width="1em" height="1em" fill="currentColor" aria-hidden="true" focusable="false" {...props}>
        {paths}
      </svg>
    );
  };
}

export const PlayIcon = icon(<path d="M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14Z" />);
export const PauseIcon = icon(<path d="M7 4h3.5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Zm6.5 0H17a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-3.5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Z" />);
export const NextIcon = icon(<path d="M5 5.5v13a1 1 0 0 0 1.55.83L15 13.7V18a1 1 0 0 0 1 1h2a1 1 0 0 0 1-1V6a1 1 0 0 0-1-1h-2a1 1 0 0 0-1 1v4.3L6.55 4.67A1 1 0 0 0 5 5.5Z" />);
export const PreviousIcon = icon(<path d="M19 5.5v13a1 1 0 0 1-1.55.83L9 13.7V18a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1h2a1 1 0 0 1 1 1v4.3l8.45-5.63A1 1 0 0 1 19 5.5Z" />);
export const ShuffleIcon = icon(
  <path d="M17 3l4 4-4 4V8h-2.2a3 3 0 0 0-2.4 1.2l-1.1 1.5-1.25-1.67 1.15-1.53A5 5 0 0 1 14.8 6H17V3ZM3 6h3.2a5 5 0 0 1 4 2l5.6 7.47a3 3 0 0 0 2.4 1.2H17V14l4 4-4 4v-3h-2.2a5 5 0 0 1-4-2L5.2 9.53A3 3 0 0 0 3.8 8H3V6Zm0 10h.8a3 3 0 0 0 1.4-.53l1.1-1.47 1.25 1.67-1.05 1.4A5 5 0 0 1 3.8 18H3v-2Z" />,
);
export const RepeatIcon = icon(<path d="M7 7h10v3l4-4-4-4v3H5v6h2V7Zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2v4Z" />);
export const RepeatOneIcon = icon(
  <path d="M7 7h10v3l4-4-4-4v3H5v6h2V7Zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2v4Zm-4-2V9h-1l-2 1v1h1.5v4H13Z" />,
);
export const VolumeIcon = icon(<path d="M4 9v6h4l5 5V4L8 9H4Zm12.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.47 4.47 0 0 0 16.5 12ZM14 3.23v2.06a7 7 0 0 1 0 13.42v2.06a9 9 0 0 0 0-17.54Z" />);
export const MuteIcon = icon(<path d="M4 9v6h4l5 5V4L8 9H4Zm12.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4-2.7-2.7Z" />);
export const QueueIcon = icon(<path d="M3 6h13v2H3V6Zm0 5h13v2H3v-2Zm0 5h9v2H3v-2Zm14-1v-5l5 3.5-5 3.5-0 -2Z" />);
export const DevicesIcon = icon(
  <path d="M4 6h16V4H4a2 2 0 0 0-2 2v11H0v3h14v-3H4V6Zm19 2h-6a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h6a1 1 0 0 0 1-1V9a1 1 0 0 0-1-1Zm-1 9h-4v-7h4v7Z" />,
);
export const SearchIcon = icon(<path d="M10 2a8 8 0 0 1 6.32 12.9l5.39 5.4-1.41 1.4-5.4-5.38A8 8 0 1 1 10 2Zm0 2a6 6 0 1 0 0 12 6 6 0 0 0 0-12Z" />);
export const AlbumIcon = icon(<path d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm0 6a4 4 0 1 0 0 8 4 4 0 0 0 0-8Zm0 3a1 1 0 1 1 0 2 1 1 0 0 1 0-2Z" />);
export const ArtistIcon = icon(<path d="M12 2a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm0 12c4.42 0 8 2.24 8 5v3H4v-3c0-2.76 3.58-5 8-5Z" />);
export const TrackIcon = icon(<path d="M9 3v10.55A4 4 0 1 0 11 17V7h6V3H9Z" />);
export const CloseIcon = icon(<path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4 6.4 5Z" />);
export const MoreIcon = icon(<path d="M5 10a2 2 0 1 1 0 4 2 2 0 0 1 0-4Zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4Zm7 0a2 2 0 1 1 0 4 2 2 0 0 1 0-4Z" />);
export const DragIcon = icon(<path d="M9 5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3ZM9 10.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3ZM9 16a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Zm6 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3Z" />);
export const MenuIcon = icon(<path d="M3 6h18v2H3V6Zm0 5h18v2H3v-2Zm0 5h18v2H3v-2Z" />);
export const SpeakerIcon = icon(<path d="M17 2H7a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2Zm-5 2a2 2 0 1 1 0 4 2 2 0 0 1 0-4Zm0 16a5 5 0 1 1 0-10 5 5 0 0 1 0 10Zm0-8a3 3 0 1 0 0 6 3 3 0 0 0 0-6Z" />);
export const PlusIcon = icon(<path d="M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6V5Z" />);
export const PlayNextIcon = icon(<path d="M3 6h11v2H3V6Zm0 5h11v2H3v-2Zm0 5h7v2H3v-2Zm13-5v8l6-4-6-4Z" />);
export const SignOutIcon = icon(<path d="M10 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h5v-2H5V5h5V3Zm6.6 4.6L15.2 9l2 2H9v2h8.2l-2 2 1.4 1.4L21 12l-4.4-4.4Z" />);
export const WifiOffIcon = icon(<path d="M2.3 3.7 3.7 2.3l18 18-1.4 1.4-6.2-6.2a3 3 0 0 0-3.9 3.9L12 21l-3.5-3.5a5 5 0 0 1 3.3-1.47L9.6 13.8a7 7 0 0 0-3.4 1.9l-1.4-1.4a9 9 0 0 1 3-2L5.6 10.1A12 12 0 0 0 2 12.6L.6 11.2a14 14 0 0 1 3.5-2.6L2.3 6.8V3.7Zm9.7 3.3a14 14 0 0 1 11.4 4.2L22 12.6a12 12 0 0 0-7.8-3.4L12 7Z" />);
export const HeartIcon = icon(<path d="M12 21.35 10.55 20C5.4 15.36 2 12.28 2 8.5A5.45 5.45 0 0 1 7.5 3c1.74 0 3.41.81 4.5 2.09A6 6 0 0 1 16.5 3 5.45 5.45 0 0 1 22 8.5c0 3.78-3.4 6.86-8.55 11.54L12 21.35Z" />);
export const HeartOutlineIcon = icon(<path d="M16.5 3A6 6 0 0 0 12 5.09 6 6 0 0 0 7.5 3 5.45 5.45 0 0 0 2 8.5c0 3.78 3.4 6.86 8.55 11.54L12 21.35l1.45-1.32C18.6 15.36 22 12.28 22 8.5A5.45 5.45 0 0 0 16.5 3Zm-4.4 15.55-.1.1-.1-.1C7.14 14.24 4 11.39 4 8.5A3.42 3.42 0 0 1 7.5 5a3.9 3.9 0 0 1 3.57 2.36h1.87A3.88 3.88 0 0 1 16.5 5 3.42 3.42 0 0 1 20 8.5c0 2.89-3.14 5.74-7.9 10.05Z" />);
export const StarIcon = icon(<path d="m12 17.27 6.18 3.73-1.64-7.03L22 9.24l-7.19-.61L12 2 9.19 8.63 2 9.24l5.46 4.73L5.82 21 12 17.27Z" />);
export const ListIcon = icon(<path d="M3 5h2v2H3V5Zm4 0h14v2H7V5Zm-4 6h2v2H3v-2Zm4 0h14v2H7v-2Zm-4 6h2v2H3v-2Zm4 0h14v2H7v-2Z" />);
export const HistoryIcon = icon(<path d="M13 3a9 9 0 0 0-9 9H1l3.9 3.9L9 12H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3Zm-1 5v5l4.25 2.52.77-1.28-3.52-2.09V8H12Z" />);
export const UploadIcon = icon(<path d="M11 16V7.85l-2.6 2.6L7 9l5-5 5 5-1.4 1.45-2.6-2.6V16h-2Zm-7 4v-5h2v3h12v-3h2v5H4Z" />);
export const PulseIcon = icon(<path d="M3 13h4l2.5-7 4 14 3-9.5L18 13h3v-2h-1.6l-2.1-4.6-2.4 7.6-4-14L5.6 11H3v2Z" />);
export const UsersIcon = icon(<path d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0 2c-3.3 0-7 1.6-7 4v3h14v-3c0-2.4-3.7-4-7-4Zm7.5-2a3.5 3.5 0 1 0-1.2-6.78A5.96 5.96 0 0 1 15 11h1.5Zm1.5 2.3c1.6.8 2 2 2 3.7v3h3v-3c0-1.7-2.1-3.1-5-3.7Z" />);
export const KeyIcon = icon(<path d="M7 14a2 2 0 1 1 0-4 2 2 0 0 1 0 4Zm5.65-4A6 6 0 1 0 12.65 14H17v4h4v-4h2v-4H12.65Z" />);
export const LogIcon = icon(<path d="M6 2h9l5 5v15H6V2Zm8 1.5V8h4.5L14 3.5ZM8 12h10v-2H8v2Zm0 4h10v-2H8v2Zm0 4h7v-2H8v2Z" />);
export const GearIcon = icon(<path d="M19.4 13a7.8 7.8 0 0 0 0-2l2.1-1.65-2-3.46-2.49 1a7.6 7.6 0 0 0-1.73-1L14.9 3.2h-4l-.38 2.69a7.6 7.6 0 0 0-1.73 1l-2.49-1-2 3.46L6.4 11a7.8 7.8 0 0 0 0 2l-2.1 1.65 2 3.46 2.49-1c.53.4 1.11.74 1.73 1l.38 2.69h4l.38-2.69a7.6 7.6 0 0 0 1.73-1l2.49 1 2-3.46L19.4 13ZM12.9 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Z" />);
export const FolderIcon = icon(<path d="M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8l-2-2Z" />);
