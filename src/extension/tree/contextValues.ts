// Every contextValue the tree sets, in one place: package.json menus match them (`viewItem == …` or
// regular expressions over the prefixes).
export const ContextValues = {
  Connection: 'connection',
  DemoConnection: 'connection.demo',
  Feed: 'feed',
  Version: 'version',
  Format: 'format',
  Other: 'other',
  PartitionComplete: 'partition.complete',
  PartitionInProgress: 'partition.inProgress',
  PartitionEmpty: 'partition.empty',
  /** A dt= (or hr=) that holds deeper partitions rather than files. */
  PartitionParent: 'partition.parent',
  FileData: 'file.data',
  FileEncrypted: 'file.encrypted',
  FileMarker: 'file.marker',
  FileOther: 'file.other',
  LoadMore: 'loadMore',
  Message: 'message',
} as const;

export type ContextValue = (typeof ContextValues)[keyof typeof ContextValues];
