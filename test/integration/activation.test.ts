// Activation: the extension starts in the real VS Code, registers every command of package.json, and
// loads nothing heavy (no S3 SDK, openpgp or DuckDB) until a command or an expanded node needs it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './fixture';

describe('activation', () => {
  it('activates without loading the services bundle, openpgp, the AWS SDK or DuckDB', async () => {
    const api = await activateExtension();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(api.servicesLoaded(), false, 'services were loaded during activation');
    const loaded = Object.keys(require.cache);
    assert.deepEqual(loaded.filter(k => /extensionServices\.js$|[\\/]@duckdb[\\/]|[\\/]openpgp[\\/]|[\\/]@aws-sdk[\\/]/.test(k)), []);
  });

  it('keeps openpgp, the AWS SDK and DuckDB out of the activation bundle itself', () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const main = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    const services = fs.readFileSync(path.join(root, 'dist', 'extensionServices.js'), 'utf8');
    for (const marker of ['ListObjectsV2Command', 'openpgp', '@duckdb/node-api']) {
      assert.ok(services.includes(marker), `${marker} should be in the services bundle`);
      assert.ok(!main.includes(marker), `${marker} found in dist/extension.js`);
    }
  });

  it('registers every command declared in package.json', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const declared: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter(c => !registered.has(c)), []);
  });
});
