/**
 * Batches: the files that came together (one dropped folder, the loose files of one drop, one
 * `ferry upload`) are one item in the window. Pure: the hosts assign, the window groups.
 */

export interface Batch {
  id: string;
  name: string;
}

/** "photo.jpg and 2 more", or the one name. */
export function looseFilesName(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? 'Files';
  return `${names[0]} and ${(names.length - 1).toLocaleString('en-US')} more`;
}

/**
 * One batch per folder and one for the loose files of a drop: `folderOf` names the dropped folder a
 * file came from (null for a loose file). Returns each item's batch, in order.
 */
export function assignBatches<T>(
  items: readonly T[],
  folderOf: (item: T) => string | null,
  nameOf: (item: T) => string,
  newId: () => string,
): Batch[] {
  const folders = new Map<string, Batch>();
  const loose = items.filter((item) => folderOf(item) === null);
  const looseBatch: Batch = { id: newId(), name: looseFilesName(loose.map(nameOf)) };
  return items.map((item) => {
    const folder = folderOf(item);
    if (folder === null) return looseBatch;
    let batch = folders.get(folder);
    if (!batch) {
      batch = { id: newId(), name: folder };
      folders.set(folder, batch);
    }
    return batch;
  });
}
