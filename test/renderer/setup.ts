/**
 * The renderer project's setup (vitest.config.ts): Testing Library's cleanup between tests, a
 * `toBeVisible` matcher, and the little layout jsdom lacks so that the virtualised list shows a
 * window of rows: its scroll viewport reports 1000 × 600 px.
 */
import { cleanup } from '@testing-library/react';
import { afterEach, expect } from 'vitest';

declare module 'vitest' {
  interface Matchers<T> {
    /**
     * The element is in the document and a user can see it: neither it nor an ancestor is `hidden`,
     * a closed <details> (but its summary) or a closed <dialog>, or styled
     * display: none / visibility: hidden. (`expect(getBy…).toBeTruthy()` could not fail: getBy throws
     * first, and it finds hidden text too.)
     */
    toBeVisible(): T;
  }
}

function hiddenBy(element: Element): string | null {
  if (!element.isConnected) return 'it is not in the document';
  for (let node: Element | null = element; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (node.hasAttribute('hidden')) return `<${node.tagName.toLowerCase()}> is hidden`;
    if (style.display === 'none') return `<${node.tagName.toLowerCase()}> has display: none`;
    if (style.visibility === 'hidden' || style.visibility === 'collapse') return `<${node.tagName.toLowerCase()}> has visibility: hidden`;
    if (node.tagName === 'DIALOG' && !node.hasAttribute('open')) return 'its <dialog> is closed';
    const parent = node.parentElement;
    if (parent?.tagName === 'DETAILS' && !parent.hasAttribute('open') && node.tagName !== 'SUMMARY') return 'its <details> is closed';
  }
  return null;
}

expect.extend({
  toBeVisible(received: unknown) {
    if (!(received instanceof Element)) {
      return { pass: false, message: () => `expected an element, got ${String(received)}` };
    }
    const reason = hiddenBy(received);
    return {
      pass: reason === null,
      message: () =>
        reason === null ? `expected ${received.outerHTML.slice(0, 200)} not to be visible` : `expected it to be visible, but ${reason}`,
    };
  },
});

afterEach(() => {
  cleanup();
  localStorage.clear();
  delete document.documentElement.dataset.theme;
  delete (window as { ferry?: unknown }).ferry;
  delete (window as { ferryDesktop?: unknown }).ferryDesktop;
});

const VIEWPORT = { clientHeight: 600, clientWidth: 1000 } as const;
for (const property of ['clientHeight', 'clientWidth'] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, property);
  Object.defineProperty(HTMLElement.prototype, property, {
    configurable: true,
    get(this: HTMLElement) {
      if (this.classList.contains('job-table-body')) return VIEWPORT[property];
      return original?.get ? (original.get.call(this) as number) : 0;
    },
  });
}

if (!Element.prototype.scrollTo) {
  Element.prototype.scrollTo = function scrollTo(this: Element, options?: ScrollToOptions | number, y?: number) {
    const top = typeof options === 'number' ? (y ?? 0) : (options?.top ?? this.scrollTop);
    this.scrollTop = top;
    this.dispatchEvent(new Event('scroll'));
  } as Element['scrollTo'];
}
