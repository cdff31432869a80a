import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { galleryFiles } from '../../src/gallery/files.js';
import { jobRow } from '../helpers/jobs.js';
import { tempDir } from '../helpers/tmp.js';

describe('what a gallery post shows', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('gallery-files-');
    for (const f of ['preview.webp', 'turntable.gif']) writeFileSync(join(tmp.dir, f), 'x');
  });
  afterEach(() => tmp.cleanup());

  const job = (turntable: string) =>
    jobRow({
      state: 'succeeded',
      previewFile: join(tmp.dir, 'preview.webp'),
      modelInfo: { artifacts: [{ kind: 'turntable', file: turntable, bytes: 1 }] },
    });

  it('the turntable when it was rendered', () => {
    expect(galleryFiles(job(join(tmp.dir, 'turntable.gif'))).image).toEqual({ name: 'turntable.gif', path: join(tmp.dir, 'turntable.gif') });
  });

  it("the provider's preview when the turntable is gone (retention) or was never made", () => {
    expect(galleryFiles(job(join(tmp.dir, 'gone.gif'))).image).toEqual({ name: 'preview.webp', path: join(tmp.dir, 'preview.webp') });
    expect(galleryFiles(jobRow({ state: 'succeeded', previewFile: join(tmp.dir, 'preview.webp') })).image?.name).toBe('preview.webp');
  });
});
