import { describe, expect, it } from 'vitest';
import { assignBatches, looseFilesName } from '../../shared/batch.ts';

describe('batches', () => {
  it('one batch per dropped folder and one for the loose files of the drop', () => {
    let next = 0;
    const items = [
      { folder: 'photos', name: 'a.jpg' },
      { folder: null, name: 'notes.txt' },
      { folder: 'photos', name: 'b.jpg' },
      { folder: 'music', name: 'c.mp3' },
      { folder: null, name: 'todo.md' },
    ];
    const batches = assignBatches(
      items,
      (item) => item.folder,
      (item) => item.name,
      () => `b${++next}`,
    );
    expect(batches.map((batch) => batch.name)).toEqual(['photos', 'notes.txt and 1 more', 'photos', 'music', 'notes.txt and 1 more']);
    expect(batches[0]!.id).toBe(batches[2]!.id);
    expect(batches[1]!.id).toBe(batches[4]!.id);
    expect(new Set(batches.map((batch) => batch.id)).size).toBe(3);
  });

  it('names loose files by the first and how many more', () => {
    expect(looseFilesName(['a'])).toBe('a');
    expect(looseFilesName(['a', 'b', 'c'])).toBe('a and 2 more');
    expect(looseFilesName(['a', ...Array.from({ length: 2000 }, () => 'x')])).toBe('a and 2,000 more');
  });
});
