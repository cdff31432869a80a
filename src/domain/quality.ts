/** The texture detail a member asks for; the provider's `texture_quality`. */
export const QUALITIES = ['standard', 'detailed'] as const;
export type Quality = (typeof QUALITIES)[number];

/** A quality given as text (an option, a stored row); null when it is none of ours. */
export function parseQuality(raw: string): Quality | null {
  return (QUALITIES as readonly string[]).includes(raw) ? (raw as Quality) : null;
}
