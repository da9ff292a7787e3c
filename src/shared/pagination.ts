import { Type, type TSchema } from '@sinclair/typebox';
import { AppError } from './errors.js';

/** Page size rules shared by every list route: default 50, at most 500. */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Query-string schema for `limit` and `cursor`, merged into every list route's querystring. */
export const pageQuerySchema = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
  cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'Opaque cursor from a previous page.' })),
};

/** The one list shape: `{items, nextCursor}`; `nextCursor` is null on the last page. */
export function pageSchema<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A keyset position: the sort value(s) of the last row of a page plus its id, tagged with the listing it belongs to
 * so a cursor from `/albums?sort=year` is refused by `/albums?sort=name` instead of silently skipping rows.
 */
export interface KeysetPosition {
  listing: string;
  values: (string | number | null)[];
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.listing, position.values, position.id])).toString('base64url');
}

/** Decodes a cursor for `listing`. Throws `invalid_cursor` (400) when it is malformed or from another listing. */
export function decodeCursor(cursor: string, listing: string): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('invalid_cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== listing ||
    !Array.isArray(parsed[1]) ||
    !parsed[1].every((v: unknown) => v === null || typeof v === 'string' || typeof v === 'number') ||
    typeof parsed[2] !== 'string'
  ) {
    throw new AppError('invalid_cursor');
  }
  return { listing, values: parsed[1], id: parsed[2] };
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only proves there is more.
 * `positionOf` gives the keyset values of a row (the same columns the query orders by).
 */
export function toPage<R extends { id: string }, T>(
  rows: R[],
  limit: number,
  listing: string,
  positionOf: (row: R) => (string | number | null)[],
  toItem: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(toItem),
    nextCursor: hasMore && last ? encodeCursor({ listing, values: positionOf(last), id: last.id }) : null,
  };
}
