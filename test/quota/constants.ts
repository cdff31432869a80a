/** Ids and operator limits of the quota tests; no vitest here, so that race-child.ts can import it. */
import type { Config } from '../../src/config/index.js';

export const GUILD = '200000000000000001';
export const OTHER_GUILD = '200000000000000002';
export const ALICE = '400000000000000001';
export const BOB = '400000000000000002';
export const CAROL = '400000000000000003';
export const MOD = '400000000000000099';

export function quotaConfig(o: Partial<Config['quota']> = {}): Config['quota'] {
  return { userDaily: 5, guildDaily: 100, globalDaily: 0, userDailyAll: 0, maxConcurrent: 100, cooldownS: 0, detailedCost: 2, multiviewCost: 0, timeZone: 'UTC', ...o };
}
