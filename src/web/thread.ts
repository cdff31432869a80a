// The viewer page's thread (src/web/viewer.ts startViewerThread): its own event loop, store
// connection and export worker, so serving pages and models never delays the bot's interactions.
import { parentPort, workerData } from 'node:worker_threads';
import { secretsOf, type Config } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { startStandaloneViewer } from './viewer.js';

const config = workerData as Config;
const log = createLogger({ level: config.logLevel, secrets: secretsOf(config) }).child({ thread: 'viewer' });
startStandaloneViewer(config, log).then(
  (viewer) => {
    parentPort!.postMessage({ address: viewer.address });
    parentPort!.once('message', () => {
      void viewer.close().finally(() => parentPort!.close());
    });
  },
  (err: unknown) => {
    log.error({ err }, 'the viewer page could not start');
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  },
);
