import { describe, expect, it } from 'vitest';
import { creditedArtists, joinArtistNames, splitArtistCredit } from '../../src/library/scanner/artist-credits.js';

describe('featured artists are credited as artists of their own', () => {
  it.each([
    ['Daft Punk feat. Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk Feat. Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk feat Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk ft. Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk FT Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk featuring Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk Featuring Pharrell Williams', ['Daft Punk', 'Pharrell Williams']],
  ])('splits "%s"', (credit, expected) => {
    expect(splitArtistCredit(credit)).toEqual(expected);
  });

  it.each([
    ['Daft Punk (feat. Pharrell Williams)', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk [ft. Pharrell Williams]', ['Daft Punk', 'Pharrell Williams']],
    ['Daft Punk (featuring Pharrell Williams)', ['Daft Punk', 'Pharrell Williams']],
  ])('understands the guest list in brackets: "%s"', (credit, expected) => {
    expect(splitArtistCredit(credit)).toEqual(expected);
  });

  it('credits every guest of a guest list written with "&" or ","', () => {
    expect(splitArtistCredit('Chris Brown feat. Lil Wayne & Busta Rhymes')).toEqual(['Chris Brown', 'Lil Wayne', 'Busta Rhymes']);
    expect(splitArtistCredit('A (ft. B, C & D)')).toEqual(['A', 'B', 'C', 'D']);
  });

  it('never splits the main credit, so band names stay whole', () => {
    expect(splitArtistCredit('Simon & Garfunkel feat. Paul McCartney')).toEqual(['Simon & Garfunkel', 'Paul McCartney']);
    expect(splitArtistCredit('Earth, Wind & Fire ft. The Emotions')).toEqual(['Earth, Wind & Fire', 'The Emotions']);
  });
});

describe('single artist values are never split on separators', () => {
  const names = ['Simon & Garfunkel', 'Crosby, Stills, Nash and Young', 'AC/DC', "Their / They're / There", 'Florence and the Machine'];
  it.each([...names, 'Beth Hart; Joe Bonamassa'])('keeps "%s" as one artist', (name) => {
    expect(splitArtistCredit(name)).toEqual([name]);
    expect(creditedArtists([name])).toEqual([name]);
  });

  it('does not mistake words that contain or are "ft"/"feat" for a featuring credit', () => {
    expect(splitArtistCredit('Daft Punk')).toEqual(['Daft Punk']);
    expect(splitArtistCredit('Left Boy')).toEqual(['Left Boy']);
    expect(splitArtistCredit('Little Feat')).toEqual(['Little Feat']);
    expect(splitArtistCredit('Little Feat & Friends')).toEqual(['Little Feat & Friends']);
    expect(splitArtistCredit('feat. Nobody')).toEqual(['feat. Nobody']);
  });

  it('trims the credit and ignores an empty one', () => {
    expect(splitArtistCredit('  Björk  ')).toEqual(['Björk']);
    expect(splitArtistCredit('   ')).toEqual([]);
  });
});

describe('the credited artists of a track', () => {
  it('keeps every value of a multi-valued tag, in order', () => {
    expect(creditedArtists(['Beth Hart', 'Joe Bonamassa'])).toEqual(['Beth Hart', 'Joe Bonamassa']);
  });

  it('adds the featured guests of each value after its main artist', () => {
    expect(creditedArtists(['A feat. B', 'C'])).toEqual(['A', 'B', 'C']);
  });

  it('lists an artist once even when spelled with different case', () => {
    expect(creditedArtists(['Daft Punk', 'daft punk feat. Pharrell Williams', 'PHARRELL WILLIAMS'])).toEqual(['Daft Punk', 'Pharrell Williams']);
  });
});

describe('several artist values shown as one credit', () => {
  it('joins them like "A", "A & B", "A, B & C"', () => {
    expect(joinArtistNames(['A'])).toBe('A');
    expect(joinArtistNames(['A', 'B'])).toBe('A & B');
    expect(joinArtistNames(['A', 'B', 'C'])).toBe('A, B & C');
  });
});
