import path from 'node:path';

/**
 * Extensions the scanner treats as audio (from the list). A file with one of them is only catalogued as
 * `ok` once the tag reader finds an audio stream in it; everything else in a music folder is ignored.
 */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp3', 'mp2', 'mp1', 'flac', 'ogg', 'oga', 'opus', 'spx', 'm4a', 'm4b', 'mp4', 'aac', 'wav', 'aif', 'aiff', 'aifc',
  'wma', 'asf', 'ape', 'wv', 'mpc', 'dsf', 'dff', 'mka', 'webm',
]);

export function isAudioFileName(name: string): boolean {
  return AUDIO_EXTENSIONS.has(path.extname(name).slice(1).toLowerCase());
}

const FOLDER_IMAGE = /^(cover|folder|front)\.(jpg|jpeg|png|webp)$/i;
const IMAGE_BASE_ORDER = ['cover', 'folder', 'front'];
const IMAGE_EXT_ORDER = ['jpg', 'jpeg', 'png', 'webp'];

/**
 * Rank of a folder image name (`cover|folder|front.(jpg|jpeg|png|webp)`, case-insensitive); lower wins, so a folder
 * holding both `cover.jpg` and `folder.png` always picks `cover.jpg`. Null when the name is not a folder image.
 */
export function folderImageRank(name: string): number | null {
  const match = FOLDER_IMAGE.exec(name);
  if (!match) return null;
  return IMAGE_BASE_ORDER.indexOf(match[1].toLowerCase()) * 10 + IMAGE_EXT_ORDER.indexOf(match[2].toLowerCase());
}
