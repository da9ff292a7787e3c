import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { createAudioFixtures, writeImage } from './audio-fixtures.js';

// ajv-formats is CommonJS: imported from ESM, its function is the module's `default` member.
const addFormats = addFormatsModule.default;

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Credentials of a Subsonic request: `u`+`p`, `u`+`t`+`s`, or `apiKey`. */
export type SubsonicAuthParams = Record<string, string>;

/** Token credentials (`u`, `t` = md5(password + salt), `s`) for a user's Subsonic password. */
export function tokenAuth(username: string, password: string, salt = randomUUID().slice(0, 8)): SubsonicAuthParams {
  return { u: username, t: md5(password + salt), s: salt };
}

/**
 * Calls `/rest/{method}` on an app as a Subsonic client would: `v`, `c` (the client's name) and `f` (json unless
 * given) plus `auth` and `params`; repeated parameters as arrays. `post` sends them as a form body (formPost).
 */
export function subsonicClient(app: FastifyInstance, auth: SubsonicAuthParams, client = 'test') {
  function query(params: Record<string, string | string[]>, as: SubsonicAuthParams, name: string) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries({ v: '1.16.1', c: name, f: 'json', ...as, ...params })) {
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
    }
    return search;
  }
  return {
    /** The raw response. */
    call(method: string, params: Record<string, string | string[]> = {}, options: { auth?: SubsonicAuthParams; client?: string; headers?: Record<string, string>; post?: boolean } = {}) {
      const search = query(params, options.auth ?? auth, options.client ?? client);
      if (options.post) {
        return app.inject({
          method: 'POST',
          url: `/rest/${method}.view`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
          payload: search.toString(),
        });
      }
      return app.inject({ method: 'GET', url: `/rest/${method}?${search}`, headers: options.headers });
    },
    /** The `subsonic-response` object of a JSON call. */
    async json(method: string, params: Record<string, string | string[]> = {}, options: { auth?: SubsonicAuthParams; client?: string } = {}) {
      const response = await this.call(method, params, options);
      return response.json()['subsonic-response'];
    },
    /** The body of an XML call (`f=xml`). */
    async xml(method: string, params: Record<string, string | string[]> = {}, options: { auth?: SubsonicAuthParams; client?: string } = {}) {
      const response = await this.call(method, { ...params, f: 'xml' }, options);
      if (!String(response.headers['content-type']).includes('application/xml')) throw new Error(`not XML: ${response.body}`);
      return response.body;
    },
  };
}

export type SubsonicClient = ReturnType<typeof subsonicClient>;

/**
 * A small real library under `dir`: `count` one-second MP3s "Song NN" on albums of five ("Album K" by "Artist K",
 * year 2000 + K), the first album with an embedded cover. Returns the music folder.
 */
export async function writeSubsonicLibrary(dir: string, count: number): Promise<string> {
  const music = path.join(dir, 'music');
  const fixtures = createAudioFixtures(path.join(dir, 'bases'));
  const cover = await writeImage(path.join(dir, 'cover.jpg'), { r: 20, g: 120, b: 200 }, 200);
  for (let i = 0; i < count; i++) {
    const albumIndex = Math.floor(i / 5);
    const name = String(i).padStart(2, '0');
    await fixtures.track(
      path.join(music, `Album ${albumIndex}`, `${name}.mp3`),
      { title: `Song ${name}`, artist: `Artist ${albumIndex}`, album: `Album ${albumIndex}`, albumArtist: `Artist ${albumIndex}`, track: (i % 5) + 1, year: 2000 + albumIndex, genre: 'Rock' },
      { cover: albumIndex === 0 ? cover : undefined },
    );
  }
  return music;
}

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'opensubsonic');
let accountSchemas: Ajv | undefined;

/**
 * Checks a JSON `subsonic-response`'s `key` member against the spec's schema `def` of
 * test/fixtures/opensubsonic/account-schemas.json (playlists, play queues, users, bookmarks, scans, jukebox; songs in
 * them against schemas.json's Child). Returns the schema errors ([] when valid).
 */
export function accountShapeErrors(response: Record<string, unknown>, key: string, def: string): string[] {
  if (!accountSchemas) {
    accountSchemas = new Ajv({ allErrors: true, strict: false });
    addFormats(accountSchemas);
    accountSchemas.addSchema({ $id: 'opensubsonic', ...JSON.parse(readFileSync(path.join(fixtures, 'schemas.json'), 'utf8')) });
    accountSchemas.addSchema({ $id: 'opensubsonic-accounts', ...JSON.parse(readFileSync(path.join(fixtures, 'account-schemas.json'), 'utf8')) });
  }
  if (!(key in response)) return [`missing ${key}`];
  const validate = accountSchemas.getSchema(`opensubsonic-accounts#/$defs/${def}`);
  if (!validate) throw new Error(`No schema ${def}`);
  return validate(response[key]) ? [] : (validate.errors ?? []).map((e) => `${key}${e.instancePath} ${e.message}`);
}
