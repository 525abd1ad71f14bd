import type { AbcdGuidelineAction, AbcdSubflowRef } from './sources.ts';
import { kebabCase } from './util.ts';

/**
 * ABCD guideline text → clean Markdown, and guideline buttons → kb.json action names.
 *
 * The guideline strings use a few ad-hoc conventions: `[Button]` for a UI button, " > " inside a
 * sub-point to separate a condition from what to do, "<or>" between alternatives, and doubled
 * spaces after full stops. They are rendered as bold button names, nested bullets, "*or*" and
 * single spaces; the wording itself is unchanged.
 */

function clean(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\[([^\]]+)\]/g, '**$1**')
    .replace(/\s*<or>\s*/g, ' *or* ')
    .trim();
}

/** One sub-point as a bullet, with " > " parts and "<or>" alternatives as nested bullets. */
function subtextBullets(subtext: string, indent: string): string[] {
  const [head = '', ...rest] = subtext.split(/\s+>\s+/);
  const lines = [`${indent}- ${clean(head)}`];
  for (const part of rest) {
    const [first = '', ...alternatives] = part.split(/\s*<or>\s*/);
    lines.push(`${indent}  - ${clean(first)}`);
    for (const alt of alternatives) lines.push(`${indent}  - *or* ${clean(alt)}`);
  }
  return lines;
}

/** Markdown for one guideline step (its text and sub-points). */
export function guidelineStepMarkdown(action: AbcdGuidelineAction, indent = ''): string {
  const text = clean(action.text);
  const hasButton = action.button !== 'N/A' && !text.includes(`**${action.button}**`);
  const head = hasButton ? `**${action.button}:** ${text}` : text;
  return [head, ...action.subtext.flatMap((s) => subtextBullets(s, indent))].join('\n');
}

/** The whole subflow as a Markdown article body: overview, numbered steps, notes. */
export function subflowMarkdown(ref: AbcdSubflowRef): string {
  const { guideline } = ref;
  const [overview, ...rest] = guideline.instructions.map(clean).filter((s) => s !== '');
  // FAQ subflows list their question topics as a bare comma-separated line: show it with the overview.
  const isTopicList = (s: string) => s.split(',').length >= 3 && !/[.!]$/.test(s);
  const topics = rest.filter(isTopicList);
  const notes = rest.filter((s) => !isTopicList(s));
  const parts: string[] = [];
  parts.push(`*${ref.flowTitle}: ${clean(ref.flowDescription)}*`);
  if (overview) parts.push(overview);
  for (const t of topics) parts.push(`**Typical questions:** ${t}`);
  const steps = guideline.actions.map((a, i) => {
    const prefix = `${i + 1}. `;
    return prefix + guidelineStepMarkdown(a, ' '.repeat(prefix.length));
  });
  parts.push(['## Steps', '', ...steps].join('\n'));
  if (notes.length) parts.push(['## Notes', '', ...notes.map((n) => `- ${n}`)].join('\n'));
  return parts.join('\n\n') + '\n';
}

const BUTTON_ALIASES: Record<string, string> = {
  'membership-privileges': 'membership',
  'notify-internal-team': 'notify-team',
  'enter-detail': 'enter-details',
  'select-answer': 'select-faq',
};

/**
 * The kb.json action a guideline button stands for, or undefined for communication-only steps
 * ("N/A", "End Conversation"). FAQ category toggles ("Boots", "Pricing") map to "search-<x>".
 */
export function buttonToAction(button: string, known: readonly string[]): string | undefined {
  if (button === 'N/A') return undefined;
  const key = kebabCase(button.replace(/\//g, ' '));
  const candidate = BUTTON_ALIASES[key] ?? key;
  if (known.includes(candidate)) return candidate;
  if (known.includes(`search-${candidate}`)) return `search-${candidate}`;
  return undefined;
}

/** Guideline button and text per kb action of the subflow (steps without a kb action are left out). */
export function policyByAction(ref: AbcdSubflowRef): Map<string, { button: string; markdown: string }> {
  const out = new Map<string, { button: string; markdown: string }>();
  for (const action of ref.guideline.actions) {
    const name = buttonToAction(action.button, ref.actions);
    if (!name) continue;
    const md = guidelineStepMarkdown(action);
    const seen = out.get(name);
    out.set(name, { button: seen?.button ?? action.button, markdown: seen ? `${seen.markdown}\n\n${md}` : md });
  }
  // An action with no step of its own is often named inside another step ("… into [Update Order]").
  for (const action of ref.guideline.actions) {
    for (const text of [action.text, ...action.subtext]) {
      for (const [, button = ''] of text.matchAll(/\[([^\]]+)\]/g)) {
        const name = buttonToAction(button, ref.actions);
        if (name && !out.has(name)) out.set(name, { button, markdown: guidelineStepMarkdown(action) });
      }
    }
  }
  return out;
}

/** The KB article slug for a subflow: "<flow>-<subflow>" in kebab case. */
export function subflowSlug(flow: string, subflow: string): string {
  return `${kebabCase(flow)}-${kebabCase(subflow)}`;
}
