/**
 * The renderer project's setup (vitest.config.ts): Testing Library's cleanup between tests, and
 * the little layout jsdom lacks so that the virtualised list shows a window of rows: its scroll
 * viewport reports 1000 × 600 px.
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

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
