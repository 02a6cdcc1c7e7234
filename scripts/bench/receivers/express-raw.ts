/**
 * Baseline (b): the ceiling for an express 5 receiver. `POST /webhooks` reads the raw body
 * (`express.raw`, the parser our listener also needs) and answers 200. No HMAC, no journal:
 * what express itself costs per request.
 */
import express from 'express';
import { createServer } from 'node:http';
import { closeServer, listenOnFreePort } from './listen.ts';
import type { StartReceiver } from './types.ts';

export const startExpressRaw: StartReceiver = async () => {
  const app = express();
  app.post('/webhooks', express.raw({ type: '*/*', limit: '1mb' }), (_req, res) => {
    res.sendStatus(200);
  });
  const server = createServer(app);
  const port = await listenOnFreePort(server);
  return { port, description: "express 5, express.raw({type:'*/*'}), sendStatus(200)", close: () => closeServer(server) };
};
