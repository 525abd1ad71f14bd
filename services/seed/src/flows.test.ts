import { describe, expect, it } from 'vitest';
import { FlowDefinitionSchema, buildAbcdFlows, buildAllFlows, buildSgdFlows, sgdFlowId, type FlowDefinition } from './flows.ts';
import { SGD_SERVICES, abcdSubflows, loadAbcd, loadSgdServices } from './sources.ts';

const kinds = (f: FlowDefinition) => f.steps.map((s) => s.kind);

describe('buildSgdFlows', () => {
  const flows = buildSgdFlows();

  it('has one flow per intent of the chosen services', () => {
    const expected = loadSgdServices().flatMap((s) => s.intents.map((i) => sgdFlowId(s.service_name, i.name)));
    expect(flows.map((f) => f.id)).toEqual(expected);
    expect(flows).toHaveLength(18);
    expect(new Set(flows.map((f) => f.service))).toEqual(new Set(SGD_SERVICES));
    expect(flows.map((f) => f.id)).toContain('banks.transfer_money');
    expect(flows.map((f) => f.id)).toContain('rental_cars.get_cars_available');
  });

  it("mirrors each schema intent: required slots, optional defaults, result slots, transactional flag", () => {
    for (const service of loadSgdServices()) {
      for (const intent of service.intents) {
        const flow = flows.find((f) => f.service === service.service_name && f.intent === intent.name)!;
        expect(flow.required_slots.map((s) => s.name)).toEqual(intent.required_slots);
        expect(Object.fromEntries(flow.optional_slots.map((s) => [s.name, s.default]))).toEqual(intent.optional_slots);
        expect(flow.result_slots).toEqual(intent.result_slots);
        expect(flow.transactional).toBe(intent.is_transactional);
        expect(flow.steps.filter((s) => s.kind === 'collect_slot').map((s) => s.slot)).toEqual(intent.required_slots);
        for (const slot of [...flow.required_slots, ...flow.optional_slots]) {
          const source = service.slots.find((s) => s.name === slot.name)!;
          expect(slot.categorical).toBe(source.is_categorical);
          expect(slot.values).toEqual(source.is_categorical ? source.possible_values : []);
          expect(slot.prompt.length).toBeGreaterThan(5);
        }
        expect(flow.provenance).toEqual({ dataset: 'sgd', licence: 'CC-BY-SA-4.0', ref: `${service.service_name}/${intent.name}` });
      }
    }
  });

  it('confirms before a transactional action and reports success or failure after it', () => {
    const transfer = flows.find((f) => f.id === 'banks.transfer_money')!;
    expect(kinds(transfer)).toEqual(['collect_slot', 'collect_slot', 'collect_slot', 'confirm', 'action', 'inform', 'inform', 'escalate', 'end', 'end']);
    const action = transfer.steps.find((s) => s.kind === 'action')!;
    expect(action).toMatchObject({ action: 'TransferMoney', on_success: 'notify_success', on_failure: 'notify_failure' });
    const acts = transfer.steps.flatMap((s) => (s.kind === 'inform' ? [s.act] : []));
    expect(acts).toEqual(['notify_success', 'notify_failure']);
    const confirm = transfer.steps.find((s) => s.kind === 'confirm')!;
    expect(confirm.prompt).toContain('{amount}');
    expect(confirm.slots).toEqual(['account_type', 'amount', 'recipient_account_name', 'recipient_account_type']);
    for (const f of flows.filter((x) => x.transactional)) {
      expect(kinds(f).indexOf('confirm')).toBeLessThan(kinds(f).indexOf('action'));
      expect(f.steps.some((s) => s.id === 'notify_success')).toBe(true);
      expect(f.steps.some((s) => s.id === 'notify_failure')).toBe(true);
    }
  });

  it('does not confirm searches', () => {
    for (const f of flows.filter((x) => !x.transactional)) {
      expect(kinds(f)).not.toContain('confirm');
      expect(f.steps.find((s) => s.kind === 'inform' && s.act === 'offer')).toBeDefined();
    }
    expect(flows.filter((f) => f.transactional)).toHaveLength(10);
  });
});

describe('buildAbcdFlows', () => {
  const flows = buildAbcdFlows();
  const { kb } = loadAbcd();

  it('has one flow per ABCD subflow with the kb.json action sequence', () => {
    expect(flows).toHaveLength(55);
    expect(flows.map((f) => f.intent).sort()).toEqual(Object.keys(kb).sort());
    for (const f of flows) {
      expect(f.required_actions).toEqual(kb[f.intent]);
      expect(f.steps.filter((s) => s.kind === 'action').map((s) => s.action)).toEqual(kb[f.intent]);
      expect(f.steps.at(-1)?.kind).toBe('end');
      expect(f.provenance.licence).toBe('MIT');
    }
  });

  it('recover_password → pull-up-account, enter-details, make-password, with guideline text', () => {
    const f = flows.find((x) => x.id === 'account_access.recover_password')!;
    expect(f.required_actions).toEqual(['pull-up-account', 'enter-details', 'make-password']);
    expect(f.title).toBe('Account Access: Recover Password');
    expect(f.policy?.kb_article).toBe('account-access-recover-password');
    expect(f.policy?.text).toContain('cannot get their password');
    const make = f.steps.find((s) => s.kind === 'action' && s.action === 'make-password');
    expect(make).toMatchObject({ label: 'Make Password' });
    expect(make?.kind === 'action' && make.policy).toContain('Security Question');
  });

  it('attaches the guideline policy to every subflow and to every action step', () => {
    expect(abcdSubflows()).toHaveLength(flows.length);
    for (const f of flows) {
      expect(f.policy?.text.length).toBeGreaterThan(50);
      for (const s of f.steps) if (s.kind === 'action') expect(s.policy, `${f.id} ${s.action}`).toBeTruthy();
    }
  });
});

describe('FlowDefinitionSchema', () => {
  const all = buildAllFlows();

  it('validates every built flow and ids are unique', () => {
    for (const f of all) expect(FlowDefinitionSchema.safeParse(f).success).toBe(true);
    expect(new Set(all.map((f) => f.id)).size).toBe(all.length);
    expect(all).toHaveLength(73);
  });

  it('rejects dangling step references, a transaction without confirm, and a missing end', () => {
    const transfer = all.find((f) => f.id === 'banks.transfer_money')!;
    const dangling = { ...transfer, steps: transfer.steps.map((s) => (s.id === 'escalate' ? { ...s, next: 'nowhere' } : s)) };
    expect(FlowDefinitionSchema.safeParse(dangling).success).toBe(false);
    const noConfirm = { ...transfer, steps: transfer.steps.filter((s) => s.kind !== 'confirm') };
    expect(FlowDefinitionSchema.safeParse(noConfirm).success).toBe(false);
    const noEnd = { ...transfer, steps: transfer.steps.filter((s) => s.kind !== 'end').map((s) => ({ ...s, next: undefined })) };
    expect(FlowDefinitionSchema.safeParse(noEnd).success).toBe(false);
    expect(FlowDefinitionSchema.safeParse({ ...transfer, id: 'Banks TransferMoney' }).success).toBe(false);
  });
});
