import { describe, expect, it } from 'vitest';
import { handoverStateOf } from './HandoverWatch.ts';

describe('handoverStateOf', () => {
  it('reads the state of a handover event', () => {
    expect(handoverStateOf('event: handover\ndata: {"state":"pending"}')).toBe('pending');
    expect(handoverStateOf('event: handover\ndata: {"state":"failed"}')).toBe('failed');
  });

  it('ignores comments, other events and malformed data', () => {
    expect(handoverStateOf(': ping')).toBeUndefined();
    expect(handoverStateOf('event: other\ndata: {"state":"pending"}')).toBeUndefined();
    expect(handoverStateOf('event: handover\ndata: {"state":"later"}')).toBeUndefined();
    expect(handoverStateOf('event: handover\ndata: not json')).toBeUndefined();
    expect(handoverStateOf('event: handover\ndata: null')).toBeUndefined();
  });
});
