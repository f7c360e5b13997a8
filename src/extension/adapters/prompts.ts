// Everything a command asks the user goes through a Prompter: VS Code's input boxes, quick picks and file
// dialogs in normal use; scripted answers in the integration tests (which cannot type into the UI), so the
// commands run end to end unchanged. Each question has a stable id the tests answer by.
import * as vscode from 'vscode';

export interface InputOptions {
  id: string;
  title?: string;
  prompt?: string;
  placeHolder?: string;
  value?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface Prompter {
  input(o: InputOptions): Promise<string | undefined>;
  pick<T>(items: PickItem<T>[], o: { id: string; title?: string; placeHolder?: string }): Promise<T | undefined>;
  openFile(o: { id: string; title?: string; filters?: Record<string, string[]>; folders?: boolean; defaultUri?: vscode.Uri }): Promise<vscode.Uri | undefined>;
  saveFile(o: { id: string; title?: string; filters?: Record<string, string[]>; defaultUri?: vscode.Uri }): Promise<vscode.Uri | undefined>;
  /** A modal warning; resolves to the chosen button or undefined. */
  confirm(o: { id: string; message: string; detail?: string; buttons: string[] }): Promise<string | undefined>;
}

export const vscodePrompter: Prompter = {
  async input(o) {
    return vscode.window.showInputBox({
      title: o.title, prompt: o.prompt, placeHolder: o.placeHolder, value: o.value, password: o.password, ignoreFocusOut: true,
      validateInput: o.validate,
    });
  },
  async pick(items, o) {
    const picked = await vscode.window.showQuickPick(items, { title: o.title, placeHolder: o.placeHolder, ignoreFocusOut: true });
    return picked?.value;
  },
  async openFile(o) {
    const uris = await vscode.window.showOpenDialog({
      title: o.title, filters: o.filters, canSelectFiles: !o.folders, canSelectFolders: Boolean(o.folders), canSelectMany: false,
      defaultUri: o.defaultUri,
    });
    return uris?.[0];
  },
  async saveFile(o) {
    return vscode.window.showSaveDialog({ title: o.title, filters: o.filters, defaultUri: o.defaultUri });
  },
  async confirm(o) {
    return vscode.window.showWarningMessage(o.message, { modal: true, detail: o.detail }, ...o.buttons);
  },
};

/** Answer for one question: a value, or for pick a predicate over the items' labels/values. */
export type ScriptedAnswer = string | undefined | vscode.Uri | ((item: PickItem<unknown>) => boolean);

/**
 * Answers questions from a queue keyed by question id; a question without a queued answer fails the
 * command loudly (a test that forgot an answer must not hang on a dialog nobody sees).
 */
export class ScriptedPrompter implements Prompter {
  private readonly answers = new Map<string, ScriptedAnswer[]>();
  readonly asked: string[] = [];

  answer(id: string, ...values: ScriptedAnswer[]): this {
    this.answers.set(id, [...(this.answers.get(id) ?? []), ...values]);
    return this;
  }
  pending(): string[] {
    return [...this.answers.entries()].filter(([, v]) => v.length > 0).map(([k]) => k);
  }
  clear(): void {
    this.answers.clear();
    this.asked.length = 0;
  }
  private next(id: string): ScriptedAnswer {
    this.asked.push(id);
    const queue = this.answers.get(id);
    if (!queue || queue.length === 0) throw new Error(`No scripted answer for the question "${id}"`);
    return queue.shift();
  }
  async input(o: InputOptions) {
    const v = this.next(o.id);
    if (v !== undefined && typeof v !== 'string') throw new Error(`Question "${o.id}" expects text`);
    if (v !== undefined && o.validate) {
      const problem = o.validate(v);
      if (problem) throw new Error(`Scripted answer for "${o.id}" rejected by validation: ${problem}`);
    }
    return v;
  }
  async pick<T>(items: PickItem<T>[], o: { id: string }) {
    const v = this.next(o.id);
    if (v === undefined) return undefined;
    const match = typeof v === 'function' ? items.find(i => v(i as PickItem<unknown>)) : items.find(i => i.label === v || String(i.value) === v);
    if (!match) throw new Error(`Question "${o.id}": no item matches among ${items.map(i => i.label).join(', ')}`);
    return match.value;
  }
  async openFile(o: { id: string }) {
    return this.uri(o.id);
  }
  async saveFile(o: { id: string }) {
    return this.uri(o.id);
  }
  async confirm(o: { id: string; buttons: string[] }) {
    const v = this.next(o.id);
    if (v !== undefined && (typeof v !== 'string' || !o.buttons.includes(v))) throw new Error(`Question "${o.id}": "${String(v)}" is not one of ${o.buttons.join(', ')}`);
    return v as string | undefined;
  }
  private uri(id: string): vscode.Uri | undefined {
    const v = this.next(id);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return vscode.Uri.file(v);
    if (v instanceof vscode.Uri) return v;
    throw new Error(`Question "${id}" expects a file`);
  }
}

/** Switchable: the real UI by default; the test API swaps in a ScriptedPrompter. */
export class PrompterSwitch implements Prompter {
  current: Prompter = vscodePrompter;
  input(o: InputOptions) { return this.current.input(o); }
  pick<T>(items: PickItem<T>[], o: { id: string; title?: string; placeHolder?: string }) { return this.current.pick(items, o); }
  openFile(o: Parameters<Prompter['openFile']>[0]) { return this.current.openFile(o); }
  saveFile(o: Parameters<Prompter['saveFile']>[0]) { return this.current.saveFile(o); }
  confirm(o: Parameters<Prompter['confirm']>[0]) { return this.current.confirm(o); }
}
