import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

/** The two variables the bot cannot start without. */
export const requiredEnv = { DISCORD_TOKEN: 'bot-token-123456', DMXAPI_KEY: 'sk-secret-123456' };

/** The configuration error `env` gives (the test fails if it gives none). */
export function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}
