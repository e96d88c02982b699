import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

// the matcher the window's tests use instead of `expect(getBy…).toBeTruthy()` (test/renderer/setup.ts) must be able to fail
describe('toBeVisible', () => {
  it('fails on text a user cannot see, passes on text a user can', () => {
    render(
      <div>
        <p>shown</p>
        <div hidden>
          <p>in a hidden block</p>
        </div>
        <p style={{ display: 'none' }}>not displayed</p>
        <details>
          <summary>summary</summary>
          <p>folded away</p>
        </details>
      </div>,
    );
    expect(screen.getByText('shown')).toBeVisible();
    expect(screen.getByText('summary')).toBeVisible();
    expect(screen.getByText('in a hidden block')).not.toBeVisible();
    expect(screen.getByText('not displayed')).not.toBeVisible();
    expect(screen.getByText('folded away')).not.toBeVisible();
    expect(() => expect(screen.getByText('in a hidden block')).toBeVisible()).toThrow(/<div> is hidden/);
  });
});
