/**
 * Genre values as the library shows them. Besides real multi-valued tags, taggers put several genres in one value
 * separated by ";" (e.g. Discogs-tagged files: "Rock;Blues") or NUL, and ID3 uses numeric references into the
 * ID3v1 genre table ("(52)", "(17)Rock", "17"). music-metadata resolves those only in ID3v2 frames, so the
 * same references written into Vorbis, APE or iTunes tags are resolved here.
 */
import { cleanText, uniqueIgnoringCase } from './tag-text.js';

/** Genre names in the order of the ID3v1 genre table (Winamp extensions included): index = numeric reference. */
const ID3V1_GENRES: readonly string[] = [
  'Blues', 'Classic Rock', 'Country', 'Dance', 'Disco', 'Funk', 'Grunge', 'Hip-Hop', 'Jazz', 'Metal',
  'New Age', 'Oldies', 'Other', 'Pop', 'R&B', 'Rap', 'Reggae', 'Rock', 'Techno', 'Industrial',
  'Alternative', 'Ska', 'Death Metal', 'Pranks', 'Soundtrack', 'Euro-Techno', 'Ambient', 'Trip-Hop', 'Vocal', 'Jazz+Funk',
  'Fusion', 'Trance', 'Classical', 'Instrumental', 'Acid', 'House', 'Game', 'Sound Clip', 'Gospel', 'Noise',
  'Alt. Rock', 'Bass', 'Soul', 'Punk', 'Space', 'Meditative', 'Instrumental Pop', 'Instrumental Rock', 'Ethnic', 'Gothic',
  'Darkwave', 'Techno-Industrial', 'Electronic', 'Pop-Folk', 'Eurodance', 'Dream', 'Southern Rock', 'Comedy', 'Cult', 'Gangsta Rap',
  'Top 40', 'Christian Rap', 'Pop/Funk', 'Jungle', 'Native American', 'Cabaret', 'New Wave', 'Psychedelic', 'Rave', 'Showtunes',
  'Trailer', 'Lo-Fi', 'Tribal', 'Acid Punk', 'Acid Jazz', 'Polka', 'Retro', 'Musical', 'Rock & Roll', 'Hard Rock',
  'Folk', 'Folk/Rock', 'National Folk', 'Swing', 'Fast-Fusion', 'Bebob', 'Latin', 'Revival', 'Celtic', 'Bluegrass',
  'Avantgarde', 'Gothic Rock', 'Progressive Rock', 'Psychedelic Rock', 'Symphonic Rock', 'Slow Rock', 'Big Band', 'Chorus', 'Easy Listening', 'Acoustic',
  'Humour', 'Speech', 'Chanson', 'Opera', 'Chamber Music', 'Sonata', 'Symphony', 'Booty Bass', 'Primus', 'Porn Groove',
  'Satire', 'Slow Jam', 'Club', 'Tango', 'Samba', 'Folklore', 'Ballad', 'Power Ballad', 'Rhythmic Soul', 'Freestyle',
  'Duet', 'Punk Rock', 'Drum Solo', 'A Cappella', 'Euro-House', 'Dance Hall', 'Goa', 'Drum & Bass', 'Club-House', 'Hardcore',
  'Terror', 'Indie', 'BritPop', 'Negerpunk', 'Polsk Punk', 'Beat', 'Christian Gangsta Rap', 'Heavy Metal', 'Black Metal', 'Crossover',
  'Contemporary Christian', 'Christian Rock', 'Merengue', 'Salsa', 'Thrash Metal', 'Anime', 'JPop', 'Synthpop', 'Abstract', 'Art Rock',
  'Baroque', 'Bhangra', 'Big Beat', 'Breakbeat', 'Chillout', 'Downtempo', 'Dub', 'EBM', 'Eclectic', 'Electro',
  'Electroclash', 'Emo', 'Experimental', 'Garage', 'Global', 'IDM', 'Illbient', 'Industro-Goth', 'Jam Band', 'Krautrock',
  'Leftfield', 'Lounge', 'Math Rock', 'New Romantic', 'Nu-Breakz', 'Post-Punk', 'Post-Rock', 'Psytrance', 'Shoegaze', 'Space Rock',
  'Trop Rock', 'World Music', 'Neoclassical', 'Audiobook', 'Audio Theatre', 'Neue Deutsche Welle', 'Podcast', 'Indie Rock', 'G-Funk', 'Dubstep',
  'Garage Rock', 'Psybient',
];

/** ID3v2.3 also allows these two word references. */
const SPECIAL_REFERENCES: Record<string, string> = { RX: 'Remix', CR: 'Cover' };

/** A leading "(n)" / "(RX)" / "(CR)" reference. */
const LEADING_REFERENCE = /^\((\d{1,3}|RX|CR)\)/i;

function genreForReference(reference: string): string | null {
  const special = SPECIAL_REFERENCES[reference.toUpperCase()];
  if (special !== undefined) {
    return special;
  }
  return ID3V1_GENRES[Number.parseInt(reference, 10)] ?? null;
}

/**
 * Resolves ID3 numeric references in one genre value: "(52)" → ["Electronic"], "(52)(53)" → ["Electronic", "Pop-Folk"],
 * "(17)Rock & Roll" → ["Rock", "Rock & Roll"] (ID3v2.3 refinement text), a bare "17" → ["Rock"], "((foo)" → ["(foo)"].
 * Unknown numbers are dropped: they name nothing.
 */
function resolveGenreReferences(value: string): string[] {
  if (/^\d{1,3}$/.test(value)) {
    const genre = genreForReference(value);
    return genre === null ? [] : [genre];
  }
  const genres: string[] = [];
  let rest = value;
  let match = LEADING_REFERENCE.exec(rest);
  while (match) {
    const genre = genreForReference(match[1]);
    if (genre !== null) {
      genres.push(genre);
    }
    rest = rest.slice(match[0].length);
    match = LEADING_REFERENCE.exec(rest);
  }
  // "((" escapes a literal opening parenthesis in ID3v2.3.
  const refinement = cleanText(rest.startsWith('((') ? rest.slice(1) : rest);
  if (refinement !== null) {
    genres.push(refinement);
  }
  return genres;
}

/**
 * The genres of a file from the parser's genre values: each value is split on ";" and NUL, trimmed, resolved
 * from ID3 numeric references, and repeats are removed ignoring case. "/" is not a separator: "Folk/Rock" is a genre.
 */
export function normaliseGenres(values: readonly unknown[] | null | undefined): string[] {
  const genres: string[] = [];
  for (const value of values ?? []) {
    if (typeof value !== 'string') {
      continue;
    }
    for (const part of value.split(/[;\u0000]/)) {
      const text = cleanText(part);
      if (text !== null) {
        genres.push(...resolveGenreReferences(text));
      }
    }
  }
  return uniqueIgnoringCase(genres);
}
