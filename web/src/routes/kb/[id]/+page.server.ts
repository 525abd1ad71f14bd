import { error, fail } from '@sveltejs/kit';
import { ROLES } from '$lib/api-types';
import { requireRole } from '$lib/server/auth';
import { ApiError, ApiUnavailableError } from '$lib/server/api';
import { section } from '$lib/server/section';
import { AUDIT_ROLES, EDIT_ROLES } from '$lib/components/kb/types';
import { kbApiFor } from '../kb-api.server';
import type { Actions, PageServerLoad } from './$types';

const MAX_TITLE = 300;
const MAX_BODY = 200_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the edit form gets back on failure: the text as typed, a message per field, and an overall message. */
interface EditState {
  title: string;
  body: string;
  errors: { title?: string; body?: string };
  message: string;
  /** Set when someone else saved meanwhile: the version the next save builds on. */
  baseVersion?: number;
}
const editFailure = (status: number, edit: EditState) => fail(status, { edit });

const canEdit = (role: string) => (EDIT_ROLES as readonly string[]).includes(role);

export const load: PageServerLoad = async (event) => {
  const user = requireRole(event.locals, ROLES);
  const id = event.params.id;
  if (!UUID_RE.test(id)) error(404, { message: 'No such article.' });
  const api = kbApiFor(event);
  const article = await section(api.article(id));
  if (!article.ok) {
    if (article.status === 404) error(404, { message: 'No such article in your tenant.' });
    return { now: Date.now(), article, diff: null, audit: null, canEdit: false, canAudit: false, version: null };
  }
  const current = article.data.currentVersion;
  const asked = Number(event.url.searchParams.get('v'));
  const version = Number.isInteger(asked) && asked >= 1 && asked <= current ? asked : current;
  const canAudit = (AUDIT_ROLES as readonly string[]).includes(user.role);
  const [diff, audit] = await Promise.all([
    section(api.diff(id, Math.max(1, version - 1), version)),
    canAudit ? section(api.audit({ articleId: id, sections: ['conflicts', 'stale'] })) : Promise.resolve(null),
  ]);
  return { now: Date.now(), article, diff, audit, canEdit: canEdit(user.role), canAudit, version };
};

function failure(err: unknown, action: string) {
  if (err instanceof ApiError) {
    if (err.status === 403) return { status: 403, message: `Your role cannot ${action}.` };
    if (err.status === 404) return { status: 404, message: 'This article no longer exists.' };
    if (err.status === 400) return { status: 400, message: err.problem.detail ?? 'The platform refused the change.' };
    return { status: err.status, message: err.problem.detail ?? err.problem.title };
  }
  if (err instanceof ApiUnavailableError) return { status: 503, message: 'The platform API is unreachable. Your text is kept: try again shortly.' };
  console.error(`[web] ${action} failed:`, err);
  return { status: 502, message: `Could not ${action}: the platform answered unexpectedly.` };
}

export const actions: Actions = {
  /** Title and body become a new version (the API checks the role too). */
  edit: async (event) => {
    requireRole(event.locals, EDIT_ROLES);
    const form = await event.request.formData();
    const title = String(form.get('title') ?? '').trim();
    const body = String(form.get('body') ?? '').replace(/\r\n/g, '\n');
    const baseVersion = Number(form.get('baseVersion'));
    const errors: EditState['errors'] = {};
    if (!title) errors.title = 'Enter a title.';
    else if (title.length > MAX_TITLE) errors.title = `Keep the title under ${MAX_TITLE} characters (it has ${title.length}).`;
    if (!body.trim()) errors.body = 'The article needs a body.';
    else if (body.length > MAX_BODY) errors.body = `The body is too long: at most ${MAX_BODY.toLocaleString('en-US')} characters.`;
    if (errors.title || errors.body) return editFailure(400, { title, body, errors, message: 'Fix the fields marked below.' });

    const api = kbApiFor(event);
    try {
      const current = await api.article(event.params.id);
      if (Number.isInteger(baseVersion) && baseVersion !== current.currentVersion) {
        return editFailure(409, {
          title,
          body,
          errors: {},
          message: `Someone saved version ${current.currentVersion} while you were editing version ${baseVersion}. Your text is kept below; review the history, then save again.`,
          baseVersion: current.currentVersion,
        });
      }
      const change: { title?: string; body?: string } = {};
      if (title !== current.title) change.title = title;
      if (body !== current.body) change.body = body;
      if (!change.title && !change.body) return editFailure(400, { title, body, errors: {}, message: 'Nothing changed: edit the title or the body first.' });
      const saved = await api.edit(event.params.id, change);
      return { saved: { version: saved.currentVersion } };
    } catch (err) {
      const { status, message } = failure(err, 'save this article');
      return editFailure(status, { title, body, errors: {}, message });
    }
  },
  reviewed: async (event) => {
    requireRole(event.locals, EDIT_ROLES);
    try {
      await kbApiFor(event).markReviewed(event.params.id);
      return { reviewed: true };
    } catch (err) {
      const { status, message } = failure(err, 'mark this article reviewed');
      return fail(status, { reviewError: message });
    }
  },
};
