/**
 * Bearer-token check for the API (/v1/...): `Authorization: Bearer TOKEN`, compared against the token file's
 * hashes in constant time. The page, its scripts and the health/metrics endpoints need no token (they hold no
 * patient data; put /metrics behind the proxy's own rules if its numbers are sensitive).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenAccepted } from './tokens.js';
import type { ServiceMetrics } from './service-metrics.js';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

export function requireToken(hashes: readonly Buffer[], metrics: ServiceMetrics) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(request);
    if (token !== undefined && tokenAccepted(hashes, token)) return;
    metrics.error('unauthorized');
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="medattn"')
      .send({ error: token === undefined ? 'missing bearer token (Authorization: Bearer TOKEN)' : 'invalid token' });
  };
}
