import { escapeMarkdown } from 'discord.js';

/**
 * Text the bot did not write (the provider's error code and message) as members see it: plain text.
 * The provider's text arrives with control characters removed and whitespace collapsed
 * (src/upstream/errors.ts); here every Discord markdown construct is escaped (masked links, code and
 * code blocks, bold, italics, underline, strikethrough, spoilers, headings, lists, quotes, subtext),
 * and mentions, channel links, custom emoji and timestamps show as typed: `<` is escaped and
 * `@everyone` / `@here` get a zero-width space, so nothing renders as a ping even where pings are allowed.
 * The one way such text reaches a member: every caller passes it through here.
 */
export function outsideText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true })
    .replace(/</g, '\\<')
    .replace(/^(\s*)(>|-#)/gm, '$1\\$2')
    .replace(/@(everyone|here)/gi, '@\u200b$1');
}
