// The custom matchers ZenStack's tests use (`toResolveTruthy`, `toBeRejectedNotFound`, …),
// written here to the same meaning: a promise resolving to a truthy / falsy / null value or a
// list of a length, or rejecting with an ORMError of a reason (and messages, when given).

import { ORMError } from '@zenstackhq/orm';
import { expect } from 'vitest';

const isPromise = (v) => v && typeof v.then === 'function';

async function settle(received) {
  try {
    return { value: await received };
  } catch (error) {
    return { error };
  }
}

function resolvesTo(check, describe) {
  return async function (received, ...rest) {
    if (!isPromise(received)) return { pass: false, message: () => 'a promise is expected' };
    const { value, error } = await settle(received);
    if (error) return { pass: false, message: () => `expected the promise to resolve, it rejected: ${error}` };
    return { pass: check(value, ...rest), message: () => `expected the promise to resolve to ${describe(...rest)}, got ${JSON.stringify(value)}` };
  };
}

function rejectsWith(reason) {
  return async function (received, messages) {
    if (!isPromise(received)) return { pass: false, message: () => 'a promise is expected' };
    const { error } = await settle(received);
    if (!error) return { pass: false, message: () => `expected a rejection (${reason}), got none` };
    if (!(error instanceof ORMError) || error.reason !== reason) {
      return { pass: false, message: () => `expected an ORMError of reason ${reason}, got ${error}` };
    }
    for (const m of messages ?? []) {
      if (!(error.message ?? '').toLowerCase().includes(m.toLowerCase())) {
        return { pass: false, message: () => `expected "${m}" in the error message: ${error.message}` };
      }
    }
    return { pass: true, message: () => '' };
  };
}

expect.extend({
  toResolveTruthy: resolvesTo((v) => !!v, () => 'a truthy value'),
  toResolveFalsy: resolvesTo((v) => !v, () => 'a falsy value'),
  toResolveNull: resolvesTo((v) => v === null, () => 'null'),
  toResolveWithLength: resolvesTo((v, n) => Array.isArray(v) && v.length === n, (n) => `a list of ${n}`),
  toBeRejectedNotFound: rejectsWith('not-found'),
  toBeRejectedByPolicy: rejectsWith('rejected-by-policy'),
  toBeRejectedByValidation: rejectsWith('invalid-input'),
});
