// Children of one node, loaded one page at a time. The continuation token is kept between "Load more…"
// clicks, and a page request in flight is shared, so double clicks never load (or skip) a page twice.
// Model: aws-toolkit-vscode childNodeLoader.ts.
export interface PageResult<T> {
  items: T[];
  nextToken?: string;
}

export class PagedChildren<T> {
  private loaded: T[] = [];
  private token: string | undefined;
  private started = false;
  private inflight: Promise<void> | undefined;

  constructor(private readonly fetchPage: (token: string | undefined) => Promise<PageResult<T>>) {}

  get items(): readonly T[] {
    return this.loaded;
  }

  get hasMore(): boolean {
    return this.token !== undefined;
  }

  /** Loads the first page unless it is loaded (or loading). */
  first(): Promise<void> {
    if (this.started) return this.inflight ?? Promise.resolve();
    this.started = true;
    return this.load();
  }

  /** Loads the next page; a no-op when there is none; joins a load already running. */
  more(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (!this.started) return this.first();
    if (this.token === undefined) return Promise.resolve();
    return this.load();
  }

  private load(): Promise<void> {
    const token = this.token;
    this.inflight = (async () => {
      try {
        const page = await this.fetchPage(token);
        this.loaded = [...this.loaded, ...page.items];
        this.token = page.nextToken;
      } catch (e) {
        if (this.loaded.length === 0) this.started = false; // let the next expand retry
        throw e;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}
