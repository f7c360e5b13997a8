// The tree filter: feed names (substring or * wildcards, case-insensitive) and a date range over dt=.
export interface TreeFilter {
  feed?: string;
  /** YYYY-MM-DD, inclusive */
  from?: string;
  to?: string;
}

export function isActive(f: TreeFilter): boolean {
  return Boolean(f.feed || f.from || f.to);
}

export function matchesFeed(f: TreeFilter, feed: string): boolean {
  if (!f.feed) return true;
  const pattern = f.feed.toLowerCase();
  if (!pattern.includes('*')) return feed.toLowerCase().includes(pattern);
  const re = new RegExp(`^${pattern.split('*').map(s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(feed.toLowerCase());
}

export function matchesDate(f: TreeFilter, dt: string): boolean {
  return (!f.from || dt >= f.from) && (!f.to || dt <= f.to);
}

export function describeFilter(f: TreeFilter): string {
  const parts: string[] = [];
  if (f.feed) parts.push(`feed ${f.feed}`);
  if (f.from || f.to) parts.push(`${f.from ?? '…'} → ${f.to ?? '…'}`);
  return parts.join(', ');
}

/** The day after `date` (YYYY-MM-DD), as a newest-first page token meaning "dates before this one". */
export function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
