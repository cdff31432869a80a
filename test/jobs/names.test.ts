import { describe, expect, it } from 'vitest';
import { cleanTitle, fileBase, modelFileName, TITLE_MAX } from '../../src/domain/names.js';

describe('titles and the file names made from them', () => {
  it('keeps a title as written, minus control and format characters', async () => {
    expect(cleanTitle('  Teapot  ')).toBe('Teapot');
    expect(cleanTitle('Tea\npot\u0000\u202e!')).toBe('Tea pot !');
    expect(cleanTitle('\u200b\u0007  ')).toBeNull();
    expect(cleanTitle(null)).toBeNull();
    expect([...cleanTitle('茶'.repeat(80))!].length).toBe(TITLE_MAX);
  });

  it('names files in plain ASCII with no path characters', async () => {
    expect(modelFileName({ title: 'Teapot' })).toBe('teapot.glb');
    expect(modelFileName({ title: null })).toBe('model.glb');
    expect(fileBase('../../etc/passwd')).toBe('etc-passwd');
    expect(fileBase('C:\\Windows\\system32')).toBe('c-windows-system32');
    expect(fileBase('Crème brûlée dish')).toBe('creme-brulee-dish');
    expect(fileBase('My <@123> @everyone teapot')).toBe('my-123-everyone-teapot');
    expect(fileBase('...hidden')).toBe('hidden');
  });

  it('falls back to model when nothing ASCII is left, or the name is reserved on Windows', async () => {
    expect(fileBase('茶壶')).toBe('model');
    expect(fileBase('🫖🫖')).toBe('model');
    expect(fileBase('CON')).toBe('model');
    expect(fileBase('x'.repeat(200))).toHaveLength(48);
  });
});
