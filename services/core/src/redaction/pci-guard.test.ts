import { describe, expect, it } from 'vitest';
import { defaultIsSensitiveSlot, PciGuard, type PciTransition } from './pci-guard.ts';
import { redact } from './redact.ts';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('PciGuard', () => {
  it('pauses while a card slot is collected and resumes when the flow moves on', () => {
    const c = clock();
    const seen: PciTransition[] = [];
    const g = new PciGuard({ now: c.now, onTransition: (t) => seen.push(t) });
    expect(g.update({ collectingSlot: 'account_id' })).toEqual({ action: 'none', state: 'recording' });
    expect(g.update({ collectingSlot: 'card_number' })).toEqual({ action: 'pause', state: 'paused', reason: 'card_slot' });
    expect(g.recording).toBe(false);
    expect(g.redactOptions()).toEqual({ pci: true });
    c.advance(5_000);
    // expiry and security code are card data too: still paused, no new transition
    expect(g.update({ collectingSlot: 'card_expiry' }).action).toBe('none');
    expect(g.update({ collectingSlot: 'cvv' }).action).toBe('none');
    expect(g.update({ collectingSlot: null })).toEqual({ action: 'resume', state: 'recording', reason: 'left_card_slot' });
    expect(g.recording).toBe(true);
    expect(seen.map((t) => [t.from, t.to, t.reason, t.slot])).toEqual([
      ['recording', 'paused', 'card_slot', 'card_number'],
      ['paused', 'recording', 'left_card_slot', undefined],
    ]);
    expect(seen[1]!.at - seen[0]!.at).toBe(5_000);
    expect(g.transitions).toEqual(seen);
  });

  it('can wait a number of turns before resuming', () => {
    const g = new PciGuard({ resumeAfterTurns: 2 });
    g.update({ collectingSlot: 'x', slotKind: 'card' });
    expect(g.update({ collectingSlot: 'confirm' }).action).toBe('none');
    expect(g.update({ collectingSlot: 'confirm' }).action).toBe('none');
    expect(g.update({ collectingSlot: 'confirm' }).action).toBe('resume');
  });

  it('pauses when card digits are heard outside card capture and asks to drop the segment', () => {
    const g = new PciGuard();
    expect(g.observeTranscript('my order id is 3348917502').action).toBe('none');
    const d = g.observeTranscript('oh and my card is four one one one one one one one one one one one one one one one');
    expect(d).toEqual({ action: 'pause', state: 'paused', reason: 'card_detected', discardCurrentSegment: true });
    expect(g.update({ collectingSlot: 'zip_code' }).action).toBe('resume');
  });

  it('resumes after maxPauseMs, keeps a manual pause until resumed by hand, and stops at the end of the call', () => {
    const c = clock();
    const g = new PciGuard({ now: c.now, maxPauseMs: 60_000 });
    g.update({ collectingSlot: 'card_number' });
    c.advance(59_999);
    expect(g.tick().action).toBe('none');
    c.advance(1);
    expect(g.tick()).toEqual({ action: 'resume', state: 'recording', reason: 'timeout' });
    expect(g.pause().action).toBe('pause');
    expect(g.update({ collectingSlot: null }).action).toBe('none');
    expect(g.resume().action).toBe('resume');
    g.end();
    expect(g.state).toBe('ended');
    expect(g.update({ collectingSlot: 'card_number' }).action).toBe('none');
    expect(g.observeTranscript('4111 1111 1111 1111').action).toBe('none');
  });

  it('survives a throwing listener', () => {
    const g = new PciGuard({
      onTransition: () => {
        throw new Error('listener');
      },
    });
    expect(g.update({ collectingSlot: 'cvv' }).action).toBe('pause');
  });

  it('knows which slots are card data', () => {
    for (const s of ['card_number', 'credit_card', 'cvv', 'cvc', 'security_code', 'card_expiry', 'expiration_date', 'pin', 'pan']) {
      expect(defaultIsSensitiveSlot(s), s).toBe(true);
    }
    for (const s of ['card_last4', 'last_four', 'payment_method', 'account_id', 'order_id', 'zip_code', 'amount', 'shipping_option', 'gift_card']) {
      expect(defaultIsSensitiveSlot(s), s).toBe(false);
    }
    expect(defaultIsSensitiveSlot('x', 'cvv')).toBe(true);
  });

  it('gives redact options that drop every digit while paused', () => {
    const g = new PciGuard();
    g.update({ collectingSlot: 'card_number' });
    expect(redact('it is 4111 1111 1111 1112 and 123', g.redactOptions()).text).toBe('it is [CARD] and [CVV]');
  });
});
