/** The page at `/` and its assets under `/assets/` (see web-assets.ts). */
import type { FastifyInstance } from 'fastify';
import type { WebAsset } from './web-assets.js';

export function registerPageRoutes(app: FastifyInstance, assets: Map<string, WebAsset>): void {
  const send = (name: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const asset = assets.get(name)!;
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  };
  app.get('/', send('index.html'));
  for (const name of assets.keys()) if (name !== 'index.html') app.get(`/assets/${name}`, send(name));
}
