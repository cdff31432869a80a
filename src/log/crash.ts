import type { Logger } from 'pino';

/**
 * Last-resort handlers: an exception or rejection nobody caught is logged through the
 * scrubbing logger (never Node's raw stderr dump, which could carry a secret) and the
 * process exits non-zero. Jobs are in SQLite, so unfinished ones resume on restart.
 */
export function installCrashHandlers(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let crashed = false;
  const crash = (kind: string) => (err: unknown) => {
    if (crashed) return;
    crashed = true;
    try {
      log.fatal({ err }, `${kind}; exiting (unfinished jobs resume on restart)`);
    } finally {
      exit(1);
    }
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}
