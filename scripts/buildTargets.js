// Extra esbuild entry points that are not shipped: the test runner that runs inside VS Code.
module.exports = common => [
  {
    ...common,
    entryPoints: ['test/integration/index.ts'],
    outfile: 'dist/test/integration.js',
    external: [...common.external, 'vscode', 'mocha'],
  },
].filter(t => require('fs').existsSync(t.entryPoints[0]));
