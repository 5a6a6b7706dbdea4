// The identity Lambda: one login attempt in, the user's home, permissions and keys out
// (AWS Transfer Family's custom identity provider contract, extended for our front end).
import { loadAwsConfig } from '../src/runtime/aws-config.js';
import { awsClients, identityFunction } from '../src/runtime/aws.js';
import { createLogger } from '../src/log.js';

const config = loadAwsConfig();
export const handler = identityFunction({ config, clients: awsClients(config), logger: createLogger(config.THRU_LOG_LEVEL) });
