import { en } from './en.js';
import { moderators } from './en-moderators.js';
import { zhCN } from './zh-CN.js';

export { formatBytes, formatDuration, numberFormat } from './format.js';
export { outsideText } from './outside-text.js';

const english = { ...en, ...moderators };
type Table = typeof english;
export type MessageKey = keyof Table;
type ArgsOf<K extends MessageKey> = Parameters<Table[K]> extends [] ? [] : [values: Parameters<Table[K]>[0]];

/**
 * Looked up by the full Discord locale first, then by its language part. `zh` maps to Simplified
 * Chinese, so `zh-TW` members get it too until a Traditional table is registered as `zh-TW`:
 * Simplified is far easier for them to read than English.
 */
const tables: Record<string, Partial<Table>> = { en: english, 'zh-CN': zhCN, zh: zhCN };

/** The registered tables by locale, read-only (for tests and tooling). */
export const messageTables: Readonly<Record<string, Readonly<Partial<Table>>>> = tables;

/** The text for `key` in the member's locale, falling back to English. */
export function t<K extends MessageKey>(locale: string, key: K, ...args: ArgsOf<K>): string {
  const lang = locale.split('-')[0] ?? 'en';
  const fn = (tables[locale]?.[key] ?? tables[lang]?.[key] ?? english[key]) as (v?: unknown) => string;
  return fn(args[0]);
}
