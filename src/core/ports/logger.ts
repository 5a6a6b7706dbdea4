// The logging the core needs: structured fields first, then a message (pino's shape).
export interface Log {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
