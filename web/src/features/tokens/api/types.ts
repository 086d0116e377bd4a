// API tokens (`/api/tokens`): for scripts, sent as `Authorization: Bearer <token>`.

export type ApiToken = {
  id: number;
  name: string;
  /** The token's first 8 characters (`sbt_AbC1`), to tell tokens apart. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
};

export type ApiTokenList = {
  items: ApiToken[];
};

/** The answer to creating one: the whole token, this once and never again. */
export type NewApiToken = ApiToken & { token: string };

export type ApiTokenCreate = {
  name: string;
};
