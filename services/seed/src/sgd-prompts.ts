import type { SgdSlot } from './sources.ts';
import { humanize } from './util.ts';

/**
 * What the agent says to ask for a slot, per service. Written for the slots that some intent of
 * SGD_SERVICES requires; any other slot gets a prompt generated from its name and values.
 */
const SLOT_PROMPTS: Record<string, Record<string, string>> = {
  Banks_1: {
    account_type: 'Which account would you like to use, checking or savings?',
    amount: 'How much would you like to transfer?',
    recipient_account_name: 'Who should receive the money?',
    recipient_account_type: "Is the recipient's account a checking or a savings account?",
  },
  Payment_1: {
    receiver: 'Who is the payment for?',
    amount: 'How much is the payment?',
    payment_method: 'Would you like to pay from your app balance, a debit card or a credit card?',
    private_visibility: 'Should this transaction be kept private?',
  },
  Flights_1: {
    origin_city: 'Which city are you flying from?',
    destination_city: 'Where would you like to fly to?',
    departure_date: 'What date would you like to leave?',
    return_date: 'And what date would you like to fly back?',
    airlines: 'Which airline would you like to fly with?',
    outbound_departure_time: 'What time does the outbound flight leave?',
    inbound_departure_time: 'What time does the return flight leave?',
    passengers: 'How many passengers are travelling?',
    seating_class: 'Which class would you like: Economy, Premium Economy, Business or First Class?',
  },
  Hotels_1: {
    destination: 'In which city are you looking for a hotel?',
    hotel_name: 'Which hotel would you like to book?',
    check_in_date: 'What date would you like to check in?',
    number_of_days: 'How many nights will you stay?',
    number_of_rooms: 'How many rooms do you need?',
  },
  RentalCars_1: {
    pickup_city: 'In which city would you like to pick up the car?',
    pickup_location: 'Where would you like to pick up the car?',
    pickup_date: 'What date would you like to pick up the car?',
    pickup_time: 'What time would you like to pick it up?',
    dropoff_date: 'What date will you return the car?',
    type: 'Which kind of car would you like: Compact, Standard or Full-size?',
  },
  Buses_1: {
    from_location: 'Which city are you leaving from?',
    to_location: 'Where are you travelling to?',
    leaving_date: 'What date would you like to travel?',
    leaving_time: 'What time would you like to leave?',
    travelers: 'How many people are travelling?',
  },
  Trains_1: {
    from: 'Which city are you leaving from?',
    to: 'Which city are you travelling to?',
    date_of_journey: 'What date would you like to travel?',
    journey_start_time: 'Which departure time would you like?',
    number_of_adults: 'How many adults are travelling?',
    trip_protection: 'Would you like to add trip protection for a fee?',
    class: 'Which fare class would you like: Value, Flexible or Business?',
  },
  Homes_1: {
    area: 'In which city are you looking for an apartment?',
    number_of_beds: 'How many bedrooms do you need?',
    property_name: 'Which property would you like to visit?',
    visit_date: 'What date would you like to visit?',
  },
};

/** The agent's question for `slot` of `service`. */
export function slotPrompt(service: string, slot: SgdSlot): string {
  const written = SLOT_PROMPTS[service]?.[slot.name];
  if (written) return written;
  const label = humanize(slot.name);
  const isBoolean = slot.is_categorical && slot.possible_values.every((v) => v === 'True' || v === 'False');
  if (isBoolean) return `Do you need it to be ${label}?`;
  if (slot.is_categorical && slot.possible_values.length > 0) return `What ${label} would you like (${slot.possible_values.join(', ')})?`;
  return `What is the ${label}?`;
}

/** Human labels used in read-backs ("amount" → "amount"; "recipient_account_name" → "recipient"). */
const READBACK_LABELS: Record<string, string> = {
  recipient_account_name: 'recipient',
  recipient_account_type: "recipient's account",
  account_type: 'from account',
  private_visibility: 'private',
  number_of_days: 'nights',
  outbound_departure_time: 'outbound departure',
  inbound_departure_time: 'return departure',
  trip_protection: 'trip protection',
};

/** A read-back such as "amount: {amount}, recipient: {recipient_account_name}". */
export function readBack(slots: readonly string[]): string {
  return slots.map((s) => `${READBACK_LABELS[s] ?? humanize(s)}: {${s}}`).join(', ');
}
