/** Small synthetic intent data for tests: templated utterances, a deterministic train/test split. */
import { prng, shuffleInPlace } from './nets.ts';
import type { IntentExample } from './train.ts';

const CORES: Record<string, string[]> = {
  check_balance: ['check my balance', 'see how much money i have', 'know my account balance', 'get my current balance', 'find out what is in my account'],
  transfer_money: ['transfer money to my savings', 'send money to my brother', 'move funds between accounts', 'wire cash to a friend', 'make a transfer'],
  lost_card: ['report my card stolen', 'block my lost card', 'cancel the card i lost', 'tell you my card is missing', 'freeze my stolen card'],
  open_account: ['open a new account', 'sign up for a checking account', 'start a savings account', 'create an account with you', 'become a customer'],
};
const PREFIXES = ['', 'please ', 'i want to ', 'can you help me ', 'i need to ', 'could i ', 'hi i would like to '];
const SUFFIXES = ['', ' now', ' today', ' please', ' thanks', ' asap'];

export function toyIntentData(seed = 3): { train: IntentExample[]; test: IntentExample[] } {
  const all: IntentExample[] = [];
  for (const [intent, cores] of Object.entries(CORES)) for (const core of cores) for (const p of PREFIXES) for (const s of SUFFIXES) all.push({ text: `${p}${core}${s}`, intent });
  shuffleInPlace(all, prng(seed));
  // every third utterance held out: unseen prefix/phrasing/suffix combinations
  return { train: all.filter((_, i) => i % 3 !== 0).slice(0, 150), test: all.filter((_, i) => i % 3 === 0).slice(0, 100) };
}

/** Out-of-scope utterances for the toy intents: other domains, chit-chat. */
export const TOY_OOS = [
  'what is the weather like in paris', 'tell me a joke', 'who won the football game last night', 'play some jazz music',
  'how do i bake sourdough bread', 'set an alarm for six am', 'what time is it in tokyo', 'translate hello into french',
  'how tall is mount everest', 'recommend a good movie', 'my dog is sick', 'what is the capital of peru',
  'book me a table for two', 'how many calories in an apple', 'turn off the lights', 'what is my horoscope',
  'i need to renew my passport', 'can you help me find my keys', 'please call my mom', 'i want to order a pizza',
  'what is the score of the game', 'remind me to buy milk', 'how far is the moon', 'i would like to rent a car',
];

/** Garbage, noise and other languages. */
export const GARBAGE = ['asdkjh qwpoe zzxv', 'lkjlkj lkjlkj', 'qqqq', 'uh um hmm', '¿dónde está el baño?', 'je voudrais un café', '我想转账', 'ааа ббб', '🙂🙂🙂', 'zxcvbnm asdfgh'];
