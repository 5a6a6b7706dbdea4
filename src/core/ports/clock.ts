// The clock port: tests and the pipeline's retry schedule use it instead of Date.now().
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
