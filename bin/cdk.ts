// The CDK app: `cdk deploy -c stage=dev|prod --all`. Settings are in lib/config.ts
// (defaults) and cdk.json (per-stage overrides).
import { App } from 'aws-cdk-lib';
import { buildThruSftp } from '../lib/app.js';

const app = new App();
buildThruSftp(app);
app.synth();
