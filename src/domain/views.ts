/**
 * The views of one object a multi-view job is made from, in the provider's order (front, left,
 * back, right). The front is the job's own picture (`Job.imageUrl`); a view that was not given is
 * absent. A job with `views` holds two to four of them, the front always among them.
 */
export const VIEWS = ['front', 'left', 'back', 'right'] as const;
export type View = (typeof VIEWS)[number];

/** The views besides the front, as /model3d names its options. */
export const SIDE_VIEWS = ['left', 'back', 'right'] as const satisfies readonly View[];
export type SideView = (typeof SIDE_VIEWS)[number];

/** One view's picture as the job keeps it: the checked URL and the file's name, if any. */
export interface ViewPicture {
  view: View;
  url: string;
  source: 'attachment' | 'url';
  name: string | null;
}

/** The stored views (JSON text), or null for a single-picture job or an unreadable value. */
export function parseViews(text: string | null): ViewPicture[] | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) return null;
    const views = parsed.filter(
      (v): v is ViewPicture => typeof v === 'object' && v !== null && VIEWS.includes((v as ViewPicture).view) && typeof (v as ViewPicture).url === 'string',
    );
    return views.length >= 2 ? views : null;
  } catch {
    return null;
  }
}
