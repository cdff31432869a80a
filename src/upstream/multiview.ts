import { VIEWS, type View } from '../domain/views.js';

/**
 * The key each `input.images` entry uses for its picture's URL.
 *
 * DMXAPI's page "Tripo-P1.0 多图生3D模型(有贴图)" documents `input.images` (four entries: front,
 * left, back, right; `{}` for a missing view) but the copy available to us stops before the
 * entry's own fields. `url` is what Tripo's own multiview API uses for a linked picture. This is
 * the ONE thing to check against the live API (README, "Several views"); the simulator
 * (test/fakes/dmxapi) reads the same constant.
 */
export const VIEW_IMAGE_URL_KEY = 'url';

/** The pictures of a multi-view submit, by view; the front is required. */
export type ViewUrls = { front: string } & Partial<Record<Exclude<View, 'front'>, string>>;

/** `input.images` as documented: exactly four entries in VIEWS order, `{}` where a view is missing. */
export function imagesInput(urls: ViewUrls): Record<string, string>[] {
  return VIEWS.map((view): Record<string, string> => {
    const url = urls[view];
    return url === undefined ? {} : { [VIEW_IMAGE_URL_KEY]: url };
  });
}
