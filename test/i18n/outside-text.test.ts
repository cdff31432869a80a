import { describe, expect, it } from 'vitest';
import { outsideText } from '../../src/i18n/index.js';

/** The provider's text as members see it: plain text, nothing Discord would render or ping. */
describe('outsideText', () => {
  it.each([
    ['a masked link', '[Click here](https://evil.example/login)', '\\[Click here](https://evil.example/login)'],
    ['a backtick break out of a code span', 'x` **bold** `y', 'x\\` \\*\\*bold\\*\\* \\`y'],
    ['a code block', '```js\nalert(1)```', '\\`\\`\\`js\nalert(1)\\`\\`\\`'],
    ['a user mention', 'hi <@123456789012345678>', 'hi \\<@123456789012345678>'],
    ['a role and a channel mention', '<@&1> <#2>', '\\<@&1> \\<#2>'],
    ['a timestamp and an emoji', '<t:1:R> <:e:3>', '\\<t:1:R> \\<:e:3>'],
    ['@everyone and @here', '@everyone and @Here', '@\u200beveryone and @\u200bHere'],
    ['a heading', '# Big', '\\# Big'],
    ['a quote and subtext', '> quoted\n-# small', '\\> quoted\n\\-# small'],
    ['a list', '- item\n1. first', '\\- item\n1\\. first'],
    ['spoilers, strikes, underline, italics', '||s|| ~~t~~ __u__ _i_ *j*', '\\|\\|s\\|\\| \\~\\~t\\~\\~ \\_\\_u\\_\\_ \\_i\\_ \\*j\\*'],
    ['a backslash that would undo an escape', '\\*', '\\\\\\*'],
    ['plain words, untouched', 'No object was found in the picture.', 'No object was found in the picture.'],
  ])('%s', (_name, given, shown) => {
    expect(outsideText(given)).toBe(shown);
  });
});
