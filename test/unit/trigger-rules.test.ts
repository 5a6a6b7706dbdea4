// The pipeline compiles a flow endpoint's trigger rules once per rule set (globs cost
// more than the rest of an event); a flow endpoint whose triggers change must get the
// new rules, not the cached ones.
import { describe, expect, it } from 'vitest';
import type { FlowEndpoint, Triggers } from '../../src/core/model.js';
import { triggerRules } from '../../src/core/pipeline/completion.js';

const source = (triggers: Triggers): FlowEndpoint => ({ id: 'fe-1', flowId: 'flow-1', orgId: 'org-1', endpointId: 'ep-1', role: 'source', path: '/', triggers });

describe('triggerRules', () => {
  it('compiles a rule set once, whichever flow endpoint carries it', () => {
    const triggers: Triggers = { tempFilePatterns: ['*.part'] };
    expect(triggerRules(source(triggers))).toBe(triggerRules({ ...source({ ...triggers }), id: 'fe-2' }));
  });

  it('follows a flow endpoint whose triggers changed', () => {
    const before = triggerRules(source({ tempFilePatterns: ['*.tmp'], triggerFile: { mode: 'per-file', suffix: '.done' } }));
    const after = triggerRules(source({ tempFilePatterns: ['*.filepart'], triggerFile: { mode: 'batch', name: 'READY' } }));
    expect([before.isTempName('a.tmp'), before.isSignalName('a.done'), before.isSignalName('READY')]).toEqual([true, true, false]);
    expect([after.isTempName('a.tmp'), after.isTempName('a.filepart'), after.isSignalName('a.done'), after.isSignalName('READY')]).toEqual([false, true, false, true]);
  });
});
