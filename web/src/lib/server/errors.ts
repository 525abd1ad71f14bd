import { Problem } from '$lib/api-types';

/** The API answered with an error status; `problem` is its RFC 9457 document (gaps filled in). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem & { title: string },
    /** Seconds from a `Retry-After` header (429/503), when the API sent one. */
    readonly retryAfter?: number,
  ) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
}

/** The API could not be reached or did not answer in time. */
export class ApiUnavailableError extends Error {
  override readonly name = 'ApiUnavailableError';
}

/** The API answered 2xx but the body did not match the contract. */
export class ApiContractError extends Error {
  override readonly name = 'ApiContractError';
}

/** Build an ApiError from a non-2xx response, reading a problem document when there is one. */
export async function problemFromResponse(res: Response): Promise<ApiError> {
  let problem: Problem = {};
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const parsed = Problem.safeParse(await res.json().catch(() => null));
    if (parsed.success) problem = parsed.data;
  }
  const title = problem.title || res.statusText || `HTTP ${res.status}`;
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  return new ApiError(res.status, { ...problem, title, status: problem.status ?? res.status }, retryAfter);
}
