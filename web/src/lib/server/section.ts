import { redirect } from '@sveltejs/kit';
import { ApiContractError, ApiError, ApiUnavailableError } from './errors';

/** One independently loaded part of a page: its data, or a message saying why it is missing. */
export type Section<T> = { ok: true; data: T } | { ok: false; status: number | null; message: string };

/** Human message for a failed API call. */
export function describeFailure(err: unknown): { status: number | null; message: string } {
  if (err instanceof ApiError) {
    if (err.status === 403) return { status: 403, message: 'Your role does not have access to this.' };
    if (err.status === 404) return { status: 404, message: 'The platform API does not offer this yet.' };
    return { status: err.status, message: err.problem.detail ?? err.problem.title };
  }
  if (err instanceof ApiUnavailableError || err instanceof ApiContractError) return { status: null, message: err.message };
  return { status: null, message: 'Unexpected error while loading this section.' };
}

/**
 * Await one API call for a page section so that one failing call does not blank the whole page.
 * A 401 means the session ended meanwhile: send the user to sign in again.
 */
export async function section<T>(promise: Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, data: await promise };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) redirect(303, '/sign-in');
    if (!(err instanceof ApiError)) console.error('[web] section failed:', err);
    return { ok: false, ...describeFailure(err) };
  }
}
