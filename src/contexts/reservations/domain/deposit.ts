import { isIsoCurrency } from './currency.js';
import { InvalidDeposit } from './reservation.errors.js';

/** A deposit asked for at booking: integer minor units (cents) of an ISO 4217 currency. */
export interface Deposit {
  readonly amount: number;
  readonly currency: string;
}

/** Up to ten million in major units: a deposit, not a wire transfer. */
export const MAX_DEPOSIT_AMOUNT = 1_000_000_000;

export const checkDeposit = ({ amount, currency }: Deposit): void => {
  if (!Number.isInteger(amount) || amount < 1 || amount > MAX_DEPOSIT_AMOUNT || !isIsoCurrency(currency)) {
    throw new InvalidDeposit(amount, currency);
  }
};
