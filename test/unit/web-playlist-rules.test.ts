import { describe, expect, it } from 'vitest';
import { EMPTY_RULES_FORM, describeRules, rulesFromForm } from '../../web/src/lib/playlist-rules.js';

describe('smart playlist form → rules', () => {
  it('sends only the filters the user set, with numbers as numbers', () => {
    const result = rulesFromForm({ ...EMPTY_RULES_FORM, lossless: true, genre: '  Jazz ', addedInLastDays: '30', sort: 'added', limit: '100' });
    expect(result).toEqual({ rules: { lossless: true, genre: 'Jazz', addedInLastDays: 30, sort: 'added', limit: 100 } });
  });

  it('refuses a form without any filter, since it would hold the whole library', () => {
    const result = rulesFromForm({ ...EMPTY_RULES_FORM, sort: 'plays', limit: '50' });
    expect('errors' in result && result.errors.form).toMatch(/at least one filter/);
  });

  it('names each field that is not a whole number in range', () => {
    const result = rulesFromForm({ ...EMPTY_RULES_FORM, lossless: true, addedInLastDays: '0', limit: '2.5' });
    expect('errors' in result && Object.keys(result.errors).sort()).toEqual(['addedInLastDays', 'limit']);
    expect('errors' in rulesFromForm({ ...EMPTY_RULES_FORM, favorites: true, limit: '10001' })).toBe(true);
    expect(rulesFromForm({ ...EMPTY_RULES_FORM, favorites: true, addedInLastDays: '36500' })).toEqual({ rules: { favorites: true, addedInLastDays: 36500 } });
  });
});

describe('rules read back as phrases', () => {
  it('lists filters, sort and limit in a fixed, readable order', () => {
    expect(describeRules({ limit: 25, sort: 'added', addedInLastDays: 1, genre: 'Rock', lossless: true })).toEqual([
      'Lossless',
      'Genre: Rock',
      'Added in the last day',
      'Sorted by date added',
      'At most 25 tracks',
    ]);
    expect(describeRules({ yearFrom: 1990, q: 'live' })).toEqual(['Matching “live”', 'Years 1990–…']);
  });
});
