// The messages between the extension and the table webview (media/table.js implements the other side).
export interface TableColumn {
  name: string;
  /** e.g. ['string'], ['integer'], ['timestamp', 'string'] */
  types: string[];
  nullable: boolean;
}

export interface TableRow {
  /** 1-based line in the file. */
  line: number;
  /** One display string per column, '' when absent; JSON for nested values. */
  cells: string[];
}

export type ToWebview = {
  type: 'show';
  title: string;
  source: string;
  columns: TableColumn[];
  rows: TableRow[];
  problems: Array<{ line: number; message: string }>;
  /** False when the file has more records than shown. */
  complete: boolean;
};

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; rows: number; columns: number; headers: string[] };
