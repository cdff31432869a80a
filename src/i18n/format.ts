/** Formatters the message tables share: Discord timestamps, durations, sizes and numbers. */

/** A Discord timestamp tag (`<t:…:R>`): every member sees it in their own time zone. */
export const ts = (ms: number, style: 'R' | 'f' | 't' | 'T' | 'd' | 'D' | 'F' = 'R') => `<t:${Math.floor(ms / 1000)}:${style}>`;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Durations for the Chinese table: `45 秒`, `1 分 18 秒`, `2 分钟`, `1 小时 5 分钟`. */
export function formatDurationZh(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} 分 ${s % 60} 秒` : `${m} 分钟`;
  return `${Math.floor(m / 60)} 小时 ${m % 60} 分钟`;
}

/** Numbers as the member writes them (19,800 in English; zh-CN uses the same grouping). */
export function numberFormat(locale: string, digits = 0): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  } catch {
    return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }
}

/** The one byte formatter, in the member's locale: 1023 B, 512.0 KB, 8.9 MB (binary units, as Discord's limits). */
export function formatBytes(bytes: number, locale: string): string {
  if (bytes < 1024) return `${numberFormat(locale).format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${numberFormat(locale, 1).format(bytes / 1024)} KB`;
  return `${numberFormat(locale, 1).format(bytes / (1024 * 1024))} MB`;
}
