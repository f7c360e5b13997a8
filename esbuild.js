// Two bundles from one source tree: the VS Code extension (vscode external) and the CLI (plain Node,
// shebang). DuckDB ships native binaries per platform, so it stays a runtime dependency in both.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the shape VS Code's esbuild problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd(result => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const IMPORT_META_URL = '"use strict"; var __importMetaUrl = require("url").pathToFileURL(__filename).href;';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'silent',
  external: ['@duckdb/node-api'],
  plugins: [problemMatcher],
  define: { __VERSION__: JSON.stringify(require('./package.json').version), 'import.meta.url': '__importMetaUrl' },
  // ESM-only dependencies bundled into CJS (openpgp's node build calls createRequire(import.meta.url))
  // would see import.meta as {}: give them the bundle's own file URL.
  banner: { js: IMPORT_META_URL },
};

const targets = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: [...common.external, 'vscode'] },
  // The CLI: dist/cliMain.js is the program; dist/cli.js (the `bin`) a tiny launcher that compiles it
  // through a V8 code cache (see src/cli/launcher.ts).
  // Minified always (npx runs the development build that `prepare` makes): measured, --version 112 → 88 ms
  // with the code cache; keepNames so error and class names stay what the code compares.
  // No native import(): functions V8 restores from a code cache lose the dynamic-import callback
  // ("A dynamic import callback was not specified" on the second `dedupe run`), so import() becomes
  // require() here. The CLI's only external module, @duckdb/node-api, is CommonJS.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cliMain.js', minify: true, keepNames: true, supported: { 'dynamic-import': false } },
  // The download engine's worker thread (src/core/download/fetchPool.ts), beside both bundles.
  { ...common, entryPoints: ['src/core/download/fetchWorker.ts'], outfile: 'dist/fetchWorker.js', minify: true },
  { ...common, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/cli.js', sourcemap: false, banner: { js: '#!/usr/bin/env node' } },
];
const extraTargets = require('./scripts/buildTargets.js')(common);

async function main() {
  const contexts = await Promise.all([...targets, ...extraTargets].map(t => esbuild.context(t)));
  if (watch) {
    await Promise.all(contexts.map(c => c.watch()));
    return;
  }
  const results = await Promise.allSettled(contexts.map(c => c.rebuild()));
  await Promise.all(contexts.map(c => c.dispose()));
  const failed = results.filter(r => r.status === 'rejected');
  if (failed.length) process.exit(1);
  // The `bin`: executable itself, also when npx links to it without installing the package.
  if (require('fs').existsSync('dist/cli.js')) require('fs').chmodSync('dist/cli.js', 0o755);
}

main().catch(e => { console.error(e); process.exit(1); });
