import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth-service.js';
import { missingParameter, SubsonicError } from './errors.js';
import type { SubsonicPluginDeps } from './routes.js';
import type { Model } from './serializer.js';

/** Query string and form body merged; every parameter may repeat (`id=1&id=2`). */
export type Params = Record<string, string[]>;

export function collectParams(request: FastifyRequest): Params {
  const params: Params = {};
  const add = (source: unknown) => {
    if (!source || typeof source !== 'object') return;
    for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
      const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
      (params[key] ??= []).push(...values);
    }
  };
  add(request.query);
  add(request.body);
  return params;
}

/** Typed access to the parameters, raising the spec's errors: 10 when required and absent, 0 when malformed. */
export function reader(params: Params) {
  const first = (name: string) => params[name]?.[0];
  const integer = (name: string, raw: string) => {
    if (!/^-?\d{1,15}$/.test(raw)) throw new SubsonicError(0, `Parameter ${name} must be an integer.`);
    return Number(raw);
  };
  return {
    str: first,
    all: (name: string) => params[name] ?? [],
    required(name: string): string {
      const value = first(name);
      if (value === undefined || value === '') throw missingParameter(name);
      return value;
    },
    int(name: string): number | undefined {
      const raw = first(name);
      return raw === undefined || raw === '' ? undefined : integer(name, raw);
    },
    requiredInt(name: string): number {
      const raw = first(name);
      if (raw === undefined || raw === '') throw missingParameter(name);
      return integer(name, raw);
    },
    /** An integer in `min..max` (values above `max` are capped, as "Max 500" limits are), `fallback` when absent. */
    bounded(name: string, fallback: number, min: number, max: number): number {
      const raw = first(name);
      if (raw === undefined || raw === '') return fallback;
      const value = integer(name, raw);
      if (value < min) throw new SubsonicError(0, `Parameter ${name} must be at least ${min}.`);
      return Math.min(value, max);
    },
    bool(name: string, fallback: boolean): boolean {
      const raw = first(name);
      if (raw === undefined || raw === '') return fallback;
      return raw.toLowerCase() === 'true' || raw === '1';
    },
  };
}

export type Reader = ReturnType<typeof reader>;

/** The "empty query" of `search2`/`search3` (OpenSubsonic): absent, blank, `""` (as the spec's example sends it) or `*`. */
export function searchText(raw: string | undefined): string {
  const text = (raw ?? '').trim();
  return /^(""|''|\*)?$/.test(text) ? '' : text;
}

/**
 * One Subsonic method: the authenticated user, its parameters, the raw request/reply. It returns the envelope's
 * child (`{album: …}`, `{}` for a bare ok) or the reply itself when it sent bytes (stream, cover art).
 */
export type Handler = (user: AuthUser, p: Reader, request: FastifyRequest, reply: FastifyReply) => Promise<Model | FastifyReply>;

/** What the method modules (`handlers/*.ts`) share with `routes.ts`: the plugin's deps and the common lookups. */
export interface HandlerContext {
  deps: SubsonicPluginDeps;
  /** Songs as `Child`, in the order of `ids`, unknown/invisible ids left out. */
  songs(user: AuthUser, ids: string[]): Promise<Model[]>;
  /** Albums as `AlbumID3`, as `songs`. */
  albums(user: AuthUser, ids: string[]): Promise<Model[]>;
  /** Artists as `ArtistID3`, as `songs`. */
  artists(user: AuthUser, ids: string[]): Promise<Model[]>;
  /** The libraries to read: the viewer's, narrowed to `musicFolderId` when given (another's id → 70). */
  libraryScope(user: AuthUser, p: Reader): Promise<string[]>;
}
