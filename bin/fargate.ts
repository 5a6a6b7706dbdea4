// PLACEHOLDER (CDK issue 6) until the AWS runtime (issue 5) provides the real Fargate entry point; replace this file whole.
process.stderr.write('bin/fargate.ts is a placeholder: the AWS runtime is not built yet\n');
process.exit(1);
