// Extra esbuild entry points beside dist/extension.js and dist/cli.js:
// - dist/extensionServices.js: every core module the extension uses (AWS SDK, openpgp, catalog, download,
//   preview, dedupe, demo…), loaded by the extension on first use with a plain require() so that
//   activation stays light (test/integration/activation.test.ts checks it). Shipped in the .vsix.
// - dist/test/integration.js + dist/test/integration/*.test.js: the mocha runner and suites that run inside
//   VS Code (not shipped). mocha, fauxqs and DuckDB resolve from the project's node_modules at test time.
const fs = require('fs');
const path = require('path');

module.exports = common => {
  const targets = [
    {
      ...common,
      entryPoints: ['src/extension/services.ts'],
      outfile: 'dist/extensionServices.js',
      external: [...common.external, 'vscode'],
    },
  ];
  if (fs.existsSync('test/integration/index.ts')) {
    const testExternal = [...common.external, 'vscode', 'mocha', 'fauxqs'];
    targets.push({ ...common, entryPoints: ['test/integration/index.ts'], outfile: 'dist/test/integration.js', external: testExternal });
    const suites = fs.readdirSync('test/integration').filter(f => f.endsWith('.test.ts')).map(f => path.join('test/integration', f));
    if (suites.length) targets.push({ ...common, entryPoints: suites, outdir: 'dist/test/integration', external: testExternal });
  }
  return targets.filter(t => t.entryPoints.every(e => fs.existsSync(e)));
};
