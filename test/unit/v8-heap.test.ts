// Heap profiles (src/runtime/v8-heap.ts): the flags a child process gets for one.
import { describe, expect, it } from 'vitest';
import { S3_FRONT_END_HEAP, TRANSFER_HEAP, execArgvFor } from '../../src/runtime/v8-heap.js';

describe('execArgvFor', () => {
  it("adds the profile's semi-space after the parent's flags", () => {
    expect(execArgvFor(['--enable-source-maps'], S3_FRONT_END_HEAP)).toEqual(['--enable-source-maps', '--max-semi-space-size=1']);
  });

  it('leaves a semi-space the parent was given alone', () => {
    expect(execArgvFor(['--max-semi-space-size=8'], S3_FRONT_END_HEAP)).toEqual(['--max-semi-space-size=8']);
  });

  it('adds nothing for a profile without one', () => {
    expect(execArgvFor(['--import', 'tsx'], TRANSFER_HEAP)).toEqual(['--import', 'tsx']);
  });
});
