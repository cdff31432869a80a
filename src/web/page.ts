import { Eta } from 'eta';
import type { Job } from '../domain/job.js';
import { formatBytes, numberFormat } from '../i18n/format.js';
import { PAGE_FILES, storedFile } from './files.js';

// Every `<%= %>` is HTML-escaped (autoEscape): titles are member input. Nothing here uses `<%~ %>`.
const eta = new Eta({ autoEscape: true, autoTrim: false, cache: true });

const HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title><%= it.heading %></title>
<link rel="stylesheet" href="/assets/viewer.css">`;

eta.loadTemplate(
  '@viewer',
  `${HEAD}
<meta name="description" content="<%= it.description %>">
<meta property="og:type" content="website">
<meta property="og:title" content="<%= it.heading %>">
<meta property="og:description" content="<%= it.description %>">
<meta property="og:url" content="<%= it.pageUrl %>">
<meta property="og:image" content="<%= it.imageUrl %>">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="<%= it.heading %>">
<meta name="twitter:description" content="<%= it.description %>">
<meta name="twitter:image" content="<%= it.imageUrl %>">
<script src="/assets/viewer-config.js"></script>
<script type="module" src="/assets/model-viewer.min.js"></script>
<script type="module" src="/assets/viewer.js"></script>
</head>
<body>
<main>
<model-viewer id="viewer" src="<%= it.files %>/web.glb" data-ar-src="<%= it.files %>/ar.glb"<% if (it.poster) { %> poster="<%= it.poster %>"<% } %>
  alt="<%= it.heading %>" camera-controls touch-action="pan-y" auto-rotate shadow-intensity="1"
  ar ar-modes="webxr scene-viewer quick-look" ar-scale="auto">
  <button slot="ar-button" id="ar-button" class="ar-button">View in your space (AR)</button>
</model-viewer>
<section class="about">
<h1><%= it.heading %></h1>
<p class="quality"><%= it.quality %></p>
<ul class="stats"><% it.stats.forEach(function (s) { %><li><%= s %></li><% }) %></ul>
<nav class="downloads" aria-label="Downloads">
<% it.downloads.forEach(function (d) { %><a class="download" href="<%= it.files %>/<%= d.name %>" download><%= d.label %></a>
<% }) %></nav>
</section>
</main>
</body>
</html>
`,
);

eta.loadTemplate(
  '@notice',
  `${HEAD}
</head>
<body>
<main class="notice"><h1><%= it.heading %></h1><p><%= it.text %></p></main>
</body>
</html>
`,
);

const DOWNLOADS: { name: keyof typeof PAGE_FILES; label: string; when: (job: Job) => boolean }[] = [
  { name: 'original.glb', label: 'Original GLB', when: (job) => !!job.originalFile },
  { name: 'model.glb', label: 'Fitted GLB', when: (job) => !!job.modelFile },
  { name: 'model.stl', label: 'STL (3D print)', when: (job) => !!job.originalFile },
  { name: 'model-obj.zip', label: 'OBJ (.zip)', when: (job) => !!job.originalFile },
];

function statsLines(job: Job): string[] {
  const s = job.modelInfo?.stats;
  if (!s) return [];
  const n = numberFormat('en');
  const d = numberFormat('en', 2);
  const lines = [`${n.format(s.triangles)} triangles`, `${n.format(s.vertices)} vertices`];
  lines.push(`${s.materials} material(s), ${s.textures} texture(s)${s.largestTexturePx ? ` up to ${n.format(s.largestTexturePx)} px` : ''}`);
  lines.push(`${s.dims.map((v) => d.format(v)).join(' × ')} units`, formatBytes(s.bytes, 'en'));
  return lines;
}

/** The page of one model. `publicUrl` makes the link-preview tags absolute. */
export function viewerPage(job: Job, token: string, publicUrl: string): string {
  const files = `/m/${token}`;
  const poster = storedFile(job, 'poster.png') ? `${files}/poster.png` : storedFile(job, 'preview.webp') ? `${files}/preview.webp` : null;
  const heading = job.title ?? '3D model';
  const quality = `Quality: ${job.quality}`;
  const stats = statsLines(job);
  return eta.render('@viewer', {
    heading,
    quality,
    stats,
    description: [quality, ...stats.slice(0, 2)].join(' · '),
    files,
    poster,
    pageUrl: `${publicUrl}${files}`,
    imageUrl: poster ? `${publicUrl}${poster}` : '',
    downloads: DOWNLOADS.filter((d) => d.when(job)),
  });
}

/** The 410 page of a removed model, and the 404 page (which says nothing about whether it existed). */
export const removedPage = (): string =>
  eta.render('@notice', { heading: 'Model removed', text: 'This model was removed and is no longer available.' });
export const notFoundPage = (): string => eta.render('@notice', { heading: 'Not found', text: 'There is nothing at this address.' });
export const errorPage = (): string => eta.render('@notice', { heading: 'Something went wrong', text: 'Please try again in a moment.' });
