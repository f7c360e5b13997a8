// The mocha runner the extension host loads (extensionTestsPath): runs every bundled suite under
// dist/test/integration/ inside the real VS Code, then reports mocha's stats to the wrapper script.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // console output of the extension host reaches the browser as pre-joined strings: format it here
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog = (...a) => console.log(util.format(...a));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const dir = path.join(__dirname, 'integration');
  const grep = process.env.ASAPP_TEST_GREP;
  if (grep) mocha.grep(grep);
  // coverage.test.js checks what the other suites did: it runs last
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.test.js')).sort((a, b) => Number(a === 'coverage.test.js') - Number(b === 'coverage.test.js') || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run(failures => {
      const s = runner.stats;
      console.log(`${s?.passes ?? 0} passed, ${s?.failures ?? 0} failed`);
      const out = process.env.EXT_TEST_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(s));
      if (failures > 0) reject(new Error(`${failures} tests failed.`));
      else resolve();
    });
  });
}
