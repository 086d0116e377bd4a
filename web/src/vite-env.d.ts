/// <reference types="vite/client" />
/* eslint-disable @typescript-eslint/consistent-type-definitions -- declaration merging needs interfaces */

interface ImportMetaEnv {
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
