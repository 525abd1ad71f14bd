import { ValidationError } from '@cc/core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACTIONS } from './demo-actions.ts';
import { FlowCatalog } from './flows.ts';
import { demoTenant } from './test-support.ts';

const flows = () => structuredClone(demoTenant().agentVersion.flows);

function loadError(input: unknown, actions?: readonly string[]): ValidationError {
  try {
    FlowCatalog.load(input, actions ? { actions } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected the flows to be rejected');
}

describe('FlowCatalog', () => {
  it('loads every demo flow, with every action known to the demo runner', () => {
    const catalog = FlowCatalog.load(flows(), { actions: DEMO_ACTIONS });
    expect(catalog.size).toBe(73);
    expect(catalog.get('banks.transfer_money')?.transactional).toBe(true);
    expect(catalog.step('banks.transfer_money', 'confirm')?.kind).toBe('confirm');
  });

  it('names the flow and field of an action the runner does not know', () => {
    const f = flows();
    const step = f['banks.transfer_money']!.steps.find((s) => s.kind === 'action')!;
    (step as { action: string }).action = 'TransferMony';
    f['banks.transfer_money']!.required_actions = ['TransferMony'];
    const err = loadError(f, DEMO_ACTIONS);
    expect(err.message).toContain('banks.transfer_money: steps[4] (call).action');
    expect(err.message).toContain('TransferMony');
  });

  it('names the flow and field of a missing slot', () => {
    const f = flows();
    const confirm = f['banks.transfer_money']!.steps.find((s) => s.kind === 'confirm') as { slots: string[] };
    confirm.slots.push('iban');
    const err = loadError(f);
    expect(err.message).toMatch(/banks\.transfer_money: steps\[3\] \(confirm\)\.slots\[4\]: refers to missing slot "iban"/);
  });

  it('names the flow and field of a missing step', () => {
    const f = flows();
    const confirm = f['banks.check_balance']!.steps.find((s) => s.kind === 'action') as { on_failure?: string };
    confirm.on_failure = 'nowhere';
    const err = loadError(f);
    expect(err.message).toContain('banks.check_balance');
    expect(err.message).toContain('nowhere');
  });

  it('rejects placeholders that name no slot, mismatched keys and empty input', () => {
    const f = flows();
    const inform = f['banks.check_balance']!.steps.find((s) => s.kind === 'inform') as { text: string };
    inform.text = 'Your {balanse} is ready.';
    const g = flows();
    g['banks.other'] = g['banks.check_balance']!;
    expect(loadError(f).message).toContain('banks.check_balance: steps[2] (offer_results).text: refers to missing slot "balanse"');
    expect(loadError(g).message).toContain('banks.other: id');
    expect(loadError({}).message).toContain('at least one flow');
    expect(loadError(null).message).toContain('at least one flow');
  });
});
