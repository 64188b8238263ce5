// Continue after `value`, which is either a result or a promise of one (module loads can be
// async from 6.0.1 on, and from JS with loadAsync in every version): one code path for both.
// onError runs before the error goes on, sync or async.
export function whenSettled(value, onValue, onError) {
  if (value && typeof value.then === 'function') return value.then(onValue, (e) => { onError(); throw e; });
  return onValue(value);
}

// Call body(), then onValue(result) once it completes, sync or async; onError() if it throws or
// rejects (the error goes on).
export function runThen(body, onValue, onError) {
  let result;
  try {
    result = body();
  } catch (e) {
    onError();
    throw e;
  }
  return whenSettled(result, onValue, onError);
}
