/**
 * Baseline (c): the tutorial's receiver, as written in "Authenticate Webhook" (seed 000):
 * express + `express.json()`, HMAC over `JSON.stringify(req.body)`, compared with `==`.
 * It is wrong on purpose in two ways the workbench fixes (re-serialized bytes, a comparison that
 * is not constant-time) and it journals nothing; it is here as the speed a reader starts from.
 * The bench's bodies are compact ASCII JSON, so its re-serialization matches and it answers 200.
 */
import express from 'express';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { closeServer, listenOnFreePort } from './listen.ts';
import type { StartReceiver } from './types.ts';

export const startTutorial: StartReceiver = async ({ secret }) => {
  const app = express();
  app.use(express.json());
  // the front of the header will always have this.
  const front = 'HMACSHA256 ';
  // biome-ignore lint/complexity/useArrowFunction: the tutorial's index.js, as written there
  app.post('/webhooks', function (req, res) {
    const hash = createHmac('sha256', secret).update(JSON.stringify(req.body)).digest('base64');
    const yourSignature = front + hash;
    const brackenWebhookSignature = req.header('Authorization');
    // biome-ignore lint/suspicious/noDoubleEquals: the tutorial's comparison, as written there
    if (brackenWebhookSignature != null && brackenWebhookSignature == yourSignature) {
      res.send('OK the signatures match');
    } else {
      res.status(403).send('Do not trust, not from a Bracken webhook');
    }
  });
  const server = createServer(app);
  const port = await listenOnFreePort(server);
  return { port, description: 'express 5, express.json(), HMAC of JSON.stringify(req.body), ==', close: () => closeServer(server) };
};
