import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Liveness of the console process itself (the API's readiness is at /system). */
export const GET: RequestHandler = () => json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
