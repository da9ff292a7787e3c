import type { Random } from './random.js';

/**
 * Real artist names that exercise what word lists would not: Latin-1 and non-Latin scripts (which force UTF-16 in
 * ID3v2.3), "&", and a slash that cannot appear in a folder name.
 */
const NOTABLE_ARTISTS = [
  'Sigur Rós', 'Beyoncé', 'Björk', 'Motörhead', 'Mötley Crüe', 'Hüsker Dü', 'Ólafur Arnalds', 'Zoë Keating',
  'Café Tacvba', 'Röyksopp', 'Mø', 'Françoise Hardy', 'Jóhann Jóhannsson', 'Sólstafir', 'Múm', 'Émilie Simon',
  'Los Ángeles Azules', 'Amadou & Mariam', 'Kruder & Dorfmeister', 'AC/DC', '坂本龍一', 'Кино', 'Ørkenbrand', 'Niña Pastori',
] as const;

const FIRST_NAMES = [
  'Ada', 'Miles', 'Nina', 'Otis', 'June', 'Felix', 'Mara', 'Theo', 'Iris', 'Hugo', 'Lena', 'Elliott', 'Rosa', 'Jonah',
  'Clara', 'Dexter', 'Maya', 'Silas', 'Ines', 'Oscar', 'Greta', 'Rufus', 'Nadia', 'Arlo', 'José', 'Zoë', 'Søren', 'Renée',
] as const;

const LAST_NAMES = [
  'Hart', 'Vance', 'Okafor', 'Lindqvist', 'Moreau', 'Castillo', 'Brennan', 'Sato', 'Whitfield', 'Kowalski', 'Adeyemi',
  'Holloway', 'Marsh', 'Delacroix', 'Novak', 'Quinn', 'Abernathy', 'Fontaine', 'Reyes', 'Thorne', 'Müller', 'Nuñez',
] as const;

const ADJECTIVES = [
  'Silver', 'Hollow', 'Electric', 'Quiet', 'Golden', 'Broken', 'Velvet', 'Midnight', 'Paper', 'Northern', 'Crimson',
  'Gentle', 'Distant', 'Frozen', 'Wild', 'Neon', 'Secret', 'Burning', 'Lonely', 'Endless', 'Bright', 'Fading', 'Lucky',
] as const;

const NOUNS = [
  'Harbor', 'Engine', 'River', 'Lantern', 'Horizon', 'Garden', 'Signal', 'Echo', 'Mirror', 'Satellite', 'Forest',
  'Highway', 'Ocean', 'Orchard', 'Machine', 'Window', 'Compass', 'Thunder', 'Ember', 'Canyon', 'Feather', 'Winter',
  'Summer', 'Atlas', 'Tide', 'Meadow', 'Skyline', 'Shadow', 'Heart', 'Island', 'Crown', 'Station', 'Letter', 'Wolf',
] as const;

const PLURAL_NOUNS = [
  'Wolves', 'Lanterns', 'Rivers', 'Engines', 'Strangers', 'Sparrows', 'Ghosts', 'Mountains', 'Satellites', 'Tigers',
  'Pilots', 'Echoes', 'Architects', 'Dreamers', 'Comets', 'Lovers', 'Shadows', 'Horses', 'Saints', 'Machines',
] as const;

/** Non-English title words, so titles and folder names carry diacritics and letters outside Latin-1. */
const FOREIGN_WORDS = [
  'Ágætis', 'Fjöll', 'Été', 'Mañana', 'Corazón', 'Sueño', 'Nuit', 'Straße', 'Glück', 'Ørken', 'Året', 'Ciudad',
  'Saudade', 'Canção', 'Łąka', 'Дорога', '夜明け', 'Ξένος',
] as const;

const VERBS = [
  'Running', 'Falling', 'Waiting', 'Dancing', 'Dreaming', 'Burning', 'Drifting', 'Shining', 'Calling', 'Breathing',
] as const;

const PLACES = ['Fillmore', 'Royal Albert Hall', 'Paradiso', 'Olympia', 'Roundhouse', 'Blue Note', 'Bataclan'] as const;

/** Genres, with the odd one that is not plain ASCII or has a separator character. */
export const GENRES = [
  'Rock', 'Pop', 'Electronic', 'Jazz', 'Hip-Hop', 'Classical', 'Folk', 'Metal', 'Ambient', 'Soul', 'Indie',
  'Post-Rock', 'R&B', 'Country', 'Reggae', 'Blues', 'Latin', 'Soundtrack', 'Chanson française', 'Música Popular Brasileira',
] as const;

/** Remembers which notable names were used, so each appears as at most one artist. */
export class ArtistNamer {
  private readonly unusedNotables: string[] = [...NOTABLE_ARTISTS];

  constructor(private readonly random: Random) {}

  /** A fresh artist name; about one in six comes from the notable list while it lasts. */
  next(): string {
    const random = this.random;
    if (this.unusedNotables.length > 0 && random.chance(0.16)) {
      return this.unusedNotables.splice(random.int(0, this.unusedNotables.length - 1), 1)[0];
    }
    switch (random.int(0, 5)) {
      case 0:
        return `The ${random.pick(ADJECTIVES)} ${random.pick(PLURAL_NOUNS)}`;
      case 1:
        return `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
      case 2:
        return `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)} & The ${random.pick(PLURAL_NOUNS)}`;
      case 3:
        return `${random.pick(NOUNS)} ${random.pick(NOUNS)}`;
      case 4:
        return `DJ ${random.pick(NOUNS)}`;
      default:
        return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
    }
  }
}

export function albumTitle(random: Random): string {
  switch (random.int(0, 6)) {
    case 0:
      return `The ${random.pick(NOUNS)} of ${random.pick(NOUNS)}`;
    case 1:
      return random.pick(NOUNS);
    case 2:
      return `${random.pick(ADJECTIVES)} ${random.pick(PLURAL_NOUNS)}`;
    case 3:
      return `Live at the ${random.pick(PLACES)}`;
    case 4:
      return `${random.pick(FOREIGN_WORDS)} ${random.pick(FOREIGN_WORDS)}`;
    default:
      return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
  }
}

export function compilationTitle(random: Random): string {
  return random.chance(0.5)
    ? `${random.pick(ADJECTIVES)} ${random.pick(PLURAL_NOUNS)}: Volume ${random.int(1, 9)}`
    : `The Best of ${random.pick(GENRES)} ${random.int(1970, 2020)}`;
}

/** Track titles, including some with "?" or "/" that a tagger has to replace in the file name. */
export function trackTitle(random: Random): string {
  switch (random.int(0, 9)) {
    case 0:
      return `${random.pick(VERBS)} ${random.pick(NOUNS)}`;
    case 1:
      return `Where Did the ${random.pick(NOUNS)} Go?`;
    case 2:
      return `${random.pick(NOUNS)} (Interlude)`;
    case 3:
      return `${random.pick(NOUNS)} / ${random.pick(NOUNS)}`;
    case 4:
      return random.pick(FOREIGN_WORDS);
    case 5:
      return `The ${random.pick(NOUNS)}`;
    case 6:
      return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} (Remastered ${random.int(2005, 2023)})`;
    default:
      return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
  }
}
