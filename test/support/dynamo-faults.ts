// Faults dynalite cannot produce, injected as SDK middleware on one client: an error in
// place of a chosen call (a throttle past the SDK's retries, a timeout, a crash between
// two writes), or something done just before it (a concurrent writer at the worst moment).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Operation = 'GetItem' | 'PutItem' | 'DeleteItem' | 'Query' | 'BatchGetItem' | 'UpdateItem';

/** The call's input as the document client sends it (plain values, e.g. `Item.PK`, `Key.PK`). */
export type CallInput = Record<string, unknown> & { Item?: Record<string, unknown>; Key?: Record<string, unknown> };

interface Rule {
  operation: Operation;
  matches: (input: CallInput) => boolean;
  times: number;
  act: (input: CallInput) => Promise<void>;
}

export interface Faults {
  /** The next `times` matching calls fail with `error` instead of reaching DynamoDB. */
  fail(operation: Operation, matches: (input: CallInput) => boolean, error: () => Error, times?: number): void;
  /** `action` runs (awaited) before each of the next `times` matching calls. */
  before(operation: Operation, matches: (input: CallInput) => boolean, action: (input: CallInput) => Promise<void>, times?: number): void;
  /** Calls made so far, by operation. */
  calls: { operation: string; input: CallInput }[];
}

/** Matches a call on the item whose PK is `pk`. */
export const onItem = (pk: string) => (input: CallInput) => input.Item?.PK === pk || input.Key?.PK === pk;
/** Matches a call on any item whose PK starts with `prefix`. */
export const onItems = (prefix: string) => (input: CallInput) => {
  const pk = input.Item?.PK ?? input.Key?.PK;
  return typeof pk === 'string' && pk.startsWith(prefix);
};

export function injectFaults(client: DynamoDBDocumentClient): Faults {
  const rules: Rule[] = [];
  const calls: Faults['calls'] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const input = args.input as CallInput;
      calls.push({ operation, input });
      const rule = rules.find((r) => r.times > 0 && r.operation === operation && r.matches(input));
      if (rule) {
        rule.times--;
        await rule.act(input);
      }
      return next(args);
    },
    { step: 'initialize', name: 'testFaults' },
  );
  return {
    calls,
    fail: (operation, matches, error, times = 1) =>
      rules.push({ operation, matches, times, act: async () => { throw error(); } }),
    before: (operation, matches, action, times = 1) => rules.push({ operation, matches, times, act: action }),
  };
}
