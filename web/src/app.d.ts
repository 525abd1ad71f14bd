import type { User } from '$lib/api-types';

// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
    }
    interface Locals {
      /** The signed-in user, loaded from `GET /v1/me` by hooks.server.ts; null when signed out. */
      user: User | null;
      /** True when a session cookie was present but the API could not be reached to check it. */
      apiUnavailable: boolean;
    }
  }
}

export {};
