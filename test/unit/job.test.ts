import { describe, expect, it } from 'vitest';
import { JOB_EVENTS, JOB_STATES, TRANSITIONS, canTransition, fingerprintDifference, isFinal, transition } from '../../shared/job.ts';
import { InvalidTransitionError } from '../../shared/errors.ts';

describe('job state machine', () => {
  it('walks the happy path queued → uploading → completed', () => {
    let state = transition('queued', 'start');
    expect(state).toBe('uploading');
    state = transition(state, 'complete');
    expect(state).toBe('completed');
    expect(isFinal(state)).toBe(true);
  });

  it('pauses and resumes through the queue, never straight back to uploading', () => {
    expect(transition('uploading', 'pause')).toBe('paused');
    expect(transition('paused', 'resume')).toBe('queued');
    expect(canTransition('paused', 'start')).toBe(false);
  });

  it('returns an interrupted upload to the queue so that a restart resumes it', () => {
    expect(transition('uploading', 'interrupt')).toBe('queued');
  });

  it('retries only failed jobs', () => {
    expect(transition('failed', 'retry')).toBe('queued');
    for (const state of JOB_STATES.filter((s) => s !== 'failed')) expect(canTransition(state, 'retry')).toBe(false);
  });

  it('calls exactly completed and aborted final', () => {
    expect(JOB_STATES.filter(isFinal)).toEqual(['completed', 'aborted']);
  });

  it('aborts from every non-final state and from no final one', () => {
    for (const state of JOB_STATES) {
      expect(canTransition(state, 'abort')).toBe(!isFinal(state));
    }
  });

  it('rejects every transition out of a final state with a named error', () => {
    for (const event of JOB_EVENTS) {
      expect(() => transition('completed', event)).toThrow(InvalidTransitionError);
      expect(() => transition('aborted', event)).toThrow(InvalidTransitionError);
    }
    expect(() => transition('completed', 'pause')).toThrow('Cannot pause a job that is completed.');
  });

  it('leads only to known states', () => {
    for (const state of JOB_STATES) {
      for (const next of Object.values(TRANSITIONS[state])) expect(JOB_STATES).toContain(next);
    }
  });
});

describe('fingerprintDifference', () => {
  const base = { size: 10, mtimeMs: 1000, ino: '42' };
  it('says nothing when the file is the same', () => {
    expect(fingerprintDifference(base, { ...base })).toBeNull();
  });
  it('names the difference in words', () => {
    expect(fingerprintDifference(base, { ...base, size: 11 })).toBe('size was 10 bytes, now 11');
    expect(fingerprintDifference(base, { ...base, mtimeMs: 2000 })).toBe('modification time differs');
    expect(fingerprintDifference(base, { ...base, ino: '43' })).toBe('it was replaced by another file');
  });
});
