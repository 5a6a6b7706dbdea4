// PLACEHOLDER (CDK issue 6) until the AWS runtime issue provides this handler; replace this file whole.
export async function handler(): Promise<never> {
  throw new Error('not implemented yet: placeholder handler');
}
