// Child process for crash.test.ts: the bot's logger and crash handlers, then a failure nobody catches.
import { createLogger } from '../../src/log/index.js';
import { installCrashHandlers } from '../../src/log/crash.js';

const [mode, secret] = process.argv.slice(2) as ['throw' | 'reject', string];
const log = createLogger({ level: 'info', secrets: [secret] });
installCrashHandlers(log);
log.info('child ready');
// Keeps the process alive, as the bot's timers and sockets do, so only the handler can end it.
setInterval(() => undefined, 1000);
setTimeout(() => {
  const err = new Error(`upstream said: invalid key ${secret} (Authorization: Bearer ${secret})`);
  if (mode === 'throw') throw err;
  void Promise.reject(err);
}, 10);
