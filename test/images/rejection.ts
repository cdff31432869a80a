import { expect } from 'vitest';
import { ImageRejectedError, type ImageRejection } from '../../src/images/index.js';

/** The rejection a validation promise failed with; fails the test if it resolved or threw anything else. */
export async function rejectionOf(p: Promise<unknown>): Promise<ImageRejection> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImageRejectedError);
    return (err as ImageRejectedError).rejection;
  }
  throw new Error('expected a rejection');
}
