// Structured JSON logs (pino). Secrets are redacted by key wherever they might appear.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'thru-sftp' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'passwordHash', '*.passwordHash'], censor: '[redacted]' },
    },
    destination,
  );
}
