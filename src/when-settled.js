// Continue after `value`, which is either a result or a promise of one (module loads can be
// async from 6.0.1 on, and from JS with loadAsync in every version): one code path for both.
// onError runs before the error goes on, sync or async.
export function whenSettled(value, onValue, onError) {
  if (value && typeof value.then === 'function') return value.then(onValue, (e) => { onError(); throw e; });
  return onValue(value);
}
