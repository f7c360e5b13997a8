// The same extension-host suite in a desktop VS Code, for developers whose machine can download one
// (@vscode/test-electron fetches a VS Code build; CI and this project's build machine cannot, so the
// test command uses code-server instead: scripts/vscode/exthost-test.mjs).
//   node esbuild.js && node scripts/vscode/desktop-test.mjs [VSCODE_VERSION]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'asapp-ws-'));
fs.writeFileSync(path.join(ws, 'readme.txt'), 'integration test workspace\n');
try {
  await runTests({
    version: process.argv[2] ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist/test/integration.js'),
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { ASAPP_TEST_WORKSPACE: ws },
  });
} catch (e) {
  console.error(`Desktop VS Code tests failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(ws, { recursive: true, force: true });
}
