// The hono environment of the admin app: who is calling, set by the runtime's
// authentication ("admin-token" locally, the IAM principal on AWS).
export interface AdminEnv {
  Variables: {
    actor: string;
  };
}
