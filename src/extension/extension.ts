// activate/deactivate only: build the adapters and services, the tree, and register the command families.
// Nothing heavy happens here: no S3 call, no openpgp, no DuckDB (they load from lazy.ts on first use).
import * as vscode from 'vscode';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from '../core/errors';
import { onSettingsChange, readSettings } from './adapters/config';
import { createLog } from './adapters/log';
import { PrompterSwitch, ScriptedPrompter } from './adapters/prompts';
import { VscodeSecretStore } from './adapters/secretStore';
import { registerCommands, type CommandDef } from './commands/command';
import { browseCommands } from './commands/browse';
import { credentialCommands } from './commands/credentials';
import { dedupeCommands } from './commands/dedupe';
import { downloadCommands } from './commands/download';
import { keyCommands } from './commands/keys';
import { previewCommands } from './commands/preview';
import { schemaCommands } from './commands/schema';
import { PreviewDocuments } from './preview/previewDocuments';
import { ConnectionStore, type Connection } from './connections';
import type { ExtensionEnv } from './env';
import { KeyStore } from './keyStore';
import { loadServices, servicesLoaded } from './lazy';
import { ExportsTreeProvider } from './tree/provider';

export const VIEW_ID = 'asappExports.exports';

/** Returned from activate in development and test mode only: the integration tests drive the extension through it. */
export interface TestApi {
  env: ExtensionEnv;
  useScriptedPrompts(): ScriptedPrompter;
  useRealPrompts(): void;
  servicesLoaded(): boolean;
}

export function activate(context: vscode.ExtensionContext): TestApi | undefined {
  const log = createLog('ASAPP Exports');
  context.subscriptions.push(log);
  try {
    return activateOrThrow(context, log);
  } catch (e) {
    // VS Code does not show activation failures to the user: do it here.
    log.error(`Activation failed: ${errorMessage(e)}`);
    void vscode.window.showErrorMessage(`ASAPP Exports could not start: ${errorMessage(e)}`, 'Show Log').then(c => c && log.show());
    return undefined;
  }
}

function activateOrThrow(context: vscode.ExtensionContext, log: ReturnType<typeof createLog>): TestApi | undefined {
  const secrets = new VscodeSecretStore(context.secrets);
  const connections = new ConnectionStore(secrets);
  const keys = new KeyStore(secrets);
  const prompts = new PrompterSwitch();
  const clients = new Map<string, Promise<S3Client>>();
  const dropClients = () => {
    for (const c of clients.values()) void c.then(x => x.destroy(), () => {});
    clients.clear();
  };
  const client = (connection: Connection): Promise<S3Client> => {
    let c = clients.get(connection.id);
    if (!c) {
      c = (async () => {
        const settings = readSettings();
        const endpoint = connection.endpoint ?? settings.endpoint;
        const common = { region: connection.region, ...(endpoint ? { endpoint } : {}) };
        if (connection.source === 'profile') return loadServices().createS3Client({ ...common, profile: connection.profile });
        const k = await connections.keys(connection.id);
        if (!k) throw new Error(`The keys of "${connection.label}" are missing from VS Code's secret storage: decrypt the credentials file again.`);
        log.redactor.add(k.secretAccessKey);
        return loadServices().createS3Client({ ...common, credentials: k });
      })();
      c.catch(() => clients.delete(connection.id));
      clients.set(connection.id, c);
    }
    return c;
  };
  const shown: string[] = [];
  const tree = new ExportsTreeProvider({ connections, client, core: loadServices, settings: readSettings, log });
  const treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  const env: ExtensionEnv = {
    context, log, prompts, secrets, connections, keys,
    settings: readSettings,
    core: loadServices,
    client,
    tree,
    treeView,
    notify: async (message, ...buttons) => {
      const safe = log.redactor.redact(message);
      shown.push(safe);
      log.info(safe);
      return vscode.window.showInformationMessage(safe, ...buttons);
    },
    shown,
  };
  const updateFilterUi = () => {
    treeView.description = tree.describeFilter();
    void vscode.commands.executeCommand('setContext', 'asappExports.filtered', tree.describeFilter() !== undefined);
  };
  context.subscriptions.push(
    connections, tree, treeView,
    tree.onDidChangeFilter(updateFilterUi),
    connections.onDidChange(dropClients),
    onSettingsChange(() => { dropClients(); tree.refresh(); }),
    { dispose: dropClients },
  );

  const previews = new PreviewDocuments(env);
  context.subscriptions.push(previews);
  const families: CommandDef[][] = [
    keyCommands(env), credentialCommands(env), browseCommands(env), downloadCommands(env),
    previewCommands(env, previews), dedupeCommands(env), schemaCommands(env),
  ];
  context.subscriptions.push(...registerCommands(env, families.flat()));
  log.info(`ASAPP Exports ${context.extension.packageJSON.version} activated`);

  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  return {
    env,
    useScriptedPrompts() {
      const scripted = new ScriptedPrompter();
      prompts.current = scripted;
      return scripted;
    },
    useRealPrompts() {
      prompts.current = new PrompterSwitch().current;
    },
    servicesLoaded,
  };
}

export function deactivate(): void {}
