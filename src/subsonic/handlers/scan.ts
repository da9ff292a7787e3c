import { SubsonicError } from '../errors.js';
import type { Handler, HandlerContext } from '../handler-kit.js';
import type { Model } from '../serializer.js';

/**
 * Library scanning (Endpoints/getScanStatus, startScan; Responses/scanStatus) through the library service, the same
 * scans as `POST /api/v1/library/scans`. `count` is the files the running scan has processed so far; between scans,
 * the playable songs in the caller's libraries. `startScan` is admins' (50 otherwise): it starts a full scan of every
 * music folder, or joins the one running, and answers at once with `scanning: true`.
 */
export function scanHandlers(context: HandlerContext): Record<string, Handler> {
  const { deps } = context;
  const { library } = deps;

  async function scanStatus(user: Parameters<Handler>[0]): Promise<Model> {
    const status = await library.status();
    if (status.state === 'scanning') return { scanning: true, count: status.progress?.processed ?? 0 };
    return { scanning: false, count: await deps.repository.songCount(await deps.visibleLibraryIds(user)) };
  }

  return {
    getScanStatus: async (user) => ({ scanStatus: await scanStatus(user) }),

    startScan: async (user, _p, request) => {
      if (user.role !== 'admin') throw new SubsonicError(50, 'Only admins may start a scan.');
      library.scan().catch((error: unknown) => request.log.error({ err: error }, 'scan failed'));
      const status = await library.status();
      return { scanStatus: { scanning: true, count: status.progress?.processed ?? 0 } };
    },
  };
}
