/**
 * The architecture of src/ and commands/, as rules (README "Architecture"). test/arch.test.ts runs
 * them in `npm test`; `npx depcruise src commands --output-type err` prints the same verdict.
 *
 * Rooms, from the top (wiring) to the bottom (vocabulary). A room may import its own files and
 * any room BELOW it, never one above. Rooms on the same line may import each other, but the
 * folder-level circle rule still forbids two folders importing each other.
 */
const ROOMS = [
  ['entries', '^src/[^/]+\\.ts$'], // main.ts, deploy-commands.ts, discord-proxy.ts
  ['app', '^src/app/'], // the one wiring, the registry, the router, the shard launcher
  ['commands', '^commands/'], // one slash command each: its definition and a thin execute
  ['handlers', '^src/handlers/'], // what reacts to a subcommand or a press; the Services type
  ['features', '^src/(jobs|gallery|audit|quota)/'], // the poller and start path, the gallery, the audit channel, credits
  ['web', '^src/web/'], // the viewer page's HTTP server (PUBLIC_URL): pages, the job's files by token, assets
  ['discord', '^src/discord/'], // client, delivery, message rendering, links, members
  ['i18n', '^src/i18n/'], // t(), the formatters, one table per locale
  ['model', '^src/(model|render)/'], // model post-processing in workers; the turntable renderer
  ['io', '^src/(store|upstream|images)/'], // the store, the DMXAPI client, picture checks and downloads
  ['domain', '^src/domain/'], // Job, its states, Quality, ModelInfo, the names of a job's files
  ['base', '^src/(config|log|metrics)/'], // configuration (and the shard layout), logging, the metric definitions
];

/** One rule per room: nothing in it imports a room listed above it. */
const layering = ROOMS.map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  severity: 'error',
  comment: `${name} imports only itself and the rooms below it (${ROOMS.slice(i + 1).map(([n]) => n).join(', ') || 'none'})`,
  from: { path },
  to: { path: ROOMS.slice(0, i).map(([, p]) => p), pathNot: path },
}));

module.exports = {
  forbidden: [
    ...layering.filter((r) => r.to.path.length > 0),
    {
      name: 'no-folder-circles',
      severity: 'error',
      comment: 'two folders never import each other, directly or round a longer loop',
      scope: 'folder',
      from: { path: '^(src|commands)/' },
      to: { circular: true },
    },
    {
      name: 'no-module-circles',
      severity: 'error',
      comment: 'no import loop between modules either (a loop of type-only imports costs nothing at run time)',
      from: { path: '^(src|commands)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'store-backends-stay-in-store',
      severity: 'error',
      comment: 'the SQLite and PostgreSQL backends import only the store room (and packages)',
      from: { path: '^src/store/(sqlite|postgres)\\.ts$' },
      to: { path: '^(src|commands)/', pathNot: '^src/store/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'every relative import resolves to a file',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|\\.d\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Packages are found through their `exports`, as Node finds them.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

