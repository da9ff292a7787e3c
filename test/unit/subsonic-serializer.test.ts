import { describe, expect, it } from 'vitest';
import { isValidCallback, serialize } from '../../src/subsonic/serializer.js';

describe('Subsonic serializer', () => {
  const model = { status: 'ok', song: [{ id: 'a', title: 'R&B <"live">\u0001', isrc: ['X1', 'X2'], genres: [{ name: 'Rock' }], skipped: undefined, gone: null }], genre: { value: 'Jazz & Blues', songCount: 2 } };

  it('XML: scalars as escaped attributes, arrays repeated, value as text, control characters replaced', () => {
    const { body, contentType } = serialize(model, 'xml');
    expect(contentType).toBe('application/xml; charset=utf-8');
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<subsonic-response xmlns="http://subsonic.org/restapi" status="ok">' +
        '<song id="a" title="R&amp;B &lt;&quot;live&quot;&gt;\uFFFD"><isrc>X1</isrc><isrc>X2</isrc><genres name="Rock"/></song>' +
        '<genre songCount="2">Jazz &amp; Blues</genre></subsonic-response>',
    );
  });

  it('JSON: the same tree, absent fields left out; JSONP wraps it', () => {
    const json = JSON.parse(serialize(model, 'json').body);
    expect(json['subsonic-response'].song[0]).toEqual({ id: 'a', title: 'R&B <"live">\u0001', isrc: ['X1', 'X2'], genres: [{ name: 'Rock' }] });
    expect(json['subsonic-response'].genre).toEqual({ value: 'Jazz & Blues', songCount: 2 });
    expect(serialize({ status: 'ok' }, 'jsonp', 'cb').body).toBe('cb({"subsonic-response":{"status":"ok"}});');
  });

  it('accepts only identifier chains as JSONP callbacks', () => {
    expect(isValidCallback('jQuery123_456.done')).toBe(true);
    for (const bad of ['alert(1)', 'a;b', '1a', 'a..b', '', 'x'.repeat(129)]) expect(isValidCallback(bad)).toBe(false);
  });
});
