// Runs last. Every command of package.json ran through the command wrapper in some suite (the wrapper
// logs each call), and no secret reached settings.json, the log channel or a message shown.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, fixture, PASSPHRASE, SECRET_ACCESS_KEY } from './fixture';

describe('coverage and secrets', () => {
  it('executed every command declared in package.json', async () => {
    const api = await activateExtension();
    const declared: string[] = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const executed = new Set(api.env.log.lines().map(l => /^info: (asappExports\.\w+)$/.exec(l)?.[1]).filter(Boolean));
    assert.deepEqual(declared.filter(c => !executed.has(c)), []);
  });

  it('kept secrets out of settings.json, the log and every message shown', async () => {
    const f = await fixture();
    const secrets = [SECRET_ACCESS_KEY, PASSPHRASE, 'a brand new passphrase', 'rsa passphrase 123', 'first passphrase 1', 'not the passphrase at all', '-----BEGIN PGP PRIVATE KEY BLOCK-----'];
    const userSettings = path.resolve(f.api.env.context.globalStorageUri.fsPath, '..', '..', 'settings.json');
    assert.ok(fs.existsSync(userSettings), userSettings);
    const places: Array<[string, string]> = [
      ['settings.json', fs.readFileSync(userSettings, 'utf8')],
      ['log channel', f.api.env.log.lines().join('\n')],
      ['messages', f.api.env.shown.join('\n')],
    ];
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (ws && fs.existsSync(path.join(ws, '.vscode', 'settings.json'))) places.push(['workspace settings', fs.readFileSync(path.join(ws, '.vscode', 'settings.json'), 'utf8')]);
    assert.match(places[0][1], /asappExports\.s3\.endpoint/, 'the test did write settings (so the check means something)');
    assert.ok(places[1][1].length > 1000, 'the log has content');
    for (const [where, text] of places) for (const s of secrets) assert.ok(!text.includes(s), `"${s.slice(0, 12)}…" found in ${where}`);
  });
});
