// What command families and the tree get from activate: adapters and services, built once.
import type { S3Client } from '@aws-sdk/client-s3';
import type * as vscode from 'vscode';
import type { Settings } from './adapters/config';
import type { ExtensionLog } from './adapters/log';
import type { PrompterSwitch } from './adapters/prompts';
import type { VscodeSecretStore } from './adapters/secretStore';
import type { Connection, ConnectionStore } from './connections';
import type { KeyStore } from './keyStore';
import type { Services } from './lazy';
import type { ExportsTreeProvider } from './tree/provider';
import type { ExportNode } from './tree/nodes';

export interface ExtensionEnv {
  context: vscode.ExtensionContext;
  log: ExtensionLog;
  prompts: PrompterSwitch;
  settings(): Settings;
  secrets: VscodeSecretStore;
  connections: ConnectionStore;
  keys: KeyStore;
  /** The heavy core modules, loaded on first call. */
  core(): Services;
  client(connection: Connection): Promise<S3Client>;
  tree: ExportsTreeProvider;
  treeView: vscode.TreeView<ExportNode>;
  /** Shows an information message (recorded for the tests); resolves to the button picked. */
  notify(message: string, ...buttons: string[]): Promise<string | undefined>;
  /** Messages shown this session, errors included (already redacted). */
  readonly shown: string[];
}
