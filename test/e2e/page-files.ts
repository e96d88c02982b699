// Files made inside the page (a test cannot hand Chromium a real drag from the desktop): the same
// deterministic bytes are computed in Node for the expected SHA-256.
import type { JSHandle, Locator, Page } from '@playwright/test';
import { createHash } from 'node:crypto';

export interface PageFile {
  name: string;
  size: number;
  seed: number;
}

/** xorshift32 bytes: identical in the page (below) and here. */
export function pseudoRandomBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    for (let b = 0; b < 4 && i + b < size; b++) out[i + b] = (x >>> (8 * b)) & 0xff;
  }
  return out;
}

export function sha256Of(file: PageFile): string {
  return createHash('sha256').update(pseudoRandomBytes(file.size, file.seed)).digest('hex');
}

/** A DataTransfer in the page holding the given files, as a drop from the desktop would. */
export function pageDataTransfer(page: Page, files: PageFile[]): Promise<JSHandle<DataTransfer>> {
  return page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const { name, size, seed } of list) {
      const data = new Uint8Array(size);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < size; i += 4) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        for (let b = 0; b < 4 && i + b < size; b++) data[i + b] = (x >>> (8 * b)) & 0xff;
      }
      transfer.items.add(new File([data], name, { lastModified: 1_700_000_000_000 + seed }));
    }
    return transfer;
  }, files);
}

/** Drops `files` on the window: dragenter, dragover, drop, as the browser sends them. */
export async function dropFiles(page: Page, files: PageFile[]): Promise<void> {
  const dataTransfer = await pageDataTransfer(page, files);
  const zone: Locator = page.locator('.drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
}
